import type { FitDocument } from '@isoflop/fit';
import type { Family } from '@isoflop/planner';
import { latestFit, sweepCurveSamples, sweepRuns, type Store } from '@isoflop/store';
import type { ChartRun, CurvePoint } from '../charts/chart-data.js';
import type { ChartDefinition, ChartInputs } from '../charts/chart-registry.js';

/**
 * Points a sweep-wide loss chart may hold in total. Vega draws ~50k line points without freezing the
 * page; each run gets an equal share (at least its first, last and a middle point), so 10,000 runs and a
 * million stored metric rows still render, while a small sweep shows every point of its curves.
 */
export const CURVE_POINT_BUDGET = 40_000;
const MIN_POINTS_PER_RUN = 3;
const MAX_POINTS_PER_RUN = 400;

/** Reads from the store exactly what a chart needs and shapes it into the charts' plain inputs. */
export function loadChartInputs(
  store: Store,
  sweepId: string,
  chart: ChartDefinition,
): ChartInputs {
  const runRows = chart.needs.runs || chart.needs.curves ? sweepRuns(store, sweepId) : [];
  const runs: ChartRun[] = runRows.map((run) => ({
    id: run.id,
    family: run.family as Family,
    budgetFlops: run.budgetFlops,
    params: run.params,
    tokens: run.tokens,
    flops: run.achievedFlops,
    state: run.state,
    valLoss: run.valLoss,
    primeObjective: run.primeObjective,
  }));
  let curves: CurvePoint[] = [];
  if (chart.needs.curves && runRows.length > 0) {
    const perRun = Math.min(
      MAX_POINTS_PER_RUN,
      Math.max(MIN_POINTS_PER_RUN, Math.floor(CURVE_POINT_BUDGET / runRows.length / 2)),
    );
    curves = sweepCurveSamples(store, sweepId, perRun).map((sample) => ({
      runId: sample.runId,
      family: sample.family as Family,
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
  const fit = chart.needs.fit
    ? (latestFit(store, sweepId)?.document as FitDocument | undefined)
    : undefined;
  return { runs: chart.needs.runs ? runs : [], curves, fit };
}
