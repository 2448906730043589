import { and, asc, eq, sql } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { metrics, runs, type MetricKind } from '../schema.js';

/** One stored metric row of a run: a training step (loss, lr, ...) or an evaluation (valLoss, J). */
export interface StoredMetric {
  kind: MetricKind;
  step: number;
  tokens: number;
  loss: number | null;
  lr: number | null;
  tokensPerSecond: number | null;
  gradNorm: number | null;
  valLoss: number | null;
  valLossStdErr: number | null;
  primeObjective: number | null;
  primeObjectiveStdErr: number | null;
  recordedAt: number;
}

/** Every metric row of a run, training steps first, each kind in step order. */
export function runMetrics(store: Store, runId: string): StoredMetric[] {
  return store.db
    .select({
      kind: metrics.kind,
      step: metrics.step,
      tokens: metrics.tokens,
      loss: metrics.loss,
      lr: metrics.lr,
      tokensPerSecond: metrics.tokensPerSecond,
      gradNorm: metrics.gradNorm,
      valLoss: metrics.valLoss,
      valLossStdErr: metrics.valLossStdErr,
      primeObjective: metrics.primeObjective,
      primeObjectiveStdErr: metrics.primeObjectiveStdErr,
      recordedAt: metrics.recordedAt,
    })
    .from(metrics)
    .where(eq(metrics.runId, runId))
    .orderBy(sql`${metrics.kind} = 'eval'`, asc(metrics.step))
    .all();
}

/** A sampled curve point with the run's grid position, ready for a sweep-wide loss chart. */
export interface CurveSample {
  runId: string;
  family: string;
  budgetFlops: number;
  params: number;
  /** The run's planned steps and tokens, to turn a step's tokens into FLOPs (achieved·tokens/total). */
  steps: number;
  runTokens: number;
  achievedFlops: number;
  kind: MetricKind;
  step: number;
  tokens: number;
  /** Training loss for 'train' rows, the evaluated bound for 'eval' rows. */
  loss: number;
}

/**
 * About `pointsPerRun` points of each kind per run of a sweep, by a stride over the run's planned steps,
 * plus each run's last reported step and final evaluation, so a live curve always reaches its newest value. Sampling happens
 * in SQLite: a sweep-wide chart of 10,000 runs and a million metric rows reads tens of thousands of rows.
 */
export function sweepCurveSamples(store: Store, sweepId: string, pointsPerRun: number): CurveSample[] {
  const stride = sql`max(1, ${runs.steps} / ${Math.max(1, Math.floor(pointsPerRun))})`;
  const value = sql<number>`case ${metrics.kind} when 'train' then ${metrics.loss} else ${metrics.valLoss} end`;
  return store.db
    .select({
      runId: runs.id,
      family: runs.family,
      budgetFlops: runs.budgetFlops,
      params: runs.params,
      steps: runs.steps,
      runTokens: runs.tokens,
      achievedFlops: runs.achievedFlops,
      kind: metrics.kind,
      step: metrics.step,
      tokens: metrics.tokens,
      loss: value,
    })
    .from(runs)
    .innerJoin(metrics, eq(metrics.runId, runs.id))
    .where(
      and(
        eq(runs.sweepId, sweepId),
        sql`${value} is not null`,
        sql`(${metrics.step} % ${stride} = 0 or ${metrics.step} = ${runs.lastStep} or ${metrics.step} >= ${runs.steps})`,
      ),
    )
    .orderBy(asc(runs.id), asc(metrics.kind), asc(metrics.step))
    .all();
}
