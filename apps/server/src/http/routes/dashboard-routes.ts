import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadStaticAssets } from '../static-assets.js';

/** The dashboard page, its script and stylesheet, and the vega browser builds it loads. */
export function dashboardRoutes() {
  return async (app: FastifyInstance): Promise<void> => {
    for (const asset of loadStaticAssets()) {
      const etag = `"${createHash('sha256').update(asset.body).digest('base64url')}"`;
      app.get(asset.urlPath, { schema: { hide: true } }, async (request, reply) => {
        reply.header('cache-control', 'no-cache').header('etag', etag);
        if (request.headers['if-none-match'] === etag) return reply.code(304).send();
        return reply.type(asset.contentType).send(asset.body);
      });
    }
  };
}
