import type { FitDocument } from '@isoflop/fit';
import type { TopLevelSpec } from 'vega-lite';
import { drawnVariants, frontierBudgets, type ChartRun } from './chart-data.js';
import { figure, finite } from './chart-format.js';
import { computeX, COUNT_AXIS, frontierLayers, VEGA_LITE_SCHEMA } from './chart-encodings.js';
import { CHART_CONFIG, familyColor, logSpace } from './chart-style.js';

const LINE_POINTS = 40;
const WIDTH = 380;
const HEIGHT = 270;
const N_OPT = 'N_opt (parameters)';
const D_OPT = 'D_opt (tokens)';
const LABEL_FONT_SIZE = 10.5;
/** A family's two label lines and the gap below them, in pixels. */
const LABEL_BLOCK = 2 * (LABEL_FONT_SIZE + 2) + 4;

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
    // Bottom-right is empty on a rising log-log frontier: the labels stack up from there, two lines a
    // family (Approach 2, then the other estimator's and Approach 3's), so intervals printed at the
    // value's precision stay inside the panel.
    const y = HEIGHT - 4 - (families.length - 1 - index) * LABEL_BLOCK;
    const estimator = a2?.estimator ?? 'parabola';
    const label = (symbol: 'a' | 'b', quantity: string) => {
      const a2Figure = figure(a2?.[symbol], a2?.[`${symbol}_ci`]);
      const otherFigure = other
        ? `${figure(other[symbol], other[`${symbol}_ci`])} (A2 ${other.estimator}), `
        : '';
      const a3Figure = figure(a3?.[symbol], a3?.[`${symbol}_ci`]);
      return {
        quantity,
        family,
        y,
        text: [
          `${family}: ${symbol} = ${a2Figure} (A2 ${estimator})`,
          `${otherFigure}${a3Figure} (A3)`,
        ],
      };
    };
    labels.push(label('a', N_OPT), label('b', D_OPT));
  });
  const x = computeX();
  const color = familyColor(drawnVariants(fit, runs));
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
          color,
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
          encoding: { x, y, color, order: { field: 'c' } },
        },
        {
          transform: [{ filter: "datum.kind === 'label'" }],
          mark: { type: 'text', align: 'right', baseline: 'bottom', fontSize: LABEL_FONT_SIZE },
          encoding: {
            x: { value: WIDTH - 6 },
            y: { field: 'y', type: 'quantitative', scale: null },
            text: { field: 'text' },
            color,
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
