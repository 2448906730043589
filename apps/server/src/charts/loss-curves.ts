import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint } from './chart-data.js';
import { FLOPS_AXIS, COUNT_AXIS } from './chart-encodings.js';
import { HIGHLIGHT_PARAMS, highlightOpacity } from './chart-highlight.js';
import {
  BUDGET_COLOR,
  CHART_CONFIG,
  LOSS_TITLE,
  budgetLabel,
  familyPanels,
} from './chart-style.js';
import { simplifyOnFrame, type LogLogFrame } from './curve-simplify.js';

export type LossCurveAxis = 'tokens' | 'flops';

/** The x-axis zoom of a loss chart, by the name the page listens to. */
const ZOOM_PARAM = 'zoom';
/** One family's panel, in pixels. */
const WIDTH = 300;
const HEIGHT = 220;

const AXIS_TITLE: Record<LossCurveAxis, string> = {
  tokens: 'tokens seen D',
  flops: 'training compute (FLOPs, 6·N·tokens)',
};

/**
 * Training loss (faint) and evaluated bound (bold) of every run against tokens or FLOPs, one panel per
 * family, coloured by budget. The points are expected sampled or downsampled already; of a training
 * curve the spec keeps the points that bend it by half a pixel or more on its panel (curve-simplify.ts),
 * and every evaluation.
 *
 * Each curve is drawn as segments from one point to the next (every row carries its successor as
 * `x2`/`loss2`, the last none): a vega line per run is a group with its own dataflow, and at 240 runs
 * those groups cost the page's thread a third of the chart's drawing.
 */
export function lossCurvesSpec(
  points: readonly CurvePoint[],
  axis: LossCurveAxis,
  coverage: { shown: number; total: number },
): TopLevelSpec {
  const rows = curveRows(points, axis);
  const subset =
    coverage.shown < coverage.total
      ? ` · ${coverage.shown} of ${coverage.total} runs, spread over budgets and sizes`
      : '';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: axis === 'tokens' ? 'Loss curves against tokens' : 'Loss curves against compute',
      subtitle: `faint: training loss · bold: evaluated bound (K for MDM-Prime-v2)${subset}`,
    },
    config: CHART_CONFIG,
    params: [...HIGHLIGHT_PARAMS],
    datasets: { curves: rows },
    data: { name: 'curves' },
    ...familyPanels(rows.map((row) => row.family)),
    resolve: { scale: { x: 'shared', y: 'shared' } },
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          transform: [{ filter: "datum.series === 'train' && datum.x2 != null" }],
          // Wheel zooms and drag pans the x axis (double-click resets); the page then asks for the
          // visible range at full detail.
          params: [
            { name: ZOOM_PARAM, select: { type: 'interval', encodings: ['x'] }, bind: 'scales' },
          ],
          mark: { type: 'rule', strokeWidth: 1, clip: true },
          encoding: {
            x: {
              field: 'x',
              type: 'quantitative',
              scale: { type: 'log' },
              title: AXIS_TITLE[axis],
              axis: axis === 'tokens' ? COUNT_AXIS : FLOPS_AXIS,
            },
            // Log scale: early diffusion training losses (1/t-weighted) spike tens of times above the
            // bound, and a linear axis flattens every curve that matters.
            y: {
              field: 'loss',
              type: 'quantitative',
              scale: { type: 'log', nice: false },
              title: LOSS_TITLE,
            },
            x2: { field: 'x2' },
            y2: { field: 'loss2' },
            color: BUDGET_COLOR,
            opacity: highlightOpacity(0.35, ['budgetLabel', 'runId']),
          },
        },
        {
          transform: [{ filter: "datum.series === 'val' && datum.x2 != null" }],
          mark: { type: 'rule', strokeWidth: 2, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: { type: 'log' } },
            y: { field: 'loss', type: 'quantitative', scale: { type: 'log', nice: false } },
            x2: { field: 'x2' },
            y2: { field: 'loss2' },
            color: BUDGET_COLOR,
            opacity: highlightOpacity(1, ['budgetLabel', 'runId']),
          },
        },
        {
          transform: [{ filter: "datum.series === 'val'" }],
          mark: { type: 'point', filled: true, size: 14, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: { type: 'log' } },
            y: { field: 'loss', type: 'quantitative', scale: { type: 'log', nice: false } },
            color: BUDGET_COLOR,
            opacity: highlightOpacity(1, ['budgetLabel', 'runId']),
            tooltip: [
              { field: 'runId', title: 'run' },
              { field: 'budgetLabel', title: 'budget' },
              { field: 'x', title: axis, format: '.3s' },
              { field: 'loss', title: 'bound', format: '.4f' },
            ],
          },
        },
      ],
    },
  };
}

interface CurveRow {
  runId: string;
  family: string;
  budgetFlops: number;
  budgetLabel: string;
  series: CurvePoint['series'];
  x: number;
  loss: number;
  /** The curve's next point, which this row's segment runs to; absent on its last point. */
  x2?: number;
  loss2?: number;
}

/**
 * Every drawable point, each curve (a run's series) in x order and linked to its next point. Only what
 * the marks use: a big sweep's chart carries tens of thousands of these rows.
 */
function curveRows(points: readonly CurvePoint[], axis: LossCurveAxis): CurveRow[] {
  const curves = new Map<string, CurveRow[]>();
  for (const p of points) {
    if (!(p[axis] > 0) || !(p.loss > 0) || !Number.isFinite(p.loss)) continue;
    const key = `${p.runId}\u0000${p.series}`;
    let curve = curves.get(key);
    if (!curve) curves.set(key, (curve = []));
    curve.push({
      runId: p.runId,
      family: p.family,
      budgetFlops: p.budgetFlops,
      budgetLabel: budgetLabel(p.budgetFlops),
      series: p.series,
      x: p[axis],
      loss: p.loss,
    });
  }
  // The panels' shared scales span every point drawn (and are rounded outwards from there).
  let [xLow, xHigh, yLow, yHigh] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const curve of curves.values()) {
    for (const { x, loss } of curve) {
      [xLow, xHigh] = [Math.min(xLow, x), Math.max(xHigh, x)];
      [yLow, yHigh] = [Math.min(yLow, loss), Math.max(yHigh, loss)];
    }
  }
  const frame: LogLogFrame = { x: [xLow, xHigh], y: [yLow, yHigh], width: WIDTH, height: HEIGHT };
  const rows: CurveRow[] = [];
  for (const points of curves.values()) {
    points.sort((a, b) => a.x - b.x);
    // Training curves keep the points that shape them at the panel's size; every evaluation is marked.
    const curve =
      points[0]?.series === 'train'
        ? simplifyOnFrame(points, (row) => ({ x: row.x, y: row.loss }), frame)
        : points;
    curve.forEach((row, i) => {
      const next = curve[i + 1];
      rows.push(next ? { ...row, x2: next.x, loss2: next.loss } : row);
    });
  }
  return rows;
}
