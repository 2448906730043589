/**
 * Hover highlight across charts: the page sets these two parameters in every chart when the pointer is
 * over a budget or a run anywhere ('' when over nothing), and each mark that names a budget or a run
 * dims unless it is the one hovered. Drawn outside the page (SVG, an exported spec) both stay '', so
 * every mark keeps its full opacity.
 */
export const HIGHLIGHT_PARAMS = [
  { name: 'hoverBudget', value: '' },
  { name: 'hoverRun', value: '' },
] as const;

/** How much of its opacity a mark keeps while something else is hovered. */
const DIMMED = 0.15;

/**
 * The row fields a layer carries that a hover can match: a budget, a run, or the runs a merged point
 * stands for (coincident-points.ts).
 */
export type HighlightField = 'budgetLabel' | 'runId' | 'runIds';

const TERMS: Record<HighlightField, string> = {
  budgetLabel: "(hoverBudget === '' || datum.budgetLabel === hoverBudget)",
  runId: "(hoverRun === '' || datum.runId === hoverRun)",
  runIds: "(hoverRun === '' || indexof(datum.runIds, hoverRun) >= 0)",
};

/**
 * An opacity encoding: `opacity` for the hovered budget or run (and for everything while nothing is
 * hovered), a faint share of it for the rest. A layer names the fields its rows carry: a budget's fitted
 * curve stays lit while one of that budget's runs is hovered, as the page sets both.
 */
export function highlightOpacity(opacity: number, fields: readonly HighlightField[]) {
  return {
    condition: { test: fields.map((field) => TERMS[field]).join(' && '), value: opacity },
    value: opacity * DIMMED,
  };
}
