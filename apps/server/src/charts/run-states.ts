import type { TopLevelSpec } from 'vega-lite';
import type { ChartRun } from './chart-data.js';
import { CHART_CONFIG, budgetLabel } from './chart-style.js';

/** States in the order a run moves through them; unknown states sort after these. */
const STATE_ORDER = ['queued', 'running', 'completed', 'failed', 'cancelled'];
const STATE_COLORS = ['#b9c2cf', '#3b82c4', '#3a9a5b', '#c8453b', '#8a8f99'];

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
  const states = [...new Set([...STATE_ORDER, ...rows.map((r) => r.state)])];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Runs by state', subtitle: `${runs.length} runs` },
    config: CHART_CONFIG,
    datasets: { states: rows },
    data: { name: 'states' },
    facet: { column: { field: 'family', type: 'nominal', title: null } },
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
          scale: { domain: states, range: [...STATE_COLORS, '#d6a23c', '#7b5ea7'] },
        },
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
  const index = STATE_ORDER.indexOf(state);
  return index === -1 ? STATE_ORDER.length : index;
}
