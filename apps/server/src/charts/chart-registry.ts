import type { FitDocument } from '@isoflop/fit';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartRun, CurvePoint } from './chart-data.js';
import { familyComparisonSpec } from './family-comparison.js';
import { frontierSpec } from './frontier.js';
import { isoflopCurvesSpec } from './isoflop-curves.js';
import { isolossContoursSpec } from './isoloss-contours.js';
import { lossCurvesSpec } from './loss-curves.js';
import { primeObjectivesSpec } from './prime-objectives.js';
import { runStatesSpec } from './run-states.js';

/** What a chart is drawn from; a loader fills only the parts the chart `needs`. */
export interface ChartInputs {
  runs: readonly ChartRun[];
  curves: readonly CurvePoint[];
  /** How many runs the curves cover, of how many in the sweep (big sweeps draw a subset). */
  curveRuns: { shown: number; total: number };
  fit: FitDocument | undefined;
  /**
   * Approach 2 by another estimator over the same rows, when a chart is asked to compare (the frontier's
   * `?compare=ESTIMATOR`).
   */
  compare?: FitDocument | undefined;
}

export interface ChartDefinition {
  name: string;
  needs: { runs: boolean; curves: boolean; fit: boolean };
  /** The x axis of a loss chart, which a request may narrow to a visible range (`?xmin=&xmax=`). */
  rangeAxis?: 'tokens' | 'flops';
  build(inputs: ChartInputs): TopLevelSpec;
}

/** Every chart of the dashboard, in page order; the names are the URL names (`:name.svg`). */
export const CHARTS: readonly ChartDefinition[] = [
  {
    name: 'run-states',
    needs: { runs: true, curves: false, fit: false },
    build: (i) => runStatesSpec(i.runs),
  },
  {
    name: 'isoflop-curves',
    needs: { runs: true, curves: false, fit: true },
    build: (i) => isoflopCurvesSpec(i.runs, i.fit),
  },
  {
    name: 'frontier',
    needs: { runs: true, curves: false, fit: true },
    build: (i) => frontierSpec(i.fit, i.runs, i.compare),
  },
  {
    name: 'isoloss-contours',
    needs: { runs: true, curves: false, fit: true },
    build: (i) => isolossContoursSpec(i.runs, i.fit),
  },
  {
    name: 'family-comparison',
    needs: { runs: true, curves: false, fit: true },
    build: (i) => familyComparisonSpec(i.fit, i.runs),
  },
  {
    name: 'loss-tokens',
    needs: { runs: false, curves: true, fit: false },
    rangeAxis: 'tokens',
    build: (i) => lossCurvesSpec(i.curves, 'tokens', i.curveRuns),
  },
  {
    name: 'loss-flops',
    needs: { runs: false, curves: true, fit: false },
    rangeAxis: 'flops',
    build: (i) => lossCurvesSpec(i.curves, 'flops', i.curveRuns),
  },
  {
    name: 'prime-objectives',
    needs: { runs: true, curves: false, fit: false },
    build: (i) => primeObjectivesSpec(i.runs),
  },
];

export function chartByName(name: string): ChartDefinition | undefined {
  return CHARTS.find((chart) => chart.name === name);
}
