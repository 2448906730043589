// The isoflop dashboard: lists sweeps, embeds the server's vega-lite charts, and keeps them current from
// the sweep's server-sent event stream. Charts are built on the server (one spec builder per chart); this
// script only fetches, embeds, and swaps in new data.
/* global vega, vegaEmbed */

const RUN_PAGE_SIZE = 50;
/** Least time between two refreshes of one chart, so a burst of progress events costs one fetch. */
const REFRESH_MS = 800;

/** Which charts each kind of event can change. */
const CHARTS_BY_EVENT = {
  progress: ['loss-tokens', 'loss-flops', 'run-states'],
  run: [
    'run-states',
    'isoflop-curves',
    'isoloss-contours',
    'prime-objectives',
    'loss-tokens',
    'loss-flops',
  ],
  sweep: ['run-states'],
  decision: ['run-states'],
  fit: ['isoflop-curves', 'frontier', 'isoloss-contours', 'family-comparison'],
};

const state = {
  sweepId: undefined,
  events: undefined,
  /** chart name -> { view, shape } where shape is the spec without its data. */
  charts: new Map(),
  refreshTimers: new Map(),
  refreshing: new Set(),
  runPage: 0,
  /** run id -> the adaptive step's decision that added it. */
  added: new Map(),
};

const $ = (selector) => document.querySelector(selector);

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message ?? `${response.status} ${response.statusText}`);
  }
  return response.json();
}

function formatCount(value) {
  if (value === null || value === undefined) return '–';
  if (value >= 1e9) return `${(value / 1e9).toPrecision(3)}B`;
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return String(value);
}

function formatFlops(value) {
  return value.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
}

