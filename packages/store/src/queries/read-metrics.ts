import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
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

// For each run and kind: the first row at or after each of `buckets` evenly spaced steps, plus the last
// row. Each pick is one seek on the (run_id, kind, step) key, so the cost follows the rows returned, not the
// rows stored, and any logging cadence (every step, every k steps, irregular) is sampled evenly.
// CROSS JOIN fixes the join order (picked rows first): left to itself SQLite started from the sweep's
// runs and read every metric row of the sweep to keep the picked ones (510 ms at 1M rows, now 44 ms).
const CURVE_SAMPLES = `
WITH RECURSIVE bucket(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM bucket WHERE i + 1 < @buckets),
kinds(kind) AS (VALUES ('train'), ('eval')),
chosen AS (SELECT * FROM runs WHERE sweep_id = @sweepId AND id IN (SELECT value FROM json_each(@runIds))),
picked(run_id, kind, step) AS (
  SELECT r.id, kinds.kind, (SELECT m.step FROM metrics m WHERE m.run_id = r.id AND m.kind = kinds.kind
          AND m.step >= (r.steps * bucket.i) / @buckets ORDER BY m.step LIMIT 1)
  FROM chosen r, kinds, bucket
  UNION
  SELECT r.id, kinds.kind, (SELECT max(m.step) FROM metrics m WHERE m.run_id = r.id AND m.kind = kinds.kind)
  FROM chosen r, kinds
)
SELECT r.id AS runId, r.family AS family, r.budget_flops AS budgetFlops, r.params AS params, r.steps AS steps,
  r.tokens AS runTokens, r.achieved_flops AS achievedFlops, m.kind AS kind, m.step AS step, m.tokens AS tokens,
  CASE m.kind WHEN 'train' THEN m.loss ELSE m.val_loss END AS loss
FROM picked
CROSS JOIN metrics m ON m.run_id = picked.run_id AND m.kind = picked.kind AND m.step = picked.step
CROSS JOIN runs r ON r.id = m.run_id AND r.sweep_id = @sweepId
WHERE (CASE m.kind WHEN 'train' THEN m.loss ELSE m.val_loss END) IS NOT NULL
ORDER BY r.id, m.kind, m.step`;

const curveStatements = new WeakMap<Store, ReturnType<Store['sqlite']['prepare']>>();

/**
 * About `pointsPerRun` points of each kind for each of the given runs of a sweep, evenly spread over the
 * run's planned steps, plus each run's newest point so a live curve always reaches its latest value.
 * Sampling happens in SQLite, so the cost follows the points returned, not the metric rows stored.
 */
export function sweepCurveSamples(
  store: Store,
  sweepId: string,
  runIds: readonly string[],
  pointsPerRun: number,
): CurveSample[] {
  let statement = curveStatements.get(store);
  if (!statement) {
    statement = store.sqlite.prepare(CURVE_SAMPLES);
    curveStatements.set(store, statement);
  }
  return statement.all({
    sweepId,
    runIds: JSON.stringify(runIds),
    buckets: Math.max(1, Math.floor(pointsPerRun)),
  }) as CurveSample[];
}

/** A visible stretch of a loss chart's x axis: tokens seen, or compute spent (achieved·tokens/total). */
export interface CurveRange {
  axis: 'tokens' | 'flops';
  min: number;
  max: number;
}

// Every point of the given runs whose x lies in [@min, @max]. The step bounds, from each run's tokens per
// step (its planned tokens over its planned steps), let SQLite seek the (run_id, kind, step) key to the
// range instead of reading the run's every row; the exact filter on x follows.
const CURVE_RANGE = `
SELECT r.id AS runId, r.family AS family, r.budget_flops AS budgetFlops, r.params AS params, r.steps AS steps,
  r.tokens AS runTokens, r.achieved_flops AS achievedFlops, m.kind AS kind, m.step AS step, m.tokens AS tokens,
  CASE m.kind WHEN 'train' THEN m.loss ELSE m.val_loss END AS loss
FROM runs r
JOIN metrics m ON m.run_id = r.id AND m.kind IN ('train', 'eval')
  AND m.step >= CAST(@min * r.steps / (CASE @axis WHEN 'tokens' THEN r.tokens ELSE r.achieved_flops END) AS INTEGER) - 1
  AND m.step <= CAST(@max * r.steps / (CASE @axis WHEN 'tokens' THEN r.tokens ELSE r.achieved_flops END) AS INTEGER) + 1
WHERE r.sweep_id = @sweepId AND r.id IN (SELECT value FROM json_each(@runIds)) AND r.tokens > 0
  AND (CASE m.kind WHEN 'train' THEN m.loss ELSE m.val_loss END) IS NOT NULL
  AND (CASE @axis WHEN 'tokens' THEN m.tokens ELSE r.achieved_flops * m.tokens / r.tokens END)
    BETWEEN @min AND @max
ORDER BY r.id, m.kind, m.step`;

const rangeStatements = new WeakMap<Store, ReturnType<Store['sqlite']['prepare']>>();

/**
 * Every point of the given runs of a sweep inside `range`, each run's kinds in step order: what a loss
 * chart zoomed to that range shows before it is downsampled. The cost follows the rows in the range.
 */
export function sweepCurveRange(
  store: Store,
  sweepId: string,
  runIds: readonly string[],
  range: CurveRange,
): CurveSample[] {
  let statement = rangeStatements.get(store);
  if (!statement) {
    statement = store.sqlite.prepare(CURVE_RANGE);
    rangeStatements.set(store, statement);
  }
  return statement.all({
    sweepId,
    runIds: JSON.stringify(runIds),
    axis: range.axis,
    min: range.min,
    max: range.max,
  }) as CurveSample[];
}

/** One evaluation of a finished run, with the run's totals that turn its tokens into FLOPs. */
export interface EvalPoint {
  runId: string;
  tokens: number;
  valLoss: number;
  /** The run's planned tokens and its 6·N·D: compute at an evaluation is achievedFlops·tokens/runTokens. */
  runTokens: number;
  achievedFlops: number;
}

/** Every evaluation of a sweep's finished runs, each run's in step order. */
export function sweepEvalPoints(store: Store, sweepId: string): EvalPoint[] {
  return store.db
    .select({
      runId: metrics.runId,
      tokens: metrics.tokens,
      valLoss: sql<number>`${metrics.valLoss}`,
      runTokens: runs.tokens,
      achievedFlops: runs.achievedFlops,
    })
    .from(metrics)
    .innerJoin(runs, and(eq(runs.id, metrics.runId), eq(runs.sweepId, sweepId)))
    .where(and(eq(metrics.kind, 'eval'), eq(runs.state, 'done'), isNotNull(metrics.valLoss)))
    .orderBy(asc(metrics.runId), asc(metrics.step))
    .all();
}
