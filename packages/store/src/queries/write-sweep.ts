import { eq, sql } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { FINAL_SWEEP_STATES, isStateIn, runs, sweeps, type SweepState } from '../schema.js';

export interface NewSweep {
  id: string;
  name: string;
  specText: string;
  specFormat: 'yaml' | 'json';
  /** The validated spec (stored as canonical JSON). */
  spec: unknown;
  dropped: unknown[];
}

/** The columns of a planned run; `spec` is the whole RunSpec the worker receives. */
export type NewRun = Pick<
  typeof runs.$inferInsert,
  | 'id'
  | 'family'
  | 'budgetFlops'
  | 'achievedFlops'
  | 'params'
  | 'exactParams'
  | 'tokens'
  | 'steps'
  | 'batchSize'
  | 'dModel'
  | 'nLayers'
  | 'nHeads'
  | 'seqLen'
  | 'spec'
>;

const INSERT_RUN = `
INSERT OR IGNORE INTO runs (sweep_id, id, family, budget_flops, achieved_flops, params, exact_params, tokens, steps,
  batch_size, d_model, n_layers, n_heads, seq_len, spec, state)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned')`;

/**
 * Stores a sweep and its planned runs in one transaction. A sweep already stored (same id: same spec) is
 * left as it is and `created` is false, so resubmitting resumes rather than duplicating.
 */
export function insertSweep(
  store: Store,
  sweep: NewSweep,
  plannedRuns: readonly NewRun[],
): { created: boolean } {
  return store.sqlite.transaction(() => {
    const existing = store.db
      .select({ id: sweeps.id })
      .from(sweeps)
      .where(eq(sweeps.id, sweep.id))
      .get();
    if (existing) return { created: false };
    const at = Date.now();
    store.db
      .insert(sweeps)
      .values({
        ...sweep,
        state: 'queued',
        runCount: plannedRuns.length,
        createdAt: at,
        updatedAt: at,
      })
      .run();
    insertRunRows(store, sweep.id, plannedRuns);
    return { created: true };
  })();
}

/** Inserts planned rows, skipping ids the sweep has; returns the ids inserted. */
function insertRunRows(store: Store, sweepId: string, plannedRuns: readonly NewRun[]): string[] {
  // One prepared statement per row beats the query builder by far on 10,000-run sweeps.
  const insertRun = store.sqlite.prepare(INSERT_RUN);
  const inserted: string[] = [];
  for (const run of plannedRuns) {
    const { changes } = insertRun.run(
      sweepId,
      run.id,
      run.family,
      run.budgetFlops,
      run.achievedFlops,
      run.params,
      run.exactParams,
      run.tokens,
      run.steps,
      run.batchSize,
      run.dModel,
      run.nLayers,
      run.nHeads,
      run.seqLen,
      JSON.stringify(run.spec),
    );
    if (changes > 0) inserted.push(run.id);
  }
  return inserted;
}

/**
 * Adds planned runs to a stored sweep (the adaptive step's additions) and counts them in its run count.
 * Ids the sweep already has are skipped, so a step replayed after a restart adds nothing twice; returns
 * the ids that were new. Call inside the caller's transaction, with the events that explain the runs.
 */
export function addSweepRuns(store: Store, sweepId: string, newRuns: readonly NewRun[]): string[] {
  const inserted = insertRunRows(store, sweepId, newRuns);
  if (inserted.length > 0) {
    store.db
      .update(sweeps)
      .set({ runCount: sql`${sweeps.runCount} + ${inserted.length}`, updatedAt: Date.now() })
      .where(eq(sweeps.id, sweepId))
      .run();
  }
  return inserted;
}

/** Sets a sweep's state (and its finish time when it reaches a final state). */
export function setSweepState(store: Store, sweepId: string, state: SweepState): void {
  const at = Date.now();
  const finished = isStateIn(FINAL_SWEEP_STATES, state);
  store.db
    .update(sweeps)
    .set({ state, updatedAt: at, finishedAt: finished ? at : null })
    .where(eq(sweeps.id, sweepId))
    .run();
}