function formatLoss(value) {
  return value === null || value === undefined ? '–' : value.toFixed(4);
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// ---- sweep list ---------------------------------------------------------------------------------------

async function loadSweepList() {
  const { sweeps } = await getJson('/api/sweeps');
  const list = $('#sweep-list');
  list.replaceChildren(
    ...sweeps.map((sweep) => {
      const done = (sweep.runs.done ?? 0) + (sweep.runs.failed ?? 0) + (sweep.runs.diverged ?? 0);
      const item = element(
        'li',
        { class: sweep.id === state.sweepId ? 'active' : '', dataset: { sweepId: sweep.id } },
        element('div', { class: 'sweep-name' }, sweep.name),
        element(
          'div',
          { class: 'sweep-meta' },
          element('span', { class: `badge state-${sweep.state}` }, sweep.state),
          ` ${done}/${sweep.runCount} runs`,
        ),
      );
      item.addEventListener('click', () => {
        location.hash = `sweep=${encodeURIComponent(sweep.id)}`;
      });
      return item;
    }),
  );
  $('#sweep-empty').hidden = sweeps.length > 0;
  return sweeps;
}

function sweepFromHash() {
  const match = /sweep=([^&]+)/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : undefined;
}

// ---- one sweep ----------------------------------------------------------------------------------------

function renderHeader(sweep) {
  $('#sweep-header').hidden = false;
  $('#sweep-name').textContent = sweep.name;
  $('#sweep-id').textContent = sweep.id;
  const badge = $('#sweep-state');
  badge.textContent = sweep.state;
  badge.className = `badge state-${sweep.state}`;
  const order = ['planned', 'queued', 'running', 'done', 'failed', 'diverged', 'cancelled'];
  $('#sweep-counts').replaceChildren(
    ...order
      .filter((name) => sweep.runs[name])
      .map((name) =>
        element(
          'span',
          { class: `count state-${name}` },
          element('b', {}, String(sweep.runs[name])),
          ` ${name}`,
        ),
      ),
  );
  const base = `/api/sweeps/${encodeURIComponent(sweep.id)}`;
  $('#export-json').href = `${base}/export?format=json`;
  $('#export-csv').href = `${base}/export?format=csv`;
  $('#fit-json').href = `${base}/fit`;
  const finished =
    (sweep.runs.done ?? 0) +
    (sweep.runs.failed ?? 0) +
    (sweep.runs.diverged ?? 0) +
    (sweep.runs.cancelled ?? 0);
  $('#progress').hidden = false;
  $('#progress-fill').style.width = `${sweep.runCount ? (100 * finished) / sweep.runCount : 0}%`;
  $('#progress-summary').textContent = `${finished} of ${sweep.runCount} runs finished`;
}

async function refreshHeader() {
  const sweep = await getJson(`/api/sweeps/${encodeURIComponent(state.sweepId)}`);
  renderHeader(sweep);
  return sweep;
}

async function refreshActiveRuns() {
  const base = `/api/sweeps/${encodeURIComponent(state.sweepId)}`;
  const { runs } = await getJson(`${base}/runs?state=running&limit=50`);
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

function describeDecision(decision) {
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
  const { decisions } = await getJson(`/api/sweeps/${encodeURIComponent(state.sweepId)}/decisions`);
  state.added = new Map(
    decisions.filter((decision) => decision.type === 'add').map((d) => [d.runId, d]),
  );
  $('#decisions').hidden = decisions.length === 0;
  $('#decisions-summary').textContent = `${state.added.size} run(s) added`;
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
  const base = `/api/sweeps/${encodeURIComponent(state.sweepId)}`;
  const query = new URLSearchParams({
    limit: String(RUN_PAGE_SIZE),
    offset: String(state.runPage * RUN_PAGE_SIZE),
  });
  if ($('#filter-family').value) query.set('family', $('#filter-family').value);
  if ($('#filter-state').value) query.set('state', $('#filter-state').value);
  const page = await getJson(`${base}/runs?${query}`);
  $('#runs').hidden = false;
  const pages = Math.max(1, Math.ceil(page.total / RUN_PAGE_SIZE));
  $('#page-label').textContent = `${page.total} runs · page ${state.runPage + 1}/${pages}`;
  $('#page-prev').disabled = state.runPage === 0;
  $('#page-next').disabled = state.runPage + 1 >= pages;
  $('#run-table tbody').replaceChildren(
    ...page.runs.map((run) =>
      element(
        'tr',
        {},
        element(
          'td',
          { class: 'mono' },
          run.id,
          ...(state.added.has(run.id)
            ? [
                ' ',
                element(
                  'span',
                  { class: 'badge added', title: state.added.get(run.id).message },
                  'added',
                ),
              ]
            : []),
        ),
        element('td', { title: run.family }, run.variant ?? run.family),
        element('td', {}, element('span', { class: `badge state-${run.state}` }, run.state)),
        element('td', {}, formatFlops(run.budgetFlops)),
        element('td', {}, formatCount(run.params)),
        element('td', {}, `${run.dModel}·${run.nLayers}·${run.nHeads}`),
        element('td', {}, formatCount(run.tokens)),
        element('td', {}, formatLoss(run.valLoss)),
        element('td', { class: 'muted' }, formatLoss(run.primeObjective)),
      ),
    ),
  );
}

// ---- charts -------------------------------------------------------------------------------------------

function chartUrl(name, format) {
  return `/api/sweeps/${encodeURIComponent(state.sweepId)}/charts/${name}.${format}`;
}

function specShape(spec) {
  return JSON.stringify({ ...spec, datasets: undefined });
}

/** How many marks vega drew: items of every mark in the scenegraph (canvas keeps them out of the DOM). */
function countMarks(node) {
  if (!node || typeof node !== 'object') return 0;
  let count = node.marktype && node.marktype !== 'group' ? (node.items?.length ?? 0) : 0;
  for (const item of node.items ?? []) count += countMarks(item);
  return count;
}

async function embedChart(container, name, spec) {
  // Canvas: thousands of points draw without building thousands of DOM nodes (the SVGs for papers come
  // from the server's .svg route).
  const result = await vegaEmbed(container, spec, {
    actions: { export: true, source: false, compiled: false, editor: false },
    renderer: 'canvas',
  });
  const previous = state.charts.get(name);
  previous?.view.finalize();
  state.charts.set(name, { view: result.view, shape: specShape(spec) });
}

/** Fetches a chart's spec; swaps the data into the live view when only data changed, else re-embeds. */
async function loadChart(name) {
  const container = document.querySelector(`[data-chart="${name}"]`);
  if (!container || container.closest('[hidden]')) return;
  const sweepId = state.sweepId;
  const spec = await getJson(chartUrl(name, 'json'));
  if (sweepId !== state.sweepId) return;
  const current = state.charts.get(name);
  if (current && current.shape === specShape(spec)) {
    for (const [dataset, rows] of Object.entries(spec.datasets ?? {})) {
      current.view.change(
        dataset,
        vega
          .changeset()
          .remove(() => true)
          .insert(rows),
      );
    }
    await current.view.runAsync();
  } else {
    await embedChart(container, name, spec);
  }
  container.dataset.marks = String(countMarks(state.charts.get(name).view.scenegraph().root));
  container.dataset.updates = String(Number(container.dataset.updates ?? 0) + 1);
  container.dataset.ready = 'true';
  addSvgLink(container, name);
}

function addSvgLink(container, name) {
  const card = container.closest('.card');
  if (!card || card.querySelector('.svg-link')) return;
  card.append(
    element(
      'a',
      { class: 'svg-link', href: chartUrl(name, 'svg'), target: '_blank', rel: 'noopener' },
      'SVG',
    ),
  );
}

function scheduleRefresh(name) {
  if (state.refreshTimers.has(name)) return;
  state.refreshTimers.set(
    name,
    setTimeout(async () => {
      state.refreshTimers.delete(name);
      if (state.refreshing.has(name)) return scheduleRefresh(name);
      state.refreshing.add(name);
      try {
        await loadChart(name);
      } catch (error) {
        console.error(`chart ${name}:`, error);
      } finally {
        state.refreshing.delete(name);
      }
    }, REFRESH_MS),
  );
}

let sideRefresh;
function scheduleSideRefresh() {
  if (sideRefresh) return;
  sideRefresh = setTimeout(async () => {
    sideRefresh = undefined;
    await Promise.all([
      refreshHeader(),
      refreshActiveRuns(),
      refreshDecisions().then(refreshRunTable),
      loadSweepList(),
    ]).catch((error) => console.error(error));
  }, REFRESH_MS);
}

// ---- live events --------------------------------------------------------------------------------------

function setLive(stateName) {
  $('#live').dataset.state = stateName;
}

function connectEvents(sweepId, lastEventId) {
  state.events?.close();
  const source = new EventSource(
    `/api/sweeps/${encodeURIComponent(sweepId)}/events?lastEventId=${lastEventId}`,
  );
  state.events = source;
  source.onopen = () => setLive('open');
  source.onerror = () =>
    setLive(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  for (const [kind, charts] of Object.entries(CHARTS_BY_EVENT)) {
    source.addEventListener(kind, () => {
      for (const name of charts) scheduleRefresh(name);
      scheduleSideRefresh();
    });
  }
}

async function selectSweep(sweepId) {
  state.sweepId = sweepId;
  state.runPage = 0;
  for (const { view } of state.charts.values()) view.finalize();
  state.charts.clear();
  document
    .querySelectorAll('#sweep-list li')
    .forEach((li) => li.classList.toggle('active', li.dataset.sweepId === sweepId));
  const sweep = await refreshHeader();
  const prime = await getJson(
    `/api/sweeps/${encodeURIComponent(sweepId)}/runs?family=mdm-prime-v2&limit=1`,
  );
  $('#prime-card').hidden = prime.total === 0;
  $('#charts').hidden = false;
  connectEvents(sweepId, sweep.lastEventId);
  const names = [...document.querySelectorAll('[data-chart]')].map((node) => node.dataset.chart);
  await Promise.all([
    refreshActiveRuns(),
    refreshDecisions().then(refreshRunTable),
    ...names.map((name) =>
      loadChart(name).catch((error) => console.error(`chart ${name}:`, error)),
    ),
  ]);
  document.body.dataset.loaded = sweepId;
}

async function start() {
  const sweeps = await loadSweepList();
  const wanted = sweepFromHash();
  const first = sweeps.find((sweep) => sweep.id === wanted) ?? sweeps[0];
  if (first) await selectSweep(first.id);
  else document.body.dataset.loaded = 'none';
}

window.addEventListener('hashchange', () => {
  const wanted = sweepFromHash();
  if (wanted && wanted !== state.sweepId) void selectSweep(wanted);
});
$('#filter-family').addEventListener('change', () => ((state.runPage = 0), refreshRunTable()));
$('#filter-state').addEventListener('change', () => ((state.runPage = 0), refreshRunTable()));
$('#page-prev').addEventListener('click', () => ((state.runPage -= 1), refreshRunTable()));
$('#page-next').addEventListener('click', () => ((state.runPage += 1), refreshRunTable()));

start().catch((error) => {
  $('#main').prepend(
    element('p', { class: 'error' }, `Could not load the dashboard: ${error.message}`),
  );
});
