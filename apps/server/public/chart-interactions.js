// @ts-check
// What the pointer does in the charts beyond a click: hovering a budget or a run highlights it in every
// chart (through the hover params the server's specs carry), brushing the IsoFLOP points selects their
// runs, and zooming a loss chart asks for the visible range. Each works on a live vega view; the page
// (app.js) says what follows from it.

import { zoomRange } from './url-state.js';

/** @typedef {Awaited<ReturnType<typeof vegaEmbed>>['view']} View */
/** @typedef {Record<string, Record<string, unknown>[]>} Datasets */
/** @typedef {{ budget: string, run: string }} Hover */

/** Pause before a hover repaints every chart, so sweeping the pointer across points costs one repaint. */
const HOVER_MS = 60;
/** Pause after the last change of a brush before its runs are selected. */
const BRUSH_MS = 250;
/** The most brushed runs overlaid (the lowest bounds first): a comparison of more is unreadable. */
const MAX_BRUSHED = 12;
/** Pause after the last wheel or drag of a zoom before the visible range is asked for. */
const ZOOM_MS = 300;
/** A loss chart's zoom: the server's param, and the signal vega-lite binds its x scale's domain to. */
const ZOOM = 'zoom';
const ZOOM_X = `${ZOOM}_x`;
/** Ranges closer than this (relative) are the same zoom: a URL keeps six significant digits. */
const SAME_ZOOM = 1e-5;

/** @type {Hover} */
export const NO_HOVER = { budget: '', run: '' };

/**
 * @param {View} view
 * @param {string} name
 */
function hasSignal(view, name) {
  try {
    view.signal(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The legend entry a chart item is, where it is one (its symbol or its label).
 * @param {unknown} item
 */
export function legendValueOfItem(item) {
  if (!item || typeof item !== 'object' || !('mark' in item) || !('datum' in item))
    return undefined;
  const mark = /** @type {{ role?: string }} */ (item.mark);
  const datum = /** @type {{ value?: unknown }} */ (item.datum);
  if (!mark.role?.startsWith('legend-') || datum === null || typeof datum !== 'object') return;
  return datum.value === undefined ? undefined : String(datum.value);
}

/**
 * What a chart item names: a run's point or curve names the run and its budget, a fitted curve names
 * its budget, and so does a legend entry that is one of the budget labels.
 * @param {unknown} item
 * @param {(value: string) => boolean} isBudgetLabel
 * @returns {Hover}
 */
export function hoverOfItem(item, isBudgetLabel) {
  const datum = item && typeof item === 'object' && 'datum' in item ? item.datum : undefined;
  if (!datum || typeof datum !== 'object') return NO_HOVER;
  const run = 'runId' in datum && typeof datum.runId === 'string' ? datum.runId : '';
  const label = 'budgetLabel' in datum ? datum.budgetLabel : undefined;
  if (typeof label === 'string') return { budget: label, run };
  const legend = legendValueOfItem(item);
  return { budget: legend !== undefined && isBudgetLabel(legend) ? legend : '', run };
}

/**
 * Sets a chart's hover params (views without them, charts that name no budget or run, are left alone).
 * @param {View} view
 * @param {Hover} hover
 */
export async function highlightIn(view, { budget, run }) {
  if (!hasSignal(view, 'hoverBudget')) return;
  if (view.signal('hoverBudget') === budget && view.signal('hoverRun') === run) return;
  await view.signal('hoverBudget', budget).signal('hoverRun', run).runAsync();
}

/** The page's one hover: what the pointer is over, applied to every chart once it rests. */
export class HoverHighlight {
  /** @type {Hover} */
  current = NO_HOVER;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  timer;

  /** @param {(hover: Hover) => Promise<void>} apply highlights it in every chart */
  constructor(apply) {
    this.apply = apply;
  }

  /** @param {Hover} next */
  set(next) {
    if (next.budget === this.current.budget && next.run === this.current.run) return;
    this.current = next;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.apply(this.current), HOVER_MS);
  }
}

/**
 * Calls `onRuns` with the runs a chart's brush covers once it rests (the server names the interval
 * selection `brush`); a cleared brush calls nothing.
 * @param {View} view
 * @param {() => Datasets} rows the chart's rows as the server sent them
 * @param {(runIds: string[]) => void} onRuns
 */
export function watchBrush(view, rows, onRuns) {
  if (!hasSignal(view, 'brush')) return;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  view.addSignalListener('brush', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const runs = brushedRuns(view, rows());
      if (runs.length > 0) onRuns(runs);
    }, BRUSH_MS);
  });
}

