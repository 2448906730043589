import type { FastifyRequest } from 'fastify';
import { ServerError } from '../errors.js';
import { isLoopback } from './bearer-auth.js';

/** Methods that change state: only these are checked for a foreign origin. */
const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A `Host` header (`127.0.0.1:8321`, `[::1]:8321`, `localhost`) parsed as a URL's authority. */
function authority(hostHeader: string): URL | undefined {
  try {
    return new URL(`http://${hostHeader}`);
  } catch {
    return undefined;
  }
}

/**
 * DNS rebinding: a page on `evil.example` whose name is made to resolve to 127.0.0.1 talks to a loopback
 * server as a same-origin page would. A server bound to loopback therefore answers only requests that
 * name a loopback host; the browser sends the page's own host name, which is refused.
 */
export function loopbackHostCheck(): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const header = request.headers.host;
    // HTTP/1.0 clients may send no Host; browsers always do.
    if (header === undefined) return;
    const name = authority(header)?.hostname;
    if (name === undefined || !isLoopback(name)) {
      throw new ServerError(
        'FOREIGN_HOST',
        `Host: '${header}' is not this loopback server; use http://127.0.0.1 or http://localhost`,
      );
    }
  };
}

/**
 * Cross-site writes: any web page can POST to a loopback server (a form, or `fetch` with `no-cors`), and
 * the browser then says where the request came from. A mutating request whose `Origin` is not the
 * server's own (scheme, host and port, as the `Host` header names it), or that `Sec-Fetch-Site` marks as
 * coming from another site, is refused. Clients that are not browsers (the CLI, curl) send neither.
 */
export function sameOriginCheck(): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (!MUTATING_METHODS.has(request.method)) return;
    const fetchSite = request.headers['sec-fetch-site'];
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      throw new ServerError(
        'CROSS_ORIGIN',
        `Sec-Fetch-Site: '${String(fetchSite)}': writes are accepted from this server's own pages only`,
      );
    }
    const origin = request.headers.origin;
    if (origin === undefined) return;
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      // `Origin: null` (sandboxed frames, file: pages) and anything unparsable.
    }
    const ownHost = authority(request.headers.host ?? '')?.host;
    if (originHost === undefined || originHost !== ownHost) {
      throw new ServerError(
        'CROSS_ORIGIN',
        `Origin: '${origin}' is not this server: writes are accepted from its own pages only`,
      );
    }
  };
}

/**
 * A raw URL with `..` segments (`/docs/static/../..`): Fastify routes it as sent, and the static-file
 * handler behind /docs refuses it with an error of its own; answer the client's mistake as one.
 */
export function dotSegmentCheck(): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const path = request.raw.url?.split('?')[0] ?? '';
    if (/(^|\/)(\.|%2e){2}(\/|$)/i.test(path)) {
      throw new ServerError('INVALID_REQUEST', `url: expected no '..' segments in ${path}`);
    }
  };
}
