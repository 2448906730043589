// @ts-check
/* global vega, vegaEmbed -- the vega builds index.html loads (typed in globals.d.ts) */
// The isoflop dashboard: lists sweeps, embeds the server's charts, and keeps them current from the
// sweep's server-sent event stream. Charts are built on the server (one vega-lite spec builder per chart,
// compiled to vega there); this script only fetches, embeds, and swaps in new data. The view (sweep, open
// run, table filters, selected runs, hidden legend entries, zoomed charts) lives in the URL
// (url-state.js).
import {
  HoverHighlight,
  highlightIn,
  hoverOfItem,
  legendValueOfItem,
  NO_HOVER,
  showZoom,
  watchBrush,
  watchZoom,
  withZoom,
} from './chart-interactions.js';
import { ChartRefresher, REFRESH_MS } from './chart-refresh.js';
import { ChartsInView } from './chart-visibility.js';
import { $, element, formatCount, formatFlops, getJson, stringList, sweepUrl } from './dom.js';
import { RunTable } from './run-table.js';
import { closeRunView, openRunView, showComparison } from './run-view.js';
import { chartSpecUrl, firstRequests, openingSweep, sweepRequests } from './sweep-requests.js';
import { readViewState, roundedRange, writeViewState } from './url-state.js';

/** @typedef {import('./contracts').Run} Run */
/** @typedef {import('./contracts').Sweep} Sweep */
/** @typedef {import('./contracts').SweepWithCursor} SweepWithCursor */
/** @typedef {import('./contracts').SweepEvent} SweepEvent */
/** @typedef {import('./contracts').Vocabulary} Vocabulary */
/** @typedef {import('./url-state.js').ViewState} ViewState */
/** @typedef {import('vega').Spec} VegaSpec */
/** @typedef {Awaited<ReturnType<typeof vegaEmbed>>['view']} View */
/** @typedef {SweepEvent['kind']} EventKind */
/** @typedef {Record<string, Record<string, unknown>[]>} Datasets */
/** @typedef {import('./contracts').ChartNeeds} ChartNeeds */

/**
 * The run states, in the store's order, and those that count as finished (a result on the IsoFLOP grid:
 * the store's RUN_STATES_WITH_RESULT). The JSDoc types are the store's own tuples, so the type check
 * fails if these lists drift from the contract.
 * @type {import('./contracts').RunStates}
 */
const RUN_STATES = ['planned', 'queued', 'running', 'done', 'failed', 'diverged', 'cancelled'];
/** @type {import('./contracts').RunStatesWithResult} */
const RUN_STATES_WITH_RESULT = ['done', 'diverged'];

/**
 * Runs of a sweep that have their result: the one definition of "finished" for the sidebar and header.
 * @param {Record<string, number | undefined>} counts runs per state
 */
function finishedRuns(counts) {
  return RUN_STATES_WITH_RESULT.reduce((sum, name) => sum + (counts[name] ?? 0), 0);
}

/**
 * What each kind of event can change: charts drawn from the inputs it touches (the server says what each
 * chart is drawn from), and whether the runs table.
 * @type {Record<EventKind, { needs: (keyof ChartNeeds)[], table: boolean }>}
 */
const EVENT_EFFECTS = {
  progress: { needs: ['curves'], table: false },
  run: { needs: ['runs', 'curves'], table: true },
  sweep: { needs: ['runs'], table: true },
  decision: { needs: ['runs'], table: true },
  fit: { needs: ['fit'], table: false },
};

const state = {
  /** @type {string | undefined} */
  sweepId: undefined,
  /** @type {EventSource | undefined} */
  events: undefined,
  /**
   * chart name -> its view, its spec without data, and the data as the server sent it (before the
   * legend's hidden entries are taken out)
   * @type {Map<string, { view: View, shape: string, datasets: Datasets }>}
   */
  charts: new Map(),
  view: readViewState(),
  /** @type {Record<string, ChartNeeds>} chart name -> what it is drawn from */
  chartNeeds: {},
  /** @type {Vocabulary | undefined} the server's names, where it has the vocabulary route */
  vocabulary: undefined,
};

