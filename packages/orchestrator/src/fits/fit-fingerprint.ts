import { createHash } from 'node:crypto';

/** A short hash of the rows a fit was computed from: equal rows, equal fingerprint, so no refit. */
export function fitFingerprint(rows: unknown): string {
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
}
