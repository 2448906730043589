import { createHash } from 'node:crypto';
import type { RunSpec } from './run-spec.js';

/** JSON with object keys sorted at every depth, so equal values always serialise to equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `<family>-<16 hex>`: sha256 of everything that determines the run (not the sweep name), so
 * resubmitting a spec, or another sweep that contains the same run, never duplicates the work.
 */
export function runId(run: Omit<RunSpec, 'id' | 'sweepName'>): string {
  const digest = createHash('sha256').update(canonicalJson(run)).digest('hex');
  return `${run.family}-${digest.slice(0, 16)}`;
}