const table = new RunTable({
  onOpen: (runId) => updateView({ run: runId }, { push: true }),
  onChange: (patch) => updateView(patch),
});

/**
 * Changes the view, records it in the URL, and redraws what it touches.
 * @param {Partial<ViewState>} patch
 * @param {{ push?: boolean }} [options]
 */
function updateView(patch, options = {}) {
  const before = state.view;
  const view = { ...before, ...patch };
  state.view = view;
  writeViewState(view, options);
  void applyView(before, view);
}

/**
 * @param {ViewState} before
 * @param {ViewState} view
 */
async function applyView(before, view) {
  if (view.sweep !== undefined && view.sweep !== state.sweepId) {
    await selectSweep(view.sweep);
    return;
  }
  syncFilterInputs(view);
  if (tableKey(view) !== tableKey(before)) void table.render(view).catch(showError);
  const sweepId = state.sweepId;
  if (!sweepId) return;
  if (view.run !== before.run || !view.run) {
    if (view.run) await openRunView(sweepId, view.run).catch(showError);
    else closeRunView();
  }
  if (view.hidden.join(',') !== before.hidden.join(',')) await applyHidden();
  if (view.selected.join(',') !== before.selected.join(',')) {
    await showComparison(sweepId, view.selected).catch(showError);
  }
  for (const name of rezoomed(before.zoom, view.zoom)) {
    const drawn = state.charts.get(name);
    if (drawn) await showZoom(drawn.view, view.zoom[name]);
    refresher.schedule(name, 0);
  }
}

/**
 * What of a view the runs table shows: its filters, sort, page and ticked runs.
 * @param {ViewState} view
 */
function tableKey(view) {
  const { family, state, budget, q, sort, desc, page, selected } = view;
  return JSON.stringify([family, state, budget, q, sort, desc, page, selected]);
}

/** @param {unknown} error */
function showError(error) {
  console.error(error);
  $('#main').prepend(
    element('p', { class: 'error' }, `${error instanceof Error ? error.message : String(error)}`),
  );
}

// ---- sweep list ---------------------------------------------------------------------------------------

/** @param {Promise<import('./contracts').SweepList>} [fetched] the request, where already made */
async function loadSweepList(fetched = getJson('/api/sweeps')) {
  const { sweeps } = await fetched;
  $('#sweep-list').replaceChildren(
    ...sweeps.map((sweep) => {
      const finished = finishedRuns(sweep.runs);
      const item = element(
        'li',
        { class: sweep.id === state.sweepId ? 'active' : '', dataset: { sweepId: sweep.id } },
        element('div', { class: 'sweep-name' }, sweep.name),
        element(
          'div',
          { class: 'sweep-meta' },
          element('span', { class: `badge state-${sweep.state}` }, sweep.state),
          ' ',
          element(
            'span',
            { class: 'finished', dataset: { finished: String(finished) } },
            `${finished}/${sweep.runCount} runs`,
          ),
        ),
      );
      item.addEventListener('click', () =>
        updateView({ ...readViewState(''), sweep: sweep.id }, { push: true }),
      );
      return item;
    }),
  );
  $('#sweep-empty').hidden = sweeps.length > 0;
  return sweeps;
}

// ---- one sweep ----------------------------------------------------------------------------------------

/** @param {SweepWithCursor} sweep */
function renderHeader(sweep) {
  $('#sweep-header').hidden = false;
  $('#sweep-name').textContent = sweep.name;
  $('#sweep-id').textContent = sweep.id;
  const badge = $('#sweep-state');
  badge.textContent = sweep.state;
  badge.className = `badge state-${sweep.state}`;
  $('#sweep-counts').replaceChildren(
    ...RUN_STATES.filter((name) => sweep.runs[name]).map((name) =>
      element(
        'span',
        { class: `count state-${name}` },
        element('b', {}, String(sweep.runs[name])),
        ` ${name}`,
      ),
    ),
  );
  const base = sweepUrl(sweep.id);
  $('#export-json').setAttribute('href', `${base}/export?format=json`);
  $('#export-csv').setAttribute('href', `${base}/export?format=csv`);
  $('#fit-json').setAttribute('href', `${base}/fit`);
  table.sweepRuns = sweep.runCount;
  fillFilterOptions(sweep);
  const finished = finishedRuns(sweep.runs);
  $('#progress').hidden = false;
  $('#progress-fill').style.width = `${sweep.runCount ? (100 * finished) / sweep.runCount : 0}%`;
  const summary = $('#progress-summary');
  summary.dataset['finished'] = String(finished);
  summary.textContent = `${finished} of ${sweep.runCount} runs finished with a result`;
}

