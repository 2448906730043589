import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerError } from '../errors.js';

/** A file the server sends as it is: the dashboard page, its script, and the vega browser builds. */
export interface StaticAsset {
  urlPath: string;
  contentType: string;
  body: Buffer;
}

// public/ sits beside src/ and dist/, so one relative path serves both.
const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

function browserBuild(packageName: string, fileName: string): string {
  // The packages export only their ESM entries; the UMD builds sit beside them in build/.
  return join(dirname(fileURLToPath(import.meta.resolve(packageName))), fileName);
}

const JS = 'text/javascript; charset=utf-8';

/**
 * The fixed list of files the dashboard needs, read once at start. URLs map to files through this
 * table only, so no request can name a path on disk.
 */
export function loadStaticAssets(): StaticAsset[] {
  const files: { urlPath: string; contentType: string; file: string }[] = [
    { urlPath: '/', contentType: 'text/html; charset=utf-8', file: join(PUBLIC_DIR, 'index.html') },
    // The page's ES modules: every script in public/, listed once at start (no request names a file).
    ...readdirSync(PUBLIC_DIR)
      .filter((name) => name.endsWith('.js'))
      .map((name) => ({ urlPath: `/${name}`, contentType: JS, file: join(PUBLIC_DIR, name) })),
    {
      urlPath: '/style.css',
      contentType: 'text/css; charset=utf-8',
      file: join(PUBLIC_DIR, 'style.css'),
    },
    { urlPath: '/vendor/vega.min.js', contentType: JS, file: browserBuild('vega', 'vega.min.js') },
    {
      urlPath: '/vendor/vega-lite.min.js',
      contentType: JS,
      file: browserBuild('vega-lite', 'vega-lite.min.js'),
    },
    {
      urlPath: '/vendor/vega-embed.min.js',
      contentType: JS,
      file: browserBuild('vega-embed', 'vega-embed.min.js'),
    },
  ];
  return files.map(({ urlPath, contentType, file }) => {
    try {
      return { urlPath, contentType, body: readFileSync(file) };
    } catch (error) {
      throw new ServerError('ASSET_MISSING', `dashboard file ${file} is missing`, { cause: error });
    }
  });
}
