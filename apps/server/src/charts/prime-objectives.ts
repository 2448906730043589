import type { TopLevelSpec } from 'vega-lite';
import type { ChartRun } from './chart-data.js';
import { HIGHLIGHT_PARAMS, highlightOpacity } from './chart-highlight.js';
import { BUDGET_COLOR, CHART_CONFIG, budgetLabel } from './chart-style.js';

export const PRIME_BOUND_LABEL = 'bound K (valid, used in fits)';
export const PRIME_OBJECTIVE_LABEL = 'objective J (not a likelihood bound)';

/**
 * MDM-Prime-v2's two numbers side by side: K, the sub-token NELBO that fits and perplexities use, and J,
 * the published training objective, which can fall below the entropy and so must never be read as a loss.
 */
export function primeObjectivesSpec(runs: readonly ChartRun[]): TopLevelSpec {
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    if (run.model !== 'mdm-prime-v2') continue;
    const common = {
      runId: run.id,
      params: run.params,
      budgetFlops: run.budgetFlops,
      budgetLabel: budgetLabel(run.budgetFlops),
    };
    if (run.valLoss !== null)
      rows.push({ ...common, measure: PRIME_BOUND_LABEL, value: run.valLoss });
    if (run.primeObjective !== null) {
      rows.push({ ...common, measure: PRIME_OBJECTIVE_LABEL, value: run.primeObjective });
    }
  }
  return {
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
      width: 300,
      height: 220,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: {
            x: {
              field: 'params',
              type: 'quantitative',
              scale: { type: 'log' },
              title: 'parameters N',
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
            opacity: highlightOpacity(0.7, ['budgetLabel', 'runId']),
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