/** @param {Promise<SweepWithCursor>} [fetched] the request, where already made */
async function refreshHeader(fetched = getJson(sweepUrl(currentSweep()))) {
  const sweep = await fetched;
  renderHeader(sweep);
  return sweep;
}

function currentSweep() {
  if (!state.sweepId) throw new Error('no sweep is selected');
  return state.sweepId;
}

/** @param {Promise<import('./contracts').RunPage>} [fetched] the request, where already made */
async function refreshActiveRuns(
  fetched = getJson(`${sweepUrl(currentSweep())}/runs?state=running&limit=50`),
) {
  const { runs } = await fetched;
  $('#active-empty').hidden = runs.length > 0;
  $('#active-runs tbody').replaceChildren(
    ...runs.map((run) => {
      const share = run.steps ? Math.min(1, (run.lastStep ?? 0) / run.steps) : 0;
      return element(
        'tr',
        {},
        element('td', { class: 'mono' }, run.id),
        element('td', {}, run.family),
        element('td', {}, formatCount(run.params)),
        element('td', {}, formatFlops(run.budgetFlops)),
        element(
          'td',
          {},
          element(
            'div',
            { class: 'mini-bar' },
            element('div', { style: `width:${(share * 100).toFixed(1)}%` }),
          ),
          ` ${run.lastStep ?? 0}/${run.steps}`,
        ),
      );
    }),
  );
}

/** @param {import('./contracts').Decision} decision */
function describeDecision(decision) {
  /** @type {(variant: string, budget: number | undefined) => string} */
  const where = (variant, budget) =>
    `${variant}${budget === undefined ? '' : `, C=${formatFlops(budget)}`}`;
  switch (decision.type) {
    case 'add':
      return `added ${decision.runId} (${where(decision.variant, decision.budgetFlops)}, N=${formatCount(decision.params)}): ${decision.message}`;
    case 'limit':
      return `limit (${where(decision.variant, decision.budgetFlops)}): ${decision.message}`;
    default:
      return `settled after ${decision.runs} runs: ${decision.message}`;
  }
}

/** The adaptive step's decisions in the order taken; remembers which runs it added for the run table. */
async function refreshDecisions() {
  /** @type {import('./contracts').DecisionList} */
  const { decisions } = await getJson(`${sweepUrl(currentSweep())}/decisions`);
  table.added = new Map(
    decisions.flatMap((decision) => (decision.type === 'add' ? [[decision.runId, decision]] : [])),
  );
  $('#decisions').hidden = decisions.length === 0;
  $('#decisions-summary').textContent = `${table.added.size} run(s) added`;
  $('#decision-list').replaceChildren(
    ...decisions.map((decision) =>
      element(
        'li',
        { class: `decision decision-${decision.type}`, dataset: { type: decision.type } },
        element(
          'span',
          { class: 'badge' },
          decision.type === 'add' ? decision.rule : decision.type,
        ),
        ` ${describeDecision(decision)}`,
      ),
    ),
  );
}

async function refreshRunTable() {
  table.sweepId = currentSweep();
  $('#runs').hidden = false;
  await table.render(state.view);
}

/**
 * The filters offer the families, variants, budgets and states of this sweep: family and state names
 * from the server's vocabulary where it has one, else the sweep's own.
 * @param {SweepWithCursor} sweep
 */
function fillFilterOptions(sweep) {
  const present = Object.keys(sweep.runs);
  const families = state.vocabulary?.families ?? [];
  table.families = families;
  const variants = sweep.variants.filter((v) => !families.includes(v));
  const states = state.vocabulary?.runStates ?? RUN_STATES.filter((s) => present.includes(s));
  const budgets = sweep.budgets;
  setOptions(
    '#filter-family',
    'all families',
    [...families, ...variants].map((f) => [f, f]),
  );
  setOptions(
    '#filter-state',
    'all states',
    states.map((s) => [s, s]),
  );
  setOptions(
    '#filter-budget',
    'all budgets',
    budgets.map((b) => [String(b), formatFlops(b)]),
  );
  syncFilterInputs(state.view);
}

