import { desc, eq, or, sql } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { RUN_STATES, runs, sweeps, type RunState, type SweepState } from '../schema.js';

export interface SweepStatus {
  id: string;
  name: string;
  state: SweepState;
  runs: Partial<Record<RunState, number>>;
}

/** Sweeps (one by id or name, or all) with their run counts per state, newest first. */
export function listSweepStatuses(store: Store, idOrName?: string): SweepStatus[] {
  const rows = store.db
    .select({ id: sweeps.id, name: sweeps.name, state: sweeps.state })
    .from(sweeps)
    .where(
      idOrName === undefined ? undefined : or(eq(sweeps.id, idOrName), eq(sweeps.name, idOrName)),
    )
    .orderBy(desc(sweeps.createdAt), desc(sweeps.id))
    .all();
  return rows.map((sweep) => ({ ...sweep, runs: countRunsByState(store, sweep.id) }));
}

export function countRunsByState(store: Store, sweepId: string): Partial<Record<RunState, number>> {
  const counts: Partial<Record<RunState, number>> = {};
  const grouped = store.db
    .select({ state: runs.state, count: sql<number>`count(*)` })
    .from(runs)
    .where(eq(runs.sweepId, sweepId))
    .groupBy(runs.state)
    .all();
  for (const state of RUN_STATES) {
    const row = grouped.find((entry) => entry.state === state);
    if (row) counts[state] = row.count;
  }
  return counts;
}
