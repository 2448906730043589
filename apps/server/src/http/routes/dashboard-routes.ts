import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { assetVersion, PINNED_CACHE, pinAssetVersions } from '../asset-versions.js';
import { loadStaticAssets } from '../static-assets.js';

const PAGE_PATH = '/';

/**
 * The dashboard page, its scripts and stylesheet, and the vega browser builds it loads. The page names
 * each file at its version, and a file asked for at its current version may be kept without asking
 * again; asked for otherwise (a page from before a restart), it is sent to be revalidated each time, as
 * the page itself is: `no-cache` with an `ETag` (its SHA-256), 304 while the browser's copy is current.
 */
export function dashboardRoutes() {
  return async (app: FastifyInstance): Promise<void> => {
    const assets = loadStaticAssets();
    const versions = new Map(
      assets
        .filter((asset) => asset.urlPath !== PAGE_PATH)
        .map((asset) => [asset.urlPath, assetVersion(asset.body)]),
    );
    for (const asset of assets) {
      const body =
        asset.urlPath === PAGE_PATH
          ? Buffer.from(pinAssetVersions(asset.body.toString('utf8'), versions))
          : asset.body;
      const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
      const version = versions.get(asset.urlPath);
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
    }
  };
}