/**
 * @param {string} selector
 * @param {string} all
 * @param {[string, string][]} options value and label
 */
function setOptions(selector, all, options) {
  /** @type {HTMLSelectElement} */
  const select = $(selector);
  const wanted = [['', all], ...options].map(([value, label]) => `${value}\u0000${label}`);
  const current = [...select.options].map((o) => `${o.value}\u0000${o.text}`);
  if (wanted.join('\n') === current.join('\n')) return;
  select.replaceChildren(
    ...[['', all], ...options].map(([value, label]) => {
      const option = /** @type {HTMLOptionElement} */ (element('option', { value: value ?? '' }));
      option.text = label ?? '';
      return option;
    }),
  );
}

/** @param {ViewState} view */
function syncFilterInputs(view) {
  /** @type {HTMLSelectElement} */ ($('#filter-family')).value = view.family;
  /** @type {HTMLSelectElement} */ ($('#filter-state')).value = view.state;
  /** @type {HTMLSelectElement} */ ($('#filter-budget')).value = view.budget;
  const search = /** @type {HTMLInputElement} */ ($('#filter-search'));
  if (search.value !== view.q) search.value = view.q;
}

// ---- charts -------------------------------------------------------------------------------------------

/**
 * A chart's spec as the page shows it (a zoomed loss chart's visible range).
 * @param {string} name
 */
function chartDataUrl(name) {
  return chartSpecUrl(currentSweep(), name, state.view.zoom[name]);
}

/**
 * A chart's rows by dataset name: the server compiles each named dataset of its vega-lite spec to a vega
 * data entry with the rows as values.
 * @param {VegaSpec} spec
 * @returns {Datasets}
 */
function specRows(spec) {
  return Object.fromEntries(
    (spec.data ?? []).flatMap((data) =>
      'values' in data && Array.isArray(data.values) ? [[data.name, data.values]] : [],
    ),
  );
}

/**
 * The spec with other rows in its datasets.
 * @param {VegaSpec} spec
 * @param {Datasets} datasets
 * @returns {VegaSpec}
 */
function withRows(spec, datasets) {
  return {
    ...spec,
    data: (spec.data ?? []).map((data) => {
      const rows = datasets[data.name];
      return rows && 'values' in data ? { ...data, values: rows } : data;
    }),
  };
}

/**
 * What a chart draws apart from its rows: a new shape needs a new view, new rows only a changeset.
 * @param {VegaSpec} spec
 */
function specShape(spec) {
  return JSON.stringify(
    withRows(spec, Object.fromEntries(Object.keys(specRows(spec)).map((name) => [name, []]))),
  );
}

/**
 * How many marks vega drew: items of every mark in the scenegraph (canvas keeps them out of the DOM).
 * @param {any} node a vega scenegraph node (vega does not type its scenegraph)
 * @returns {number}
 */
function countMarks(node) {
  if (!node || typeof node !== 'object') return 0;
  let count = node.marktype && node.marktype !== 'group' ? (node.items?.length ?? 0) : 0;
  for (const item of node.items ?? []) count += countMarks(item);
  return count;
}

/** The row fields a legend entry names: a family's colour, a budget's colour. */
const LEGEND_FIELDS = ['family', 'budgetLabel'];

/**
 * A chart's rows without those of the legend entries the view hides.
 * @param {Datasets} datasets
 * @param {string[]} hidden
 * @returns {Datasets}
 */
function visibleRows(datasets, hidden) {
  if (hidden.length === 0) return datasets;
  const set = new Set(hidden);
  return Object.fromEntries(
    Object.entries(datasets).map(([name, rows]) => [
      name,
      rows.filter((row) => !LEGEND_FIELDS.some((field) => set.has(String(row[field])))),
    ]),
  );
}

