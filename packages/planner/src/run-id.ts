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
 * `<variant>-<16 hex>`: sha256 of everything that determines the run (not the sweep name), so
 * resubmitting a spec, or another sweep that contains the same run, never duplicates the work. A variant
 * named after its family is left out of the hash, so specs written before variants keep their run ids.
 */
export function runId(run: Omit<RunSpec, 'id' | 'sweepName'>): string {
  const { variant, ...rest } = run;
  const hashed = variant === run.family ? rest : run;
  const digest = createHash('sha256').update(canonicalJson(hashed)).digest('hex');
  return `${variant}-${digest.slice(0, 16)}`;
}
