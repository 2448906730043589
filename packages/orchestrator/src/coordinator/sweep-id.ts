import { createHash } from 'node:crypto';
import { canonicalJson, type SweepSpec } from '@isoflop/planner';

/** `sweep-<16 hex>` from the canonical validated spec: the same spec always gets the same id (resume). */
export function sweepIdOf(spec: SweepSpec): string {
  return `sweep-${createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16)}`;
}