/**
 * Swaps a chart's rows into its live view (no re-embed).
 * @param {View} view
 * @param {Datasets} datasets rows by the name of a data entry of the view's spec (specRows)
 */
async function swapRows(view, datasets) {
  for (const [dataset, rows] of Object.entries(datasets)) {
    view.change(
      dataset,
      vega
        .changeset()
        .remove(() => true)
        .insert(rows),
    );
  }
  await view.runAsync();
}

/** The charts in view: what a hover repaints and a live update redraws now, the others once in view. */
const inView = new ChartsInView();

/** The budget and run the pointer is over, highlighted in every chart in view (the rest as they come). */
const hover = new HoverHighlight(async (current) => {
  await Promise.all(
    [...state.charts.entries()]
      .filter(([name]) => inView.has(name))
      .map(([, { view }]) => highlightIn(view, current)),
  );
  // Set once every chart in view shows it: what a test waits for.
  document.body.dataset['hover'] = current.run
    ? `run:${current.run}`
    : current.budget
      ? `budget:${current.budget}`
      : '';
});

/**
 * Whether a legend entry is a budget: one of the budget labels some chart's rows carry.
 * @param {string} value
 */
function isBudgetLabel(value) {
  for (const { datasets } of state.charts.values()) {
    for (const rows of Object.values(datasets)) {
      if (rows.some((row) => row['budgetLabel'] === value)) return true;
    }
  }
  return false;
}

/**
 * A loss chart zoomed to a range (or back to the whole), from its view: recorded in the URL, and the
 * chart asked for again at once with the range (applyView).
 * @param {string} name
 * @param {[number, number] | undefined} range
 */
function zoomChart(name, range) {
  const rounded = range && roundedRange(range);
  const previous = state.view.zoom[name];
  if (rounded?.[0] === previous?.[0] && rounded?.[1] === previous?.[1]) return;
  const others = Object.entries(state.view.zoom).filter(([chart]) => chart !== name);
  updateView({ zoom: Object.fromEntries(rounded ? [...others, [name, rounded]] : others) });
}

/**
 * The charts whose zoom differs between two views.
 * @param {ViewState['zoom']} before
 * @param {ViewState['zoom']} after
 */
function rezoomed(before, after) {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (name) => before[name]?.join(',') !== after[name]?.join(','),
  );
}

/** The legend entries the view hides, each a button that shows it again. */
function renderHiddenChips() {
  const hidden = state.view.hidden;
  $('#hidden-series').replaceChildren(
    ...hidden.map((value) => {
      const chip = element(
        'button',
        { type: 'button', class: 'chip', title: 'show again' },
        `${value} ×`,
      );
      chip.addEventListener('click', () =>
        updateView({ hidden: state.view.hidden.filter((v) => v !== value) }),
      );
      return chip;
    }),
  );
  $('#hidden-series').hidden = hidden.length === 0;
}

/** Shows the view's hidden legend entries in every chart, from the data each chart already has. */
async function applyHidden() {
  renderHiddenChips();
  const hidden = state.view.hidden;
  await Promise.all(
    [...state.charts.entries()].map(async ([name, { view, datasets }]) => {
      await swapRows(view, visibleRows(datasets, hidden));
      const container = document.querySelector(`[data-chart="${name}"]`);
      if (container instanceof HTMLElement) {
        container.dataset['marks'] = String(
          countMarks(/** @type {any} */ (view.scenegraph()).root),
        );
      }
    }),
  );
  // Set once every chart shows it: what a test waits for.
  document.body.dataset['hidden'] = hidden.join(',');
}

/**
 * The run a chart item stands for, where it stands for one (a run's point or curve).
 * @param {unknown} item
 */
function runOfItem(item) {
  const datum = item && typeof item === 'object' && 'datum' in item ? item.datum : undefined;
  if (!datum || typeof datum !== 'object') return undefined;
  const id = 'runId' in datum ? datum.runId : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The chart with its legends' symbols and labels made interactive (vega leaves legends out of pointer
 * events unless asked), so a click on a legend entry reaches the page.
 * @param {VegaSpec} spec the chart compiled to vega, as the server sends it
 * @returns {VegaSpec}
 */
