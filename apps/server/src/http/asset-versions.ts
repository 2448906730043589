import { createHash } from 'node:crypto';
import { ServerError } from '../errors.js';

/**
 * The dashboard page names each of its files at a version, `/app.js?v=<hash of app.js>`, so a browser
 * may keep a file without asking again: a changed file gets a new URL in the page (which is itself
 * always revalidated). Without it, a return visit spent its first 0.1–0.2 s asking the server whether
 * each of its fourteen files (1.3 MB of vega among them) was still current.
 */

/** How a file asked for at its current version is cached: a year, and never revalidated. */
export const PINNED_CACHE = 'public, max-age=31536000, immutable';

/** A file's SHA-256, base64url: its `ETag`, and the start of it its version. */
export function contentDigest(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** The version a URL names a file at: the start of its content digest. */
export function assetVersion(digest: string): string {
  return digest.slice(0, 16);
}

/** The import map the page's markup holds (empty) for the server to fill in. */
const IMPORT_MAP_SLOT = /<script type="importmap">[^<]*<\/script>/;

/**
 * The page with every file it names (`src="/…"`, `href="/…"`) asked for at its version, and its import
 * map filled in: a module's own imports (`./dom.js`) and a dynamic `import('/app.js')` then resolve to
 * the same versioned URL as the page's `<script>` and preload tags, so each module loads once.
 * @param versions URL path → version, for every file the server serves beside the page
 */
export function pinAssetVersions(html: string, versions: ReadonlyMap<string, string>): string {
  if (!IMPORT_MAP_SLOT.test(html)) {
    throw new ServerError(
      'ASSET_MISSING',
      'the dashboard page has no <script type="importmap"> to fill in',
    );
  }
  const pinned = (path: string) => {
    const version = versions.get(path);
    return version === undefined ? path : `${path}?v=${version}`;
  };
  const modules = Object.fromEntries(
    [...versions.keys()]
      .filter((path) => path.endsWith('.js') && !path.startsWith('/vendor/'))
      .map((path) => [path, pinned(path)]),
  );
  return html
    .replace(
      /\b(src|href)="(\/[^"?#]*)"/g,
      (_match, attribute: string, path: string) => `${attribute}="${pinned(path)}"`,
    )
    .replace(
      IMPORT_MAP_SLOT,
      () => `<script type="importmap">${JSON.stringify({ imports: modules })}</script>`,
    );
}
