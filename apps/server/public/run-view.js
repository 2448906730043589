// @ts-check
/* global vegaEmbed -- loaded by index.html (typed in globals.d.ts) */
// One run's page (its curves, plan, events and error) and the comparison of selected runs. The curves
// are drawn from GET .../runs/:run/metrics, downsampled on the server (spikes survive its min/max).
import { $, element, formatCount, formatFlops, formatLoss, getJson, sweepUrl } from './dom.js';

/** @typedef {import('./contracts').RunMetrics} RunMetrics */
/** @typedef {import('./contracts').RunEvents} RunEvents */
/** @typedef {import('./contracts').StoredMetric} StoredMetric */
/** @typedef {import('./contracts').SweepEvent} SweepEvent */
/** @typedef {import('vega-embed').VisualizationSpec} VisualizationSpec */
/** @typedef {{ finalize(): void }} Finalizable */

/** Points per kind a curve needs on a screen-wide chart. */
const MAX_POINTS = 600;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const TRAINING = 'training loss';
/** An ARM or MDM run's bound (its NLL or ELBO). */
const BOUND = 'evaluated bound';
/** MDM-Prime-v2's bound K, and its objective J, which is not a bound. */
const PRIME_BOUND = 'evaluated bound (K)';
const PRIME_OBJECTIVE = 'objective J (not a bound)';
/**
 * The loss curves' series in legend order, each with its dash.
 * @type {[string, number[]][]}
 */
const LOSS_SERIES = [
  [TRAINING, [1, 0]],
  [BOUND, [6, 3]],
  [PRIME_BOUND, [6, 3]],
  [PRIME_OBJECTIVE, [2, 2]],
];

/** @type {Finalizable[]} */
let runViews = [];
/** @type {Finalizable[]} */
let compareViews = [];

/**
 * @param {string} sweepId
 * @param {string} runId
 */
function fetchMetrics(sweepId, runId) {
  return /** @type {Promise<RunMetrics>} */ (
    getJson(
      `${sweepUrl(sweepId)}/runs/${encodeURIComponent(runId)}/metrics?maxPoints=${MAX_POINTS}`,
    )
  );
}

/**
 * The run's rows for the curve charts: training loss per step, the evaluated bound per evaluation and,
 * for MDM-Prime-v2 (the runs that record J), its bound named K and its objective J (not a bound).
 * @param {string} runId
 * @param {StoredMetric[]} metrics
 */
function curveRows(runId, metrics) {
  const bound = metrics.some((m) => m.primeObjective !== null) ? PRIME_BOUND : BOUND;
  /** @type {Record<string, string | number>[]} */
  const rows = [];
  for (const m of metrics) {
    const at = { run: runId, step: m.step, tokens: m.tokens };
    if (m.kind === 'train') {
      if (m.loss !== null) rows.push({ ...at, series: TRAINING, loss: m.loss });
      if (m.lr !== null) rows.push({ ...at, series: 'learning rate', lr: m.lr });
      if (m.tokensPerSecond !== null) {
        rows.push({ ...at, series: 'tokens/s', speed: m.tokensPerSecond });
      }
    } else {
      if (m.valLoss !== null) rows.push({ ...at, series: bound, loss: m.valLoss });
      if (m.primeObjective !== null) {
        rows.push({ ...at, series: PRIME_OBJECTIVE, loss: m.primeObjective });
      }
    }
  }
  return rows;
}

/**
 * The loss series these rows have, in legend order.
 * @param {Record<string, string | number>[]} rows
 */
function lossSeriesOf(rows) {
  const present = new Set(rows.map((row) => row['series']));
  return LOSS_SERIES.filter(([series]) => present.has(series));
}

/**
 * The loss series a view draws, for its `data-series` (what a test reads).
 * @param {Record<string, string | number>[]} rows
 */
function lossSeriesNames(rows) {
  return lossSeriesOf(rows)
    .map(([series]) => series)
    .join(',');
}

/**
 * @param {string} title
 * @param {Record<string, string | number>[]} rows
 * @param {{ field: string, axis: string, color: string, filter: string, dash?: boolean }} options
 * @returns {VisualizationSpec}
 */
function lineSpec(title, rows, options) {
  const dashes = lossSeriesOf(rows);
  return {
    $schema: SCHEMA,
    title,
    width: 'container',
    height: 200,
    data: { values: rows },
    transform: [{ filter: options.filter }],
    mark: { type: 'line', point: rows.length < 80, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: {
        field: options.field,
        type: 'quantitative',
        scale: { zero: false },
        title: options.axis,
      },
      color: { field: options.color, type: 'nominal', title: null },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: {
          domain: dashes.map(([series]) => series),
          range: dashes.map(([, dash]) => dash),
        },
        // In a comparison the colour is the run's: the dash says which curve is which.
        legend: options.color === 'series' ? null : { title: null },
      },
    },
  };
}

/**
 * @param {HTMLElement} container
 * @param {VisualizationSpec} spec
 */
async function embed(container, spec) {
  const result = await vegaEmbed(container, spec, { actions: false, renderer: 'canvas' });
  container.dataset['ready'] = 'true';
  return result.view;
}

/**
 * One line per event, read through the store's event union (each kind's payload has its own fields).
 * @param {SweepEvent} event
 */
