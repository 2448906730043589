import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { ServerError } from '../errors.js';

/**
 * Whether only this machine can reach a server bound to `host`: 127.0.0.0/8, ::1 (also as an
 * IPv4-mapped address) and the name `localhost`. An address is parsed, never prefix-matched: a host name
 * such as `127.example.org` resolves wherever its owner likes.
 */
export function isLoopback(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIPv4(bare)) return bare.split('.')[0] === '127';
  if (!isIPv6(bare)) return false;
  const lower = bare.toLowerCase();
  const mapped = /^(?:0{0,4}:){0,5}ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower.replace(/^::/, ''));
  if (mapped?.[1] !== undefined) return isLoopback(mapped[1]);
  // ::1 in any of its spellings (0:0:0:0:0:0:0:1, ::0001).
  const groups = expandIPv6(lower);
  return groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1;
}

/** The eight 16-bit groups of an IPv6 address without an embedded IPv4 part. */
function expandIPv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

// Hash both sides so the comparison takes the same time whatever the lengths.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * An onRequest hook that lets a mutating request through only with `Authorization: Bearer <token>`.
 */
export function bearerTokenCheck(token: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(token);
  return async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
      throw new ServerError(
        'UNAUTHORIZED',
        'this route needs the header Authorization: Bearer <ISOFLOP_TOKEN>',
      );
    }
  };
}
