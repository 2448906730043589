import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint } from './chart-data.js';
import { HIGHLIGHT_PARAMS, highlightOpacity } from './chart-highlight.js';
import { BUDGET_COLOR, CHART_CONFIG, LOSS_TITLE, budgetLabel } from './chart-style.js';

export type LossCurveAxis = 'tokens' | 'flops';

/** The x-axis zoom of a loss chart, by the name the page listens to. */
const ZOOM_PARAM = 'zoom';

const AXIS_TITLE: Record<LossCurveAxis, string> = {
  tokens: 'tokens seen D',
  flops: 'training compute (FLOPs, 6·N·tokens)',
};

/**
 * Training loss (faint) and evaluated bound (bold) of every run against tokens or FLOPs, one panel per
 * family, coloured by budget. The points are expected downsampled already: the spec draws what it gets.
 */
export function lossCurvesSpec(
  points: readonly CurvePoint[],
  axis: LossCurveAxis,
  coverage: { shown: number; total: number },
): TopLevelSpec {
  // Only what the marks use: a big sweep's chart carries tens of thousands of these rows.
  const rows = points
    .filter((p) => p[axis] > 0 && Number.isFinite(p.loss))
    .map((p) => ({
      runId: p.runId,
      family: p.family,
      budgetFlops: p.budgetFlops,
      budgetLabel: budgetLabel(p.budgetFlops),
      series: p.series,
      x: p[axis],
      loss: p.loss,
    }));
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
    facet: { column: { field: 'family', type: 'nominal', title: null } },
    resolve: { scale: { x: 'shared', y: 'shared' } },
    spec: {
      width: 300,
      height: 220,
      layer: [
        {
          transform: [{ filter: "datum.series === 'train'" }],
          // Wheel zooms and drag pans the x axis (double-click resets); the page then asks for the
          // visible range at full detail.
          params: [
            { name: ZOOM_PARAM, select: { type: 'interval', encodings: ['x'] }, bind: 'scales' },
          ],
          mark: { type: 'line', strokeWidth: 1, clip: true },
          encoding: {
            x: {
              field: 'x',
              type: 'quantitative',
              scale: { type: 'log' },
              title: AXIS_TITLE[axis],
            },
            // Log scale: early diffusion training losses (1/t-weighted) spike tens of times above the
            // bound, and a linear axis flattens every curve that matters.
            y: {
              field: 'loss',
              type: 'quantitative',
              scale: { type: 'log', nice: false },
              title: LOSS_TITLE,
            },
            color: BUDGET_COLOR,
            opacity: highlightOpacity(0.35, ['budgetLabel', 'runId']),
            detail: { field: 'runId' },
            order: { field: 'x' },
          },
        },
        {
          transform: [{ filter: "datum.series === 'val'" }],
          mark: { type: 'line', strokeWidth: 2, point: { size: 14 }, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: { type: 'log' } },
            y: { field: 'loss', type: 'quantitative', scale: { type: 'log', nice: false } },
            color: BUDGET_COLOR,
            opacity: highlightOpacity(1, ['budgetLabel', 'runId']),
            detail: { field: 'runId' },
            order: { field: 'x' },
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
