import { desc, eq, sql } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { runs, sweeps, type SweepState } from '../schema.js';

/** A sweep as the API lists it: its identity, state and how many runs are in each state. */
export interface SweepSummary {
  id: string;
  name: string;
  state: SweepState;
  runCount: number;
  runs: Record<string, number>;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** A sweep with its spec as submitted and the sizes the planner dropped. */
export interface SweepDetail extends SweepSummary {
  specText: string;
  specFormat: 'yaml' | 'json';
  spec: unknown;
  dropped: unknown;
}

const summaryColumns = {
  id: sweeps.id,
  name: sweeps.name,
  state: sweeps.state,
  runCount: sweeps.runCount,
  createdAt: sweeps.createdAt,
  updatedAt: sweeps.updatedAt,
  finishedAt: sweeps.finishedAt,
};

function runStateCounts(
  store: Store,
  sweepIds: readonly string[],
): Map<string, Record<string, number>> {
  const counts = new Map<string, Record<string, number>>();
  if (sweepIds.length === 0) return counts;
  const rows = store.db
    .select({ sweepId: runs.sweepId, state: runs.state, count: sql<number>`count(*)` })
    .from(runs)
    .where(sql`${runs.sweepId} in ${sweepIds}`)
    .groupBy(runs.sweepId, runs.state)
    .all();
  for (const row of rows) {
    const bySweep = counts.get(row.sweepId) ?? {};
    bySweep[row.state] = row.count;
    counts.set(row.sweepId, bySweep);
  }
  return counts;
}

/** Every sweep, newest first, with run counts per state. */
export function listSweeps(store: Store): SweepSummary[] {
  const rows = store.db
    .select(summaryColumns)
    .from(sweeps)
    .orderBy(desc(sweeps.createdAt), desc(sweeps.id))
    .all();
  const counts = runStateCounts(
    store,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({ ...row, runs: counts.get(row.id) ?? {} }));
}

/** One sweep by id, or undefined. */
export function getSweep(store: Store, sweepId: string): SweepDetail | undefined {
  const row = store.db
    .select({
      ...summaryColumns,
      specText: sweeps.specText,
      specFormat: sweeps.specFormat,
      spec: sweeps.spec,
      dropped: sweeps.dropped,
    })
    .from(sweeps)
    .where(eq(sweeps.id, sweepId))
    .get();
  if (!row) return undefined;
  return { ...row, runs: runStateCounts(store, [row.id]).get(row.id) ?? {} };
}
