import type { FastifyInstance } from 'fastify';
import { loadStaticAssets } from '../static-assets.js';

/** The dashboard page, its script and stylesheet, and the vega browser builds it loads. */
export function dashboardRoutes() {
  return async (app: FastifyInstance): Promise<void> => {
    for (const asset of loadStaticAssets()) {
      app.get(asset.urlPath, { schema: { hide: true } }, async (_request, reply) =>
        reply.type(asset.contentType).header('cache-control', 'no-cache').send(asset.body),
      );
    }
  };
}
