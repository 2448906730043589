import {
  FitError,
  fitRuns,
  type Approach2Estimator,
  type FitDocument,
  type RunRow,
} from '@isoflop/fit';
import type { Family } from '@isoflop/planner';
import {
  latestFit,
  sweepCurveRange,
  sweepCurveSamples,
  sweepRunPoints,
  type CurveRange,
  type CurveSample,
  type RunPoint,
  type Store,
} from '@isoflop/store';
import type { ChartRun, CurvePoint } from '../charts/chart-data.js';
import type { ChartDefinition, ChartInputs } from '../charts/chart-registry.js';
import { selectCurveRuns } from './curve-runs.js';
import { downsampleMinMax } from './downsample-min-max.js';

/**
 * Curves and points a sweep-wide loss chart may hold. Past a few hundred lines a chart shows no more
 * than their envelope, and past ~10k points the page slows: a sweep of 10,000 runs and a million
 * metric rows is drawn from a spread-out subset of runs, each sampled evenly, while a small sweep shows
 * every run with up to MAX_POINTS_PER_RUN points per curve.
 */
export const MAX_CURVE_RUNS = 240;
export const CURVE_POINT_BUDGET = 12_000;
const MIN_POINTS_PER_RUN = 4;
const MAX_POINTS_PER_RUN = 200;

/**
 * Approach 2 alone by `estimator` over the rows the stored fit was computed from (no Approach 3, no run
 * bootstrap: milliseconds, fine on a request); undefined when those rows have no Approach 2.
 */
function compareFit(
  rows: readonly RunRow[],
  estimator: Approach2Estimator,
): FitDocument | undefined {
  try {
    return fitRuns(rows, { estimator, approach3: false });
  } catch (error) {
    if (error instanceof FitError && error.code === 'NOTHING_TO_FIT') return undefined;
    throw error;
  }
}

/**
 * Every point of the runs inside the visible range, then at most `perRun` of each run's curve by min and
 * max per bucket: zoomed in, a curve shows its spikes at full detail, and the chart stays as small as the
 * whole-sweep view.
 */
function rangeSamples(
  store: Store,
  sweepId: string,
  runIds: readonly string[],
  range: CurveRange,
  perRun: number,
): CurveSample[] {
  const groups = new Map<string, CurveSample[]>();
  for (const sample of sweepCurveRange(store, sweepId, runIds, range)) {
    const key = `${sample.runId}|${sample.kind}`;
    const group = groups.get(key);
    if (group) group.push(sample);
    else groups.set(key, [sample]);
  }
  return [...groups.values()].flatMap((group) =>
    downsampleMinMax(group, Math.max(2, perRun), (sample) => sample.loss),
  );
}

/** Reads from the store exactly what a chart needs and shapes it into the charts' plain inputs. */
export function loadChartInputs(
  store: Store,
  sweepId: string,
  chart: ChartDefinition,
  options: {
    compare?: Approach2Estimator | undefined;
    range?: CurveRange | undefined;
    /** The sweep's run points, where the caller keeps them (read from the store otherwise). */
    runPoints?: (() => RunPoint[]) | undefined;
  } = {},
): ChartInputs {
  const readRunPoints = options.runPoints ?? (() => sweepRunPoints(store, sweepId));
  const runRows = chart.needs.runs || chart.needs.curves ? readRunPoints() : [];
  const runs: ChartRun[] = runRows.map((run) => ({
    id: run.id,
    family: run.variant,
    model: run.family as Family,
    budgetFlops: run.budgetFlops,
    params: run.params,
    tokens: run.tokens,
    flops: run.achievedFlops,
    state: run.state,
    valLoss: run.valLoss,
    primeObjective: run.primeObjective,
  }));
  let curves: CurvePoint[] = [];
  let curveRuns = 0;
  if (chart.needs.curves && runRows.length > 0) {
    const chosen = selectCurveRuns(runRows, MAX_CURVE_RUNS);
    curveRuns = chosen.length;
    const perRun = Math.min(
      MAX_POINTS_PER_RUN,
      Math.max(MIN_POINTS_PER_RUN, Math.floor(CURVE_POINT_BUDGET / chosen.length / 2)),
    );
    const variantOf = new Map(runRows.map((run) => [run.id, run.variant]));
    const samples = options.range
      ? rangeSamples(store, sweepId, chosen, options.range, perRun)
      : sweepCurveSamples(store, sweepId, chosen, perRun);
    curves = samples.map((sample) => ({
      runId: sample.runId,
      family: variantOf.get(sample.runId) ?? sample.family,
      budgetFlops: sample.budgetFlops,
      params: sample.params,
      step: sample.step,
      tokens: sample.tokens,
      // Compute spent so far: the run's 6·N·D scaled by the share of its tokens seen.
      flops: sample.runTokens > 0 ? (sample.achievedFlops * sample.tokens) / sample.runTokens : 0,
      loss: sample.loss,
      series: sample.kind === 'train' ? 'train' : 'val',
    }));
  }
  const stored = chart.needs.fit ? latestFit(store, sweepId) : undefined;
  const fit = stored?.document as FitDocument | undefined;
  const compare =
    stored && options.compare ? compareFit(stored.data as RunRow[], options.compare) : undefined;
  return {
    runs: chart.needs.runs ? runs : [],
    curves,
    curveRuns: { shown: curveRuns, total: runRows.length },
    fit,
    compare,
  };
}
