import { frontierLoss, type FitDocument } from '@isoflop/fit';
import type { TopLevelSpec } from 'vega-lite';
import { drawnVariants, frontierBudgets, type ChartRun } from './chart-data.js';
import { figure, finite } from './chart-format.js';
import { computeX, frontierLayers, LOSS_Y, VEGA_LITE_SCHEMA } from './chart-encodings.js';
import { CHART_CONFIG, familyColor, logSpace } from './chart-style.js';

const LINE_POINTS = 40;

/**
 * Families compared at equal compute: each family's loss-optimal frontier against C (Approach-2 minima
 * with intervals, their power law L_opt = k·C^−γ, and Approach 3's L*(C) dashed), beside the compute
 * ratio against the baseline at equal loss with its 95% interval (> 1: the family needs less compute).
 * `runs` give the budgets of families that have Approach 3 only; where there is no ratio, the right panel
 * says why in words.
 */
export function familyComparisonSpec(
  fit: FitDocument | undefined,
  runs: readonly ChartRun[] = [],
): TopLevelSpec {
  const frontierRows: Record<string, unknown>[] = [];
  for (const [family, familyFit] of Object.entries(fit?.families ?? {})) {
    const a2 = familyFit.approach2;
    const a3 = familyFit.approach3;
    const budgets = a2?.budgets ?? [];
    for (const budget of budgets) {
      frontierRows.push({
        kind: 'minimum',
        family,
        c: budget.budget,
        loss: budget.loss_opt,
        lo: budget.loss_opt_ci?.[0] ?? budget.loss_opt,
        hi: budget.loss_opt_ci?.[1] ?? budget.loss_opt,
      });
    }
    const cs = frontierBudgets(family, familyFit, runs);
    if (cs.length === 0) continue;
    const line = logSpace(Math.min(...cs) / 2, Math.max(...cs) * 2, LINE_POINTS);
    const { k, gamma } = a2?.loss_frontier ?? {};
    if (finite(k) && finite(gamma)) {
      for (const c of line) frontierRows.push({ kind: 'a2-law', family, c, loss: k * c ** -gamma });
    }
    if (a3 && [a3.E, a3.A, a3.B, a3.alpha, a3.beta].every(finite)) {
      for (const c of line) frontierRows.push({ kind: 'a3', family, c, loss: frontierLoss(a3, c) });
    }
  }
  const efficiencyRows = (fit?.efficiency ?? [])
    .filter((entry) => finite(entry.compute_ratio) && finite(entry.at_loss))
    .map((entry) => ({
      ...entry,
      pair: `${entry.family} vs ${entry.baseline} (${entry.method === 'approach2' ? 'A2' : 'A3'})`,
      lo: entry.compute_ratio_ci?.[0] ?? entry.compute_ratio,
      hi: entry.compute_ratio_ci?.[1] ?? entry.compute_ratio,
      label: `${figure(entry.compute_ratio, entry.compute_ratio_ci)}×`,
    }));
  const notes = fit && efficiencyRows.length === 0 ? ratioNotes(fit) : [];
  const x = computeX();
  const y = LOSS_Y;
  const color = familyColor(drawnVariants(fit, runs));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Family comparison',
      subtitle: fit
        ? [
            'left: Approach-2 minima, their power law L_opt = k·C^−γ (solid), Approach 3 (dashed)',
            'right: C_baseline / C_family at equal loss; above 1, the family needs less compute than the baseline',
          ]
        : 'fit pending',
    },
    config: CHART_CONFIG,
    datasets: {
      frontiers: frontierRows,
      efficiency: efficiencyRows,
      ratioNotes: notes,
    },
    hconcat: [
      {
        title: { text: 'Loss-optimal frontier', fontSize: 12 },
        data: { name: 'frontiers' },
        width: 340,
        height: 260,
        layer: frontierLayers({
          x,
          y,
          pointKind: 'minimum',
          color,
          tooltip: [
            { field: 'family' },
            { field: 'c', title: 'C', format: '.2e' },
            { field: 'loss', title: 'L_opt', format: '.4f' },
          ],
        }),
      },
      notes.length > 0 ? RATIO_NOTE_PANEL : ratioChartPanel(color),
    ],
  };
}

/** One panel of a side-by-side (hconcat) figure. */
type Panel = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];

const RATIO_TITLE = { text: 'Compute ratio at equal loss (95% interval)', fontSize: 12 };
const NOTE_WIDTH = 46;

/** The ratio panel: one point (and interval) per shared loss, per family pair and method. */
function ratioChartPanel(color: ReturnType<typeof familyColor>): Panel {
  const ratioY = {
    field: 'compute_ratio',
    type: 'quantitative',
    scale: { type: 'log' },
    title: 'compute ratio C_baseline / C_family',
  } as const;
  return {
    title: RATIO_TITLE,
    data: { name: 'efficiency' },
    width: 300,
    height: 260,
    layer: [
      {
        mark: { type: 'rule', color: '#9aa1ad', strokeDash: [3, 3] },
        encoding: { y: { datum: 1 } },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          x: {
            field: 'at_loss',
            type: 'quantitative',
            scale: { zero: false },
            title: 'at loss (nats/token)',
          },
          y: { ...ratioY, field: 'lo' },
          y2: { field: 'hi' },
          color,
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'at_loss', type: 'quantitative', scale: { zero: false } },
          y: ratioY,
          color,
          shape: { field: 'method', type: 'nominal', title: 'method' },
          tooltip: [
            { field: 'pair' },
            { field: 'at_loss', title: 'at loss', format: '.3f' },
            { field: 'label', title: 'compute ratio' },
          ],
        },
      },
    ],
  };
}

/**
 * Why there is no ratio, in words, where an empty panel would say nothing: the fit's own reasons (e.g. the
 * families' frontiers share no loss range), wrapped to the panel's width.
 */
export function ratioNotes(fit: FitDocument): { line: string; order: number }[] {
  const reasons = fit.warnings.filter((warning) => /no (compute )?ratio/.test(warning));
  const text =
    reasons.length > 0
      ? ['No compute ratio:', ...reasons]
      : Object.keys(fit.families).length < 2
        ? ['No compute ratio: it needs a baseline family and another one in the same sweep.']
        : ['No compute ratio could be computed from this fit.'];
  return text.flatMap(wrapWords).map((line, order) => ({ line, order }));
}

function wrapWords(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > NOTE_WIDTH) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  return [...lines, current];
}

const RATIO_NOTE_PANEL: Panel = {
  title: RATIO_TITLE,
  data: { name: 'ratioNotes' },
  width: 300,
  height: { step: 18 },
  view: { stroke: null },
  mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 12, color: '#3b4150' },
  encoding: {
    x: { value: 4 },
    y: { field: 'order', type: 'ordinal', axis: null },
    text: { field: 'line' },
  },
};
