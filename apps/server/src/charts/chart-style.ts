import type { Config } from 'vega-lite';

/**
 * Shared look of every chart: one colour per family everywhere, so a reader can compare charts at a glance,
 * and the same fonts in the page and in the SVGs rendered for papers.
 */
const FAMILY_DOMAIN = ['arm', 'mdm', 'mdm-prime-v2'];
/** The families' colours, then colours for the other variants a spec names. */
const FAMILY_RANGE = [
  '#3b6fb6',
  '#e07b28',
  '#3a9a5b',
  '#9b4fb0',
  '#c23b4a',
  '#7a6a2e',
  '#1f9e9e',
  '#d4a017',
  '#6b6b6b',
  '#e377c2',
];

/**
 * Colour by family or variant (`field: 'family'` holds the variant, the spec's key). The three families
 * come first, in the same colours in every sweep; the other variants drawn (`prime-k8`, ...) follow by
 * name. All must be in the domain: an ordinal scale gives a value outside its domain no colour, and
 * such a variant's lines, points and labels were drawn in none.
 */
export function familyColor(variants: Iterable<string>) {
  const others = [...new Set(variants)].filter((v) => !FAMILY_DOMAIN.includes(v)).sort();
  const domain = [...FAMILY_DOMAIN, ...others];
  return {
    field: 'family',
    type: 'nominal',
    title: 'family',
    scale: { domain, range: domain.map((_, i) => FAMILY_RANGE[i % FAMILY_RANGE.length]!) },
  } as const;
}

/** Panels a chart puts side by side before it wraps to another row. */
const MAX_PANELS_PER_ROW = 3;

/**
 * A panel per family or variant, in rows of at most three and as even as they go: four variants (the
 * quickstart's) in one row drew wider than the dashboard, the last one and the legend out of view; two
 * by two they fit. Wrapped facets name a panel's unit `..._facet_facet_<variant>`.
 */
export function familyPanels(variants: Iterable<string>) {
  const count = Math.max(1, new Set(variants).size);
  const rows = Math.ceil(count / MAX_PANELS_PER_ROW);
  return {
    facet: { field: 'family', type: 'nominal', title: null },
    columns: Math.ceil(count / rows),
  } as const;
}

/** Budgets are few and ordered: an ordinal viridis scale keeps neighbouring budgets apart. */
export const BUDGET_COLOR = {
  field: 'budgetLabel',
  type: 'ordinal',
  title: 'budget C (FLOPs)',
  sort: { field: 'budgetFlops' },
  scale: { scheme: 'viridis' },
} as const;

export const LOSS_TITLE = 'validation loss (nats/token)';

export const CHART_CONFIG: Config = {
  font: 'Inter, system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
  background: '#ffffff',
  view: { stroke: '#e3e6ea' },
  axis: {
    labelColor: '#4a5160',
    titleColor: '#2b303a',
    titleFontWeight: 500,
    gridColor: '#eef0f3',
    domainColor: '#b9bfc8',
    tickColor: '#b9bfc8',
  },
  // No ARIA description per point: vega-lite would build one string per item, formatting its numbers, as
  // each chart is drawn (a fifth of a 10,000-point chart's drawing), for a canvas that shows none and an
  // SVG no one reads point by point. Axes and legends keep theirs.
  mark: { aria: false },
  header: { labelFontSize: 12, labelFontWeight: 600, titleFontSize: 0 },
  // Faint line layers would otherwise lend their opacity to the legend's symbols.
  legend: { labelColor: '#4a5160', titleColor: '#2b303a', symbolOpacity: 1 },
  title: {
    anchor: 'start',
    fontSize: 14,
    fontWeight: 600,
    color: '#1f232b',
    subtitleColor: '#5d6573',
  },
};

/** "3e+18" rather than "3,000,000,000,000,000,000": budgets are read as orders of magnitude. */
export function budgetLabel(budgetFlops: number): string {
  return budgetFlops.toExponential(1).replace(/\.0e/, 'e');
}

/** Evenly spaced points in log space, inclusive; used to draw fitted curves smoothly on log axes. */
export function logSpace(lo: number, hi: number, count: number): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  if (count < 2 || a === b) return [lo];
  return Array.from({ length: count }, (_, i) => 10 ** (a + ((b - a) * i) / (count - 1)));
}