/**
 * The runs inside a chart's brush, lowest loss first: vega-lite keeps one interval per brushed panel,
 * its fields' ranges in data units, and names the panel's unit after its facet value
 * (`..._facet_facet_<family>` in wrapped panels, `..._facet_column_<family>` in a row of them).
 * @param {View} view
 * @param {Datasets} datasets
 * @returns {string[]}
 */
function brushedRuns(view, datasets) {
  /** @type {{ unit: string, fields: { field: string }[], values: number[][] }[]} */
  const store = view.data('brush_store');
  const entry = store[0];
  if (!entry) return [];
  const family = /_facet_(?:column|facet)_(.*)$/.exec(entry.unit)?.[1];
  const ranges = entry.fields.map(({ field }, i) => {
    const [a = NaN, b = NaN] = entry.values[i] ?? [];
    return { field, min: Math.min(a, b), max: Math.max(a, b) };
  });
  const inside = Object.values(datasets)
    .flat()
    .filter(
      (row) =>
        typeof row['runId'] === 'string' &&
        (family === undefined || row['family'] === family) &&
        ranges.every(({ field, min, max }) => {
          const value = Number(row[field]);
          return value >= min && value <= max;
        }),
    );
  inside.sort((a, b) => Number(a['loss']) - Number(b['loss']));
  // A point drawn for several runs on one spot (the server merges them) brings all of them, best first.
  const runs = inside.flatMap((row) =>
    Array.isArray(row['runIds']) ? row['runIds'].map(String) : [String(row['runId'])],
  );
  return [...new Set(runs)].slice(0, MAX_BRUSHED);
}

/**
 * Follows a loss chart's x zoom (the server names it `zoom`, bound to the x scale): once it rests,
 * `onRange` gets the visible x range, or undefined after a reset (double-click).
 * @param {View} view
 * @param {(range: [number, number] | undefined) => void} onRange
 */
export function watchZoom(view, onRange) {
  if (!hasSignal(view, ZOOM)) return;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  view.addSignalListener(ZOOM, (_signal, value) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      onRange(zoomRange(value && typeof value === 'object' && 'x' in value ? value.x : undefined));
    }, ZOOM_MS);
  });
}

/**
 * A loss chart's spec that opens zoomed to `range`, as after the wheel: a chart drawn again (its spec
 * changed) or opened from a shared URL keeps its zoom, and a double-click still resets it.
 * @param {import('vega').Spec} spec
 * @param {[number, number] | undefined} range
 * @returns {import('vega').Spec}
 */
export function withZoom(spec, range) {
  if (!range || !spec.signals?.some((signal) => signal.name === ZOOM_X)) return spec;
  return {
    ...spec,
    signals: spec.signals.map((signal) =>
      signal.name === ZOOM_X ? { ...signal, value: [...range] } : signal,
    ),
  };
}

/**
 * Shows `range` (or the whole x range, without one) in a live loss chart that shows another: the URL
 * changed under it (Back, Forward, a pasted link). A zoom the chart already shows is left alone, so a
 * wheel still moving is not pulled back.
 * @param {View} view
 * @param {[number, number] | undefined} range
 */
export async function showZoom(view, range) {
  if (!hasSignal(view, ZOOM_X)) return;
  const shown = zoomRange(view.signal(ZOOM_X));
  const near = (/** @type {number} */ a, /** @type {number} */ b) =>
    Math.abs(a - b) <= SAME_ZOOM * Math.abs(b);
  const same =
    range && shown ? near(shown[0], range[0]) && near(shown[1], range[1]) : !range && !shown;
  if (same) return;
  await view.signal(ZOOM_X, range ? [...range] : null).runAsync();
}
