// @ts-check
// What the page shows lives in the URL's hash (sweep, open run, table filters, sort, selected runs), so a
// view can be shared and comes back on reload. `#sweep=ID` links of earlier versions still work.

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
 */

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
