import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { RUN_STATES_WITH_RESULT, runs, TERMINAL_RUN_STATES } from '../schema.js';

/** The fields of the planner's RunResult that the store records (the store may not import the planner). */
export interface RunResultRow {
  valLoss: number;
  valLossStdErr: number;
  primeObjective?: number | undefined;
  primeObjectiveStdErr?: number | undefined;
  finalTrainLoss: number;
  steps: number;
  tokens: number;
  wallSeconds: number;
  tokensPerSecond: number;
}

export interface RunFailure {
  state: 'failed' | 'diverged' | 'cancelled';
  error: string;
  divergedStep?: number | undefined;
  attempts?: number | undefined;
}

function sweepIdsOf(rows: { sweepId: string }[]): string[] {
  return [...new Set(rows.map((row) => row.sweepId))];
}

/**
 * Marks a sweep's runs as handed to the queue. Runs that ended with a result or a divergence stay as
 * they are, and so do running ones (resubmitting while a run trains must not hide that it trains).
 */
export function markRunsQueued(store: Store, runIds: readonly string[], sweepId: string): void {
  const at = Date.now();
  for (let start = 0; start < runIds.length; start += 500) {
    store.db
      .update(runs)
      .set({ state: 'queued', queuedAt: at, error: null })
      .where(
        and(
          eq(runs.sweepId, sweepId),
          inArray(runs.id, runIds.slice(start, start + 500)),
          notInArray(runs.state, [...RUN_STATES_WITH_RESULT, 'running']),
        ),
      )
      .run();
  }
}

/** A worker picked the run up. Only unfinished rows change. Returns the sweeps whose rows changed. */
export function markRunRunning(
  store: Store,
  runId: string,
  details: { worker?: string | undefined; attempts?: number | undefined; startedAt: number },
): string[] {
  const changed = store.db
    .update(runs)
    .set({
      state: 'running',
      startedAt: details.startedAt,
      ...(details.attempts === undefined ? {} : { attempts: details.attempts }),
      ...(details.worker === undefined ? {} : { worker: details.worker }),
    })
    .where(and(eq(runs.id, runId), notInArray(runs.state, [...TERMINAL_RUN_STATES])))
    .returning({ sweepId: runs.sweepId })
    .all();
  return sweepIdsOf(changed);
}

/**
 * A running run handed back to the queue (a transient failure the queue retries, a stall, a worker
 * that returned it): it goes back to queued with its attempt count. Only a running run changes, so the
 * same hand-back seen twice (a reconcile after an outage, then BullMQ's stall event) is recorded once.
 */
export function markRunRetrying(
  store: Store,
  runId: string,
  attempts: number,
  error: string,
): string[] {
  const changed = store.db
    .update(runs)
    .set({ state: 'queued', attempts, error })
    .where(and(eq(runs.id, runId), eq(runs.state, 'running')))
    .returning({ sweepId: runs.sweepId })
    .all();
  return sweepIdsOf(changed);
}

/** Records the latest training step of running runs (progress display only). */
export function setRunLastStep(store: Store, runId: string, step: number): void {
  store.db
    .update(runs)
    .set({ lastStep: step })
    .where(and(eq(runs.id, runId), eq(runs.state, 'running')))
    .run();
}

/**
 * Records a run's result once: rows already `done` are not touched, so a result seen twice (a queue event
 * and a reconcile, or a replayed event) changes nothing the second time. Returns the sweeps whose rows
 * changed, for events and fit refreshes.
 */
export function recordRunResult(
  store: Store,
  runId: string,
  result: RunResultRow,
  finishedAt: number,
): string[] {
  const changed = store.db
    .update(runs)
    .set({
      state: 'done',
      finishedAt,
      error: null,
      lastStep: result.steps,
      valLoss: result.valLoss,
      valLossStdErr: result.valLossStdErr,
      primeObjective: result.primeObjective ?? null,
      primeObjectiveStdErr: result.primeObjectiveStdErr ?? null,
      finalTrainLoss: result.finalTrainLoss,
      trainedSteps: result.steps,
      trainedTokens: result.tokens,
      wallSeconds: result.wallSeconds,
      tokensPerSecond: result.tokensPerSecond,
    })
    .where(and(eq(runs.id, runId), sql`${runs.state} != 'done'`))
    .returning({ sweepId: runs.sweepId })
    .all();
  return sweepIdsOf(changed);
}

/** Records a permanent end without a result, once (finished rows are left alone). */
export function recordRunFailure(
  store: Store,
  runId: string,
  failure: RunFailure,
  finishedAt: number,
): string[] {
  const changed = store.db
    .update(runs)
    .set({
      state: failure.state,
      error: failure.error,
      divergedStep: failure.divergedStep ?? null,
      finishedAt,
      ...(failure.attempts === undefined ? {} : { attempts: failure.attempts }),
    })
    .where(and(eq(runs.id, runId), notInArray(runs.state, [...TERMINAL_RUN_STATES])))
    .returning({ sweepId: runs.sweepId })
    .all();
  return sweepIdsOf(changed);
}

/** Cancels a sweep's unfinished runs; returns the ids that were cancelled. */
export function cancelSweepRuns(store: Store, sweepId: string, finishedAt: number): string[] {
  return store.db
    .update(runs)
    .set({ state: 'cancelled', error: 'cancelled by user', finishedAt })
    .where(and(eq(runs.sweepId, sweepId), notInArray(runs.state, [...TERMINAL_RUN_STATES])))
    .returning({ id: runs.id })
    .all()
    .map((row) => row.id);
}
