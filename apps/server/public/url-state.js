// @ts-check
// What the page shows lives in the URL's hash (sweep, open run, table filters, sort, selected runs,
// hidden legend entries, zoomed loss charts), so a view can be shared and comes back on reload.
// `#sweep=ID` links of earlier versions still work.

/**
 * @typedef {object} ViewState
 * @property {string | undefined} sweep
 * @property {string | undefined} run the run whose view is open
 * @property {string} family
 * @property {string} state
 * @property {string} budget the budget in FLOPs as written in the URL ('' for all)
 * @property {string} q text searched for in run ids
 * @property {string} sort column key ('' for the grid order)
 * @property {boolean} desc
 * @property {number} page
 * @property {string[]} selected runs chosen for comparison
 * @property {string[]} hidden legend entries (families, budgets) hidden in every chart
 * @property {Record<string, [number, number]>} zoom the x range each zoomed loss chart shows
 */

/** A zoomed chart's range is written `zoom-<chart>=<low>,<high>`. */
const ZOOM_PREFIX = 'zoom-';
/** Significant digits of a zoom range in the URL: far below a pixel of a log axis. */
const ZOOM_DIGITS = 6;

/**
 * A zoom range as the URL keeps it: rounded, so that the range a page reads back from its URL is the
 * range it wrote.
 * @param {[number, number]} range
 * @returns {[number, number]}
 */
export function roundedRange([low, high]) {
  return [Number(low.toPrecision(ZOOM_DIGITS)), Number(high.toPrecision(ZOOM_DIGITS))];
}

/**
 * A zoom range where `value` is one (from a URL or a chart's zoom signal): two finite positive numbers
 * in order.
 * @param {unknown} value
 * @returns {[number, number] | undefined}
 */
export function zoomRange(value) {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [low, high] = value.map(Number);
  return low !== undefined && high !== undefined && low > 0 && low < high && Number.isFinite(high)
    ? [low, high]
    : undefined;
}

/**
 * The zoomed charts a URL names; a range that is not two positive numbers in order is left out.
 * @param {URLSearchParams} params
 * @returns {Record<string, [number, number]>}
 */
function readZoom(params) {
  /** @type {Record<string, [number, number]>} */
  const zoom = {};
  for (const [key, value] of params) {
    const range = key.startsWith(ZOOM_PREFIX) ? zoomRange(value.split(',')) : undefined;
    if (range) zoom[key.slice(ZOOM_PREFIX.length)] = range;
  }
  return zoom;
}

/** @returns {ViewState} */
export function readViewState(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#\/?/, ''));
  const text = (/** @type {string} */ name) => params.get(name) ?? '';
  return {
    sweep: params.get('sweep') ?? undefined,
    run: params.get('run') ?? undefined,
    family: text('family'),
    state: text('state'),
    budget: text('budget'),
    q: text('q'),
    sort: text('sort'),
    desc: params.get('desc') === '1',
    page: Math.max(0, Number(params.get('page') ?? 0) || 0),
    selected: text('sel').split(',').filter(Boolean),
    hidden: text('hide').split(',').filter(Boolean),
    zoom: readZoom(params),
  };
}

/** @param {ViewState} view */
export function hashOf(view) {
  const params = new URLSearchParams();
  if (view.sweep) params.set('sweep', view.sweep);
  if (view.run) params.set('run', view.run);
  for (const key of /** @type {const} */ (['family', 'state', 'budget', 'q', 'sort'])) {
    if (view[key]) params.set(key, view[key]);
  }
  if (view.desc) params.set('desc', '1');
  if (view.page) params.set('page', String(view.page));
  if (view.selected.length) params.set('sel', view.selected.join(','));
  if (view.hidden.length) params.set('hide', view.hidden.join(','));
  for (const [chart, range] of Object.entries(view.zoom).sort(([a], [b]) => a.localeCompare(b))) {
    params.set(`${ZOOM_PREFIX}${chart}`, roundedRange(range).join(','));
  }
  return `#${params}`;
}

/**
 * Records `view` in the URL. Opening or closing a run adds a history entry (Back closes it); table
 * changes replace the current one, so they do not fill the history.
 * @param {ViewState} view
 * @param {{ push?: boolean }} [options]
 */
export function writeViewState(view, options = {}) {
  const hash = hashOf(view);
  if (hash === location.hash) return;
  if (options.push) history.pushState(null, '', hash);
  else history.replaceState(null, '', hash);
}