function describeEvent(event) {
  switch (event.kind) {
    case 'run': {
      const p = event.payload;
      const details = [
        p.worker && `worker ${p.worker}`,
        p.attempt !== undefined && `attempt ${p.attempt}`,
        p.reason,
        p.result && `bound ${formatLoss(p.result.valLoss)}`,
        p.divergedStep !== undefined && `diverged at step ${p.divergedStep}`,
        p.error,
      ].filter(Boolean);
      return `${p.state}${details.length ? `: ${details.join(', ')}` : ''}`;
    }
    case 'progress':
      return event.payload.kind === 'start'
        ? `started on ${event.payload.worker} (attempt ${event.payload.attempt})`
        : event.payload.kind;
    case 'decision':
      return `decision ${event.payload.type}: ${event.payload.message}`;
    default:
      return event.kind;
  }
}

export function closeRunView() {
  for (const view of runViews) view.finalize();
  runViews = [];
  const section = $('#run-view');
  section.hidden = true;
  delete section.dataset['run'];
  delete section.dataset['ready'];
}

/**
 * Shows one run: plan, state, error, events and curves.
 * @param {string} sweepId
 * @param {string} runId
 */
export async function openRunView(sweepId, runId) {
  const section = $('#run-view');
  section.hidden = false;
  section.dataset['run'] = runId;
  delete section.dataset['ready'];
  const base = `${sweepUrl(sweepId)}/runs/${encodeURIComponent(runId)}`;
  const [{ run, events }, metrics] = await Promise.all([
    /** @type {Promise<RunEvents>} */ (getJson(`${base}/events`)),
    fetchMetrics(sweepId, runId),
  ]);
  if (section.dataset['run'] !== runId) return;
  $('#run-title').textContent = run.id;
  const badge = $('#run-state');
  badge.textContent = run.state;
  badge.className = `badge state-${run.state}`;
  /** @type {[string, string][]} */
  const facts = [
    ['family', run.family],
    ['variant', run.variant],
    ['budget C', formatFlops(run.budgetFlops)],
    ['N', formatCount(run.params)],
    ['D (tokens)', formatCount(run.tokens)],
    ['steps', `${run.lastStep ?? 0} / ${run.steps}`],
    ['shape d·layers·heads', `${run.dModel}·${run.nLayers}·${run.nHeads}`],
    ['batch · seq', `${run.batchSize} · ${run.seqLen}`],
    ['seed', String(specField(run.spec, 'seed') ?? '–')],
    ['bound', formatLoss(run.valLoss)],
    [PRIME_OBJECTIVE, formatLoss(run.primeObjective)],
    ['tokens/s', formatCount(run.tokensPerSecond)],
    ['attempts', String(run.attempts)],
    ['worker', run.worker ?? '–'],
  ];
  $('#run-facts').replaceChildren(
    ...facts.flatMap(([name, value]) => [element('dt', {}, name), element('dd', {}, value)]),
  );
  const error = $('#run-error');
  error.hidden = !run.error;
  error.textContent = run.error ?? '';
  $('#run-events').replaceChildren(
    ...events.map((event) =>
      element(
        'li',
        { dataset: { kind: event.kind } },
        element('time', {}, new Date(event.createdAt).toLocaleTimeString()),
        ` ${describeEvent(event)}`,
      ),
    ),
  );
  $('#run-spec').textContent = JSON.stringify(run.spec, null, 2);

  const rows = curveRows(run.id, metrics.metrics);
  for (const view of runViews) view.finalize();
  /** @type {[string, string, string, string][]} container, title, field, axis */
  const curves = [
    ['#run-loss', 'loss', 'loss', 'nats/token'],
    ['#run-lr', 'learning rate', 'lr', 'learning rate'],
    ['#run-speed', 'tokens/s', 'speed', 'tokens/s'],
  ];
  const drawn = await Promise.all(
    curves.map(([selector, title, field, axis]) => {
      const container = $(selector);
      // A run that has not reported a quantity (yet) says so instead of drawing empty axes.
      if (!rows.some((row) => row[field] !== undefined)) {
        container.replaceChildren(element('p', { class: 'muted' }, `${title}: not recorded`));
        delete container.dataset['ready'];
        return undefined;
      }
      return embed(
        container,
        lineSpec(title, rows, { field, axis, color: 'series', filter: `isValid(datum.${field})` }),
      );
    }),
  );
  runViews = drawn.filter((view) => view !== undefined);
  section.dataset['points'] = String(rows.length);
  section.dataset['series'] = lossSeriesNames(rows);
  section.dataset['ready'] = 'true';
}

/**
 * A field of a run's planned RunSpec, for the facts list (the spec is the planner's, shown as it is).
 * @param {unknown} spec
 * @param {string} field
 */
function specField(spec, field) {
  return spec && typeof spec === 'object' && field in spec
    ? /** @type {Record<string, unknown>} */ (spec)[field]
    : undefined;
}

/**
 * Overlays the curves of the selected runs, one colour per run; hidden under two runs.
 * @param {string} sweepId
 * @param {string[]} runIds
 */
export async function showComparison(sweepId, runIds) {
  const section = $('#compare');
  for (const view of compareViews) view.finalize();
  compareViews = [];
  section.hidden = runIds.length < 2;
  section.dataset['runs'] = runIds.join(',');
  delete section.dataset['ready'];
  if (section.hidden) return;
  const all = await Promise.all(runIds.map((id) => fetchMetrics(sweepId, id)));
  if (section.dataset['runs'] !== runIds.join(',')) return;
  const rows = all.flatMap((m) => curveRows(m.runId, m.metrics));
  $('#compare-summary').textContent = runIds.join(' · ');
  section.dataset['series'] = lossSeriesNames(rows);
  compareViews = [
    await embed(
      $('#compare-loss'),
      lineSpec('loss of the selected runs', rows, {
        field: 'loss',
        axis: 'nats/token',
        color: 'run',
        filter: 'isValid(datum.loss)',
      }),
    ),
  ];
  section.dataset['ready'] = 'true';
}
