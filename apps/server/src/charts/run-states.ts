import { RUN_STATES, type RunState } from '@isoflop/store';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartRun } from './chart-data.js';
import { HIGHLIGHT_PARAMS, highlightOpacity } from './chart-highlight.js';
import { CHART_CONFIG, budgetLabel, familyPanels } from './chart-style.js';

/** States in the order a run moves through them, each with its colour (the page uses the same). */
const STATE_ORDER: readonly RunState[] = RUN_STATES;
const STATE_COLORS: Record<RunState, string> = {
  planned: '#d5dae1',
  queued: '#9aa4b2',
  running: '#3b82c4',
  done: '#3a9a5b',
  failed: '#c8453b',
  diverged: '#e07b28',
  cancelled: '#6b7280',
};

/**
 * Run counts per budget and state, one panel per family: scales to any sweep size, since it draws
 * one bar segment per (family, budget, state) and not one mark per run.
 */
export function runStatesSpec(runs: readonly ChartRun[]): TopLevelSpec {
  const counts = new Map<
    string,
    { family: string; budgetFlops: number; state: string; count: number }
  >();
  for (const run of runs) {
    const key = `${run.family}|${run.budgetFlops}|${run.state}`;
    const row = counts.get(key);
    if (row) row.count += 1;
    else
      counts.set(key, {
        family: run.family,
        budgetFlops: run.budgetFlops,
        state: run.state,
        count: 1,
      });
  }
  const rows = [...counts.values()].map((row) => ({
    ...row,
    budgetLabel: budgetLabel(row.budgetFlops),
    stateRank: rank(row.state),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Runs by state', subtitle: `${runs.length} runs` },
    config: CHART_CONFIG,
    params: [...HIGHLIGHT_PARAMS],
    datasets: { states: rows },
    data: { name: 'states' },
    ...familyPanels(runs.map((run) => run.family)),
    spec: {
      width: 220,
      height: 160,
      mark: { type: 'bar', cornerRadiusEnd: 2 },
      encoding: {
        x: {
          field: 'budgetLabel',
          type: 'ordinal',
          sort: { field: 'budgetFlops' },
          title: 'budget C (FLOPs)',
          axis: { labelAngle: 0 },
        },
        y: {
          field: 'count',
          type: 'quantitative',
          stack: true,
          title: 'runs',
          axis: { tickMinStep: 1 },
        },
        color: {
          field: 'state',
          type: 'nominal',
          title: 'state',
          scale: {
            domain: [...STATE_ORDER],
            range: STATE_ORDER.map((state) => STATE_COLORS[state]),
          },
        },
        opacity: highlightOpacity(1, ['budgetLabel']),
        order: { field: 'stateRank' },
        tooltip: [
          { field: 'budgetLabel', title: 'budget' },
          { field: 'state' },
          { field: 'count', title: 'runs' },
        ],
      },
    },
  };
}

function rank(state: string): number {
  return STATE_ORDER.indexOf(state as RunState);
}
