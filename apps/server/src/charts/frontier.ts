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
/** A label line's height (vega's default: the font size and 2 pixels), in pixels. */
const LINE_HEIGHT = LABEL_FONT_SIZE + 2;

/**
 * The compute-optimal frontier: N_opt and D_opt against C per family. Approach 2's per-budget optima are
 * points (with bootstrap intervals as error bars) on their fitted power law (solid); Approach 3's closed
 * form N_opt = G·(C/6)^a is drawn beside them (dashed). Exponents and their intervals are listed under
 * each plot, the Approach-2 estimator named in the subtitle. `runs` give the budgets of families that
 * have Approach 3 only (every Approach-2 vertex flagged). `compare`, Approach 2 by another estimator over
 * the same runs, adds its power laws (dotted) and exponents, so the two estimators' lines can be told
 * apart.
 */
export function frontierSpec(
  fit: FitDocument | undefined,
  runs: readonly ChartRun[] = [],
  compare?: FitDocument,
): TopLevelSpec {
  const rows: Record<string, unknown>[] = [];
  const labels: Record<string, unknown>[] = [];
  const families = Object.entries(fit?.families ?? {});
  // A family's lines (Approach 2, the compared estimator's, Approach 3) and a gap.
  const labelBlock = (compare ? 3 : 2) * LINE_HEIGHT + 4;
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
    // Under each panel, in a panel of their own: in the plot they covered whichever family's points lay
    // under them. Short lines (the estimator is named once, in the subtitle): the SVG route measures
    // text by an estimate that runs wide, and a long line padded the figure by its overshoot.
    const labelY = index * labelBlock;
    const label = (symbol: 'a' | 'b', quantity: string) => {
      const a2Figure = figure(a2?.[symbol], a2?.[`${symbol}_ci`]);
      const a3Figure = figure(a3?.[symbol], a3?.[`${symbol}_ci`]);
      const compared = other
        ? [`A2 ${other.estimator} ${figure(other[symbol], other[`${symbol}_ci`])}`]
        : [];
      const text = [`${family}: ${symbol} = ${a2Figure}`, ...compared, `A3 ${a3Figure}`];
      return { quantity, family, y: labelY, text };
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
        ? [
            `points: Approach-2 optima per budget (95% intervals) · solid: their power law · dashed: Approach 3${compareNote(compare)}`,
            `below: each family's exponent by Approach 2 (${approach2Estimator(fit) ?? 'parabola'}), then by Approach 3 (A3), with 95% intervals`,
          ]
        : 'fit pending: needs finished runs at several sizes per budget',
    },
    config: CHART_CONFIG,
    datasets: { frontier: [...rows, ...labels.map((label) => ({ kind: 'label', ...label }))] },
    data: { name: 'frontier' },
    hconcat: [N_OPT, D_OPT].map((quantity) => ({
      // Flush: the label panel lines up with the plot's frame, not with its axis labels.
      bounds: 'flush',
      spacing: 46,
      vconcat: [
        {
          title: { text: quantity, fontSize: 12 },
          transform: [{ filter: { field: 'quantity', equal: quantity } }],
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
              mark: {
                type: 'line',
                strokeWidth: 1.5,
                strokeDash: [2, 3],
                opacity: 0.85,
                clip: true,
              },
              encoding: { x, y, color, order: { field: 'c' } },
            },
          ],
        },
        {
          transform: [
            { filter: { field: 'quantity', equal: quantity } },
            { filter: "datum.kind === 'label'" },
          ],
          width: WIDTH,
          height: Math.max(1, families.length) * labelBlock,
          view: { stroke: null },
          mark: { type: 'text', align: 'right', baseline: 'top', fontSize: LABEL_FONT_SIZE },
          encoding: {
            x: { value: WIDTH },
            y: { field: 'y', type: 'quantitative', scale: null },
            text: { field: 'text' },
            color,
          },
        },
      ],
    })),
    // Each quantity its own axis; C shared.
    resolve: { scale: { y: 'independent' } },
  };
}

function compareNote(compare: FitDocument | undefined): string {
  const estimator = approach2Estimator(compare);
  return estimator ? ` · dotted: Approach 2 by ${estimator}` : '';
}

/** The estimator a fit's Approach 2 used (one per fit). */
function approach2Estimator(fit: FitDocument | undefined): string | undefined {
  return Object.values(fit?.families ?? {}).find((f) => f.approach2)?.approach2?.estimator;
}