function withClickableLegends(spec) {
  /**
   * @param {any} node a vega spec's group (vega types its specs loosely)
   * @returns {any}
   */
  const visit = (node) => ({
    ...node,
    ...(node.legends && {
      legends: node.legends.map((/** @type {any} */ legend) => ({
        ...legend,
        encode: {
          ...legend.encode,
          symbols: { ...legend.encode?.symbols, interactive: true },
          labels: { ...legend.encode?.labels, interactive: true },
        },
      })),
    }),
    ...(node.marks && { marks: node.marks.map(visit) }),
  });
  return visit(spec);
}

/**
 * @param {HTMLElement} container
 * @param {string} name
 * @param {VegaSpec} spec the chart to draw: the server's, less the rows of hidden legend entries
 * @param {{ shape: string, datasets: Datasets }} sent the server's spec's shape and rows, kept for
 *   later updates
 */
async function embedChart(container, name, spec, sent) {
  // Canvas: thousands of points draw without building thousands of DOM nodes (the SVGs for papers come
  // from the server's .svg route).
  const result = await vegaEmbed(container, withClickableLegends(spec), {
    mode: 'vega',
    actions: { export: true, source: false, compiled: false, editor: false },
    renderer: 'canvas',
  });
  // Every point or curve of a run opens the run's view.
  result.view.addEventListener('click', (_event, item) => {
    const runId = runOfItem(item);
    if (runId) updateView({ run: runId }, { push: true });
    // A legend entry hides (or shows again) its family or budget in every chart.
    const value = legendValueOfItem(item);
    if (value === undefined) return;
    const hidden = state.view.hidden;
    updateView({
      hidden: hidden.includes(value) ? hidden.filter((v) => v !== value) : [...hidden, value],
    });
  });
  result.view.addEventListener('mousemove', (_event, item) => {
    container.style.cursor =
      runOfItem(item) || legendValueOfItem(item) !== undefined ? 'pointer' : '';
  });
  // Hovering a budget or a run highlights it in every chart.
  result.view.addEventListener('mouseover', (_event, item) =>
    hover.set(hoverOfItem(item, isBudgetLabel)),
  );
  result.view.addEventListener('mouseout', () => hover.set(NO_HOVER));
  watchBrush(
    result.view,
    () => state.charts.get(name)?.datasets ?? {},
    (runs) => updateView({ selected: runs }),
  );
  watchZoom(result.view, (range) => zoomChart(name, range));
  const previous = state.charts.get(name);
  previous?.view.finalize();
  state.charts.set(name, { view: result.view, ...sent });
  await highlightIn(result.view, hover.current);
}

/**
 * Fetches a chart's spec (or takes the request already made); swaps the data into the live view when
 * only data changed, else re-embeds.
 * @param {string} name
 * @param {Promise<VegaSpec>} [fetched]
 */
async function loadChart(name, fetched = getJson(chartDataUrl(name))) {
  /** @type {HTMLElement | null} */
  const container = document.querySelector(`[data-chart="${name}"]`);
  if (!container || $('#charts').hidden) return;
  const sweepId = state.sweepId;
  const range = state.view.zoom[name];
  const spec = await fetched;
  if (sweepId !== state.sweepId) return;
  // A chart with nothing to draw (Prime's objectives in a sweep without Prime) stays out of sight.
  const card = container.closest('.card');
  const sent = specRows(spec);
  const datasets = Object.values(sent);
  if (card instanceof HTMLElement) {
    card.hidden = datasets.length > 0 && datasets.every((rows) => rows.length === 0);
  }
  const current = state.charts.get(name);
  const shown = visibleRows(sent, state.view.hidden);
  const shape = specShape(spec);
  if (current && current.shape === shape) {
    current.datasets = sent;
    await swapRows(current.view, shown);
  } else {
    await embedChart(container, name, withZoom(withRows(spec, shown), range), {
      shape,
      datasets: sent,
    });
  }
  const drawn = state.charts.get(name);
  container.dataset['marks'] = String(
    countMarks(/** @type {any} */ (drawn?.view.scenegraph())?.root),
  );
  container.dataset['updates'] = String(Number(container.dataset['updates'] ?? 0) + 1);
  container.dataset['range'] = range ? range.join(',') : '';
  container.dataset['ready'] = 'true';
  addSvgLink(container, name);
}

