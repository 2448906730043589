import type { TopLevelSpec } from 'vega-lite';
import type { ChartRun } from './chart-data.js';
import { COUNT_AXIS } from './chart-encodings.js';
import { HIGHLIGHT_PARAMS, highlightOpacity } from './chart-highlight.js';
import { BUDGET_COLOR, CHART_CONFIG, budgetLabel } from './chart-style.js';
import { mergeCoincidentPoints, runPointRows } from './coincident-points.js';

/** One measure's panel, in pixels. */
const WIDTH = 300;
const HEIGHT = 220;

export const PRIME_BOUND_LABEL = 'bound K (valid, used in fits)';
export const PRIME_OBJECTIVE_LABEL = 'objective J (not a likelihood bound)';

/**
 * MDM-Prime-v2's two numbers side by side: K, the sub-token NELBO that fits and perplexities use, and J,
 * the published training objective, which can fall below the entropy and so must never be read as a loss.
 * A row of panels per Prime variant a spec trains.
 */
export function primeObjectivesSpec(runs: readonly ChartRun[]): TopLevelSpec {
  const points: {
    runId: string;
    family: string;
    params: number;
    budgetFlops: number;
    budgetLabel: string;
    measure: string;
    value: number;
  }[] = [];
  for (const run of runs) {
    if (run.model !== 'mdm-prime-v2') continue;
    const common = {
      runId: run.id,
      family: run.family,
      params: run.params,
      budgetFlops: run.budgetFlops,
      budgetLabel: budgetLabel(run.budgetFlops),
    };
    if (run.valLoss !== null)
      points.push({ ...common, measure: PRIME_BOUND_LABEL, value: run.valLoss });
    if (run.primeObjective !== null) {
      points.push({ ...common, measure: PRIME_OBJECTIVE_LABEL, value: run.primeObjective });
    }
  }
  // Seeds on one spot of a panel are drawn once (and the budget's line passes through it once).
  const rows: Record<string, unknown>[] = runPointRows(
    mergeCoincidentPoints(points, {
      x: { value: (row) => row.params, scale: 'log', pixels: WIDTH },
      y: { value: (row) => row.value, scale: 'linear', pixels: HEIGHT },
      group: (row) => `${row.family}\u0000${row.budgetLabel}`,
      domainGroup: (row) => row.measure,
      rank: (row) => row.value,
    }),
  );
  const variants = [...new Set(rows.map((row) => row['family'] as string))].sort();
  const top = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'MDM-Prime-v2: bound K beside objective J',
      subtitle:
        'J is the published training objective, not an upper bound on NLL: never read it as a loss',
    },
    config: CHART_CONFIG,
    params: [...HIGHLIGHT_PARAMS],
    datasets: { prime: rows },
    data: { name: 'prime' },
  };
  if (variants.length <= 1) return { ...top, ...measurePanels() };
  // A row per Prime variant (the published one, one trained on K, ...): a budget's line joins one
  // variant's points only, and each variant's K and J share an axis of their own (J of a variant
  // trained on K can sit far above its K, and one axis for all would flatten every other row).
  return {
    ...top,
    vconcat: variants.map((variant) => ({
      title: { text: variant, fontSize: 12 },
      transform: [{ filter: { field: 'family', equal: variant } }],
      ...measurePanels(),
    })),
    resolve: { scale: { y: 'independent' } },
  };
}

type FacetPanels = Pick<Extract<TopLevelSpec, { facet: unknown }>, 'facet' | 'resolve' | 'spec'>;

/** K's panel and J's, side by side on one y axis, for the rows they are given. */
function measurePanels(): FacetPanels {
  return {
    facet: {
      column: {
        field: 'measure',
        type: 'nominal',
        title: null,
        sort: [PRIME_BOUND_LABEL, PRIME_OBJECTIVE_LABEL],
      },
    },
    resolve: { scale: { y: 'shared' } },
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: {
            x: {
              field: 'params',
              type: 'quantitative',
              scale: { type: 'log' },
              title: 'parameters N',
              axis: COUNT_AXIS,
            },
            y: {
              field: 'value',
              type: 'quantitative',
              scale: { zero: false },
              title: 'nats per token',
            },
            color: BUDGET_COLOR,
            opacity: highlightOpacity(0.6, ['budgetLabel']),
            detail: { field: 'budgetLabel' },
            strokeDash: {
              field: 'measure',
              type: 'nominal',
              legend: null,
              scale: {
                domain: [PRIME_BOUND_LABEL, PRIME_OBJECTIVE_LABEL],
                range: [
                  [1, 0],
                  [5, 3],
                ],
              },
            },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x: { field: 'params', type: 'quantitative', scale: { type: 'log' } },
            y: { field: 'value', type: 'quantitative', scale: { zero: false } },
            color: BUDGET_COLOR,
            opacity: highlightOpacity(0.7, ['budgetLabel', 'runIds']),
            shape: {
              field: 'measure',
              type: 'nominal',
              title: 'measure',
              scale: {
                domain: [PRIME_BOUND_LABEL, PRIME_OBJECTIVE_LABEL],
                range: ['circle', 'triangle-down'],
              },
            },
            tooltip: [
              { field: 'runId', title: 'run' },
              { field: 'family', title: 'variant' },
              { field: 'runsHere', title: 'runs on this spot' },
              { field: 'measure' },
              { field: 'params', title: 'N', format: '.3s' },
              { field: 'value', format: '.4f' },
            ],
          },
        },
      ],
    },
  };
}
