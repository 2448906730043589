/**
 * Where the server listens unless told otherwise. A module of its own (`@isoflop/server/defaults`) so that
 * the CLI can name the port in its help without loading Fastify, swagger and vega.
 */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8321;
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