/**
 * @param {HTMLElement} container
 * @param {string} name
 */
function addSvgLink(container, name) {
  const card = container.closest('.card');
  if (!card || card.querySelector('.svg-link')) return;
  card.append(
    element(
      'a',
      {
        class: 'svg-link',
        href: `${sweepUrl(currentSweep())}/charts/${name}.svg`,
        target: '_blank',
        rel: 'noopener',
      },
      'SVG',
    ),
  );
}

/**
 * One card per chart the server lists, in its order.
 * @param {string[]} names
 */
function buildChartCards(names) {
  $('#charts').replaceChildren(
    ...names.map((name) =>
      element(
        'article',
        { class: 'card wide', dataset: { card: name } },
        element('div', { class: 'chart', dataset: { chart: name } }),
      ),
    ),
  );
  inView.watch(document.querySelectorAll('#charts [data-chart]'));
  refresher.reset();
}

/**
 * The live vega view of a chart, by name: the page's handle on its charts for the browser tests (which
 * find a point to click in the scenegraph) and for a look from the console.
 * @param {string} name
 */
export function chartView(name) {
  return state.charts.get(name)?.view;
}

/** Draws a chart again when its data changes, once due and in view. */
const refresher = new ChartRefresher((name) => loadChart(name), inView);
inView.onEnter((name) => {
  const chart = state.charts.get(name);
  if (chart) void highlightIn(chart.view, hover.current);
});

/** @type {ReturnType<typeof setTimeout> | undefined} */
let sideRefresh;
let tableStale = false;
/** @param {boolean} table whether the event can change the runs table */
function scheduleSideRefresh(table) {
  tableStale ||= table;
  if (sideRefresh) return;
  sideRefresh = setTimeout(async () => {
    sideRefresh = undefined;
    const withTable = tableStale;
    tableStale = false;
    await Promise.all([
      refreshHeader(),
      refreshActiveRuns(),
      withTable ? refreshDecisions().then(refreshRunTable) : undefined,
      loadSweepList(),
    ]).catch((error) => console.error(error));
  }, REFRESH_MS);
}

// ---- live events --------------------------------------------------------------------------------------

/** @param {string} stateName */
function setLive(stateName) {
  $('#live').dataset['state'] = stateName;
}

/**
 * @param {string} sweepId
 * @param {number} lastEventId
 */
