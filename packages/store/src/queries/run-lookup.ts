import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { runs, sweeps, TERMINAL_RUN_STATES, type RunState } from '../schema.js';

export type RunRow = typeof runs.$inferSelect;
export type SweepRow = typeof sweeps.$inferSelect;

export function findSweep(store: Store, idOrName: string): SweepRow | undefined {
  return (
    store.db.select().from(sweeps).where(eq(sweeps.id, idOrName)).get() ??
    store.db
      .select()
      .from(sweeps)
      .where(eq(sweeps.name, idOrName))
      .orderBy(sweeps.createdAt)
      .all()
      .at(-1)
  );
}

export function listSweepRuns(
  store: Store,
  sweepId: string,
  states?: readonly RunState[],
): RunRow[] {
  return store.db
    .select()
    .from(runs)
    .where(
      and(
        eq(runs.sweepId, sweepId),
        states === undefined ? undefined : inArray(runs.state, [...states]),
      ),
    )
    .all();
}

/** Rows of one run id across sweeps (a run shared by two sweeps has two rows). */
export function findRunRows(store: Store, runId: string): RunRow[] {
  return store.db.select().from(runs).where(eq(runs.id, runId)).all();
}

/** Runs of every sweep that are not finished: what a reconcile must look up in the queue. */
export function listUnfinishedRuns(
  store: Store,
): { sweepId: string; id: string; state: RunState }[] {
  return store.db
    .select({ sweepId: runs.sweepId, id: runs.id, state: runs.state })
    .from(runs)
    .where(notInArray(runs.state, [...TERMINAL_RUN_STATES]))
    .all();
}
