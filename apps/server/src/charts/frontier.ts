import type { FitDocument } from '@isoflop/fit';
import type { TopLevelSpec } from 'vega-lite';
import { frontierBudgets, type ChartRun } from './chart-data.js';
import { figure, finite } from './chart-format.js';
import { computeX, COUNT_AXIS, frontierLayers, VEGA_LITE_SCHEMA } from './chart-encodings.js';
import { CHART_CONFIG, FAMILY_COLOR, logSpace } from './chart-style.js';

const LINE_POINTS = 40;
const WIDTH = 380;
const HEIGHT = 270;
const N_OPT = 'N_opt (parameters)';
const D_OPT = 'D_opt (tokens)';

/**
 * The compute-optimal frontier: N_opt and D_opt against C per family. Approach 2's per-budget optima are
 * points (with bootstrap intervals as error bars) on their fitted power law (solid); Approach 3's closed
 * form N_opt = G·(C/6)^a is drawn beside them (dashed). Exponents and their intervals are labelled, with
 * the Approach-2 estimator named. `runs` give the budgets of families that have Approach 3 only (every
 * Approach-2 vertex flagged). `compare`, Approach 2 by another estimator over the same runs, adds its
 * power laws (dotted) and exponents, so the two estimators' lines can be told apart.
 */
export function frontierSpec(
  fit: FitDocument | undefined,
  runs: readonly ChartRun[] = [],
  compare?: FitDocument,
): TopLevelSpec {
  const rows: Record<string, unknown>[] = [];
  const labels: Record<string, unknown>[] = [];
  const families = Object.entries(fit?.families ?? {});
  families.forEach(([family, familyFit], index) => {
    const a2 = familyFit.approach2;
    const a3 = familyFit.approach3;
    const other = compare?.families[family]?.approach2;
    const budgets = frontierBudgets(family, familyFit, runs);
    const span = budgets.length > 0 ? [Math.min(...budgets), Math.max(...budgets)] : undefined;
    for (const budget of a2?.budgets ?? []) {
      rows.push({
        kind: 'a2',
        family,
        quantity: N_OPT,
        c: budget.budget,
        value: budget.n_opt,
        lo: budget.n_opt_ci?.[0] ?? budget.n_opt,
        hi: budget.n_opt_ci?.[1] ?? budget.n_opt,
      });
      rows.push({
        kind: 'a2',
        family,
        quantity: D_OPT,
        c: budget.budget,
        value: budget.d_opt,
        lo: budget.d_opt_ci?.[0] ?? budget.d_opt,
        hi: budget.d_opt_ci?.[1] ?? budget.d_opt,
      });
    }
    if (span) {
      const cs = logSpace(span[0]! / 2, span[1]! * 2, LINE_POINTS);
      if (
        a2 &&
        finite(a2.a) &&
        finite(a2.n_opt_coefficient) &&
        finite(a2.b) &&
        finite(a2.d_opt_coefficient)
      ) {
        for (const c of cs) {
          rows.push({
            kind: 'a2-law',
            family,
            quantity: N_OPT,
            c,
            value: a2.n_opt_coefficient * c ** a2.a,
          });
          rows.push({
            kind: 'a2-law',
            family,
            quantity: D_OPT,
            c,
            value: a2.d_opt_coefficient * c ** a2.b,
          });
        }
      }
      if (other && finite(other.a) && finite(other.b)) {
        for (const c of cs) {
          const n = other.n_opt_coefficient * c ** other.a;
          const d = other.d_opt_coefficient * c ** other.b;
          rows.push({ kind: 'a2-compare', family, quantity: N_OPT, c, value: n });
          rows.push({ kind: 'a2-compare', family, quantity: D_OPT, c, value: d });
        }
      }
      if (a3 && finite(a3.G) && finite(a3.a) && finite(a3.b)) {
        for (const c of cs) {
          const n = a3.G * (c / 6) ** a3.a;
          rows.push({ kind: 'a3', family, quantity: N_OPT, c, value: n });
          rows.push({ kind: 'a3', family, quantity: D_OPT, c, value: c / (6 * n) });
        }
      }
    }
    // Bottom-right is empty on a rising log-log frontier: the labels stack up from there.
    const y = HEIGHT - 12 - (families.length - 1 - index) * 15;
    const estimator = a2?.estimator ?? 'parabola';
    const otherA = other ? `, ${figure(other.a, other.a_ci)} (A2 ${other.estimator})` : '';
    const otherB = other ? `, ${figure(other.b, other.b_ci)} (A2 ${other.estimator})` : '';
    labels.push({
      quantity: N_OPT,
      family,
      y,
      text: `${family}: a = ${figure(a2?.a, a2?.a_ci)} (A2 ${estimator})${otherA}, ${figure(a3?.a, a3?.a_ci)} (A3)`,
    });
    labels.push({
      quantity: D_OPT,
      family,
      y,
      text: `${family}: b = ${figure(a2?.b, a2?.b_ci)} (A2 ${estimator})${otherB}, ${figure(a3?.b, a3?.b_ci)} (A3)`,
    });
  });
  const x = computeX();
  const y = {
    field: 'value',
    type: 'quantitative',
    scale: { type: 'log' },
    title: null,
    axis: COUNT_AXIS,
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Compute-optimal frontier',
      subtitle: fit
        ? `points: Approach-2 optima per budget (95% intervals) · solid: their power law · dashed: Approach 3${compareNote(compare)}`
        : 'fit pending: needs finished runs at several sizes per budget',
    },
    config: CHART_CONFIG,
    datasets: { frontier: [...rows, ...labels.map((label) => ({ kind: 'label', ...label }))] },
    data: { name: 'frontier' },
    facet: { column: { field: 'quantity', type: 'nominal', title: null, sort: [N_OPT, D_OPT] } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        ...frontierLayers({
          x,
          y,
          pointKind: 'a2',
          lineOpacity: 0.85,
          tooltip: [
            { field: 'family' },
            { field: 'c', title: 'C', format: '.2e' },
            { field: 'value', title: 'optimum', format: '.3s' },
            { field: 'lo', title: '95% low', format: '.3s' },
            { field: 'hi', title: '95% high', format: '.3s' },
          ],
        }),
        {
          transform: [{ filter: "datum.kind === 'a2-compare'" }],
          mark: { type: 'line', strokeWidth: 1.5, strokeDash: [2, 3], opacity: 0.85, clip: true },
          encoding: { x, y, color: FAMILY_COLOR, order: { field: 'c' } },
        },
        {
          transform: [{ filter: "datum.kind === 'label'" }],
          mark: { type: 'text', align: 'right', baseline: 'middle', fontSize: 10.5 },
          encoding: {
            x: { value: WIDTH - 6 },
            y: { field: 'y', type: 'quantitative', scale: null },
            text: { field: 'text' },
            color: FAMILY_COLOR,
          },
        },
      ],
    },
  };
}

function compareNote(compare: FitDocument | undefined): string {
  const estimator = Object.values(compare?.families ?? {}).find((f) => f.approach2)?.approach2
    ?.estimator;
  return estimator ? ` · dotted: Approach 2 by ${estimator}` : '';
}
