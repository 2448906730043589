import type { FastifyInstance } from 'fastify';
import { assetVersion, contentDigest, PINNED_CACHE, pinAssetVersions } from '../asset-versions.js';
import { loadStaticAssets, type StaticAsset } from '../static-assets.js';

const PAGE_PATH = '/';

/**
 * The dashboard page, its scripts and stylesheet, and the vega browser builds it loads. The page names
 * each file at its version, and a file asked for at its current version may be kept without asking
 * again; asked for otherwise (a page from before a restart), it is sent to be revalidated each time, as
 * the page itself is: `no-cache` with an `ETag` (its SHA-256), 304 while the browser's copy is current.
 */
export function dashboardRoutes() {
  return async (app: FastifyInstance): Promise<void> => {
    /** Serves one file, its digest its ETag; `version` where the page names it at one. */
    const serve = (asset: StaticAsset, body: Buffer, digest: string, version?: string) => {
      const etag = `"${digest}"`;
      app.get<{ Querystring: { v?: string } }>(
        asset.urlPath,
        { schema: { hide: true } },
        async (request, reply) => {
          const pinned = version !== undefined && request.query.v === version;
          reply.header('cache-control', pinned ? PINNED_CACHE : 'no-cache').header('etag', etag);
          if (request.headers['if-none-match'] === etag) return reply.code(304).send();
          return reply.type(asset.contentType).send(body);
        },
      );
    };
    const versions = new Map<string, string>();
    const pages: StaticAsset[] = [];
    for (const asset of loadStaticAssets()) {
      if (asset.urlPath === PAGE_PATH) {
        pages.push(asset);
        continue;
      }
      const digest = contentDigest(asset.body);
      const version = assetVersion(digest);
      versions.set(asset.urlPath, version);
      serve(asset, asset.body, digest, version);
    }
    // The page names the files at their versions, so it is filled in once all are known.
    for (const page of pages) {
      const body = Buffer.from(pinAssetVersions(page.body.toString('utf8'), versions));
      serve(page, body, contentDigest(body));
    }
  };
}