function connectEvents(sweepId, lastEventId) {
  state.events?.close();
  const source = new EventSource(`${sweepUrl(sweepId)}/events?lastEventId=${lastEventId}`);
  state.events = source;
  source.onopen = () => setLive('open');
  source.onerror = () =>
    setLive(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  for (const [kind, effect] of /** @type {[EventKind, EVENT_EFFECTS[EventKind]][]} */ (
    Object.entries(EVENT_EFFECTS)
  )) {
    source.addEventListener(kind, (message) => {
      for (const [name, needs] of Object.entries(state.chartNeeds)) {
        if (effect.needs.some((input) => needs[input])) refresher.schedule(name);
      }
      scheduleSideRefresh(effect.table);
      /** @type {SweepEvent} */
      const event = JSON.parse(message.data);
      // The open run's view follows its own run's state changes.
      if (event.runId && event.runId === state.view.run && kind !== 'progress') {
        void openRunView(sweepId, event.runId).catch(showError);
      }
    });
  }
}

/**
 * @param {string} sweepId
 * @param {import('./sweep-requests.js').SweepRequests} [requests] its requests, where already made
 */
async function selectSweep(sweepId, requests = sweepRequests(sweepId, { zoom: state.view.zoom })) {
  state.sweepId = sweepId;
  state.view = { ...state.view, sweep: sweepId };
  for (const { view } of state.charts.values()) view.finalize();
  state.charts.clear();
  document
    .querySelectorAll('#sweep-list li')
    .forEach((li) =>
      li.classList.toggle('active', /** @type {HTMLElement} */ (li).dataset['sweepId'] === sweepId),
    );
  /** @type {[SweepWithCursor, import('./contracts').ChartList]} */
  const [sweep, { charts, needs }] = await Promise.all([
    refreshHeader(requests.sweep),
    requests.charts,
  ]);
  state.chartNeeds = needs;
  buildChartCards(charts);
  $('#charts').hidden = false;
  connectEvents(sweepId, sweep.lastEventId);
  const names = [...document.querySelectorAll('[data-chart]')].flatMap((node) => {
    const name = /** @type {HTMLElement} */ (node).dataset['chart'];
    return name ? [name] : [];
  });
  // Charts first: the runs table of a big sweep is megabytes, and reading it while the charts are
  // drawn would hold them back on the core they share.
  // Asked for together, drawn one by one in page order: drawn side by side they all finished at the
  // end, as their work interleaved on the page's one thread.
  const specs = await requests.specs;
  const active = refreshActiveRuns(requests.activeRuns);
  for (const name of names) {
    // A chart the sweep lists beyond those already asked for is asked for here (loadChart).
    await loadChart(name, specs.get(name)).catch((error) => console.error(`chart ${name}:`, error));
  }
  await active;
  document.body.dataset['charts'] = sweepId;
  await refreshDecisions().then(refreshRunTable);
  const view = state.view;
  renderHiddenChips();
  closeRunView();
  if (view.run) await openRunView(sweepId, view.run).catch(showError);
  await showComparison(sweepId, view.selected).catch(showError);
  document.body.dataset['loaded'] = sweepId;
}

/**
 * The server's vocabulary, where it has the route and it lists names; without it the page reads the
 * names from the data.
 */
async function loadVocabulary() {
  const body = await firstRequests.vocabulary;
  const families = stringList(body?.['families']);
  const runStates = stringList(body?.['runStates']);
  state.vocabulary = families && runStates ? { families, runStates } : undefined;
}

async function start() {
  const [, sweeps, opening] = await Promise.all([
    loadVocabulary(),
    loadSweepList(firstRequests.sweepList),
    firstRequests.sweep,
  ]);
  const wanted = state.view.sweep;
  const first = openingSweep(sweeps, wanted);
  if (first) {
    if (first.id !== wanted) {
      // A URL's zoom belongs to the sweep it names (sweep-requests.js asks for the whole charts).
      state.view = { ...state.view, sweep: first.id, zoom: {} };
      writeViewState(state.view);
    }
    await selectSweep(first.id, opening?.sweepId === first.id ? opening : undefined);
  } else document.body.dataset['loaded'] = 'none';
}

/** Back, Forward, or a pasted link: the URL is the view. */
function followUrl() {
  const before = state.view;
  state.view = readViewState();
  void applyView(before, state.view);
}
window.addEventListener('hashchange', followUrl);
window.addEventListener('popstate', followUrl);

/**
 * @param {string} selector
 * @param {'family' | 'state' | 'budget'} key
 */
function bindFilter(selector, key) {
  /** @type {HTMLSelectElement} */
  const select = $(selector);
  select.addEventListener('change', () => updateView({ [key]: select.value, page: 0 }));
}
bindFilter('#filter-family', 'family');
bindFilter('#filter-state', 'state');
bindFilter('#filter-budget', 'budget');
/** @type {HTMLInputElement} */
const search = $('#filter-search');
search.addEventListener('input', () => updateView({ q: search.value, page: 0 }));
$('#page-prev').addEventListener('click', () => updateView({ page: state.view.page - 1 }));
$('#page-next').addEventListener('click', () => updateView({ page: state.view.page + 1 }));
$('#run-close').addEventListener('click', () => updateView({ run: undefined }, { push: true }));
$('#compare-clear').addEventListener('click', () => updateView({ selected: [] }));
$('#runs-csv').addEventListener('click', async () => {
  const csv = await table.csv().catch((error) => void showError(error));
  if (csv === undefined) return;
  const link = /** @type {HTMLAnchorElement} */ (
    element('a', {
      href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })),
      download: `${state.sweepId ?? 'sweep'}-runs.csv`,
    })
  );
  link.click();
  URL.revokeObjectURL(link.href);
});

start().catch((error) => {
  $('#main').prepend(
    element('p', { class: 'error' }, `Could not load the dashboard: ${error.message}`),
  );
});
