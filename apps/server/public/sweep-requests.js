// @ts-check
// The requests behind a sweep's view, started together, and those of the page's first view, started as
// soon as this module runs: index.html loads it as an async module ahead of the page's others (Chromium
// runs it once the vega builds are evaluated), so the sweep list and the vocabulary, then the sweep, its
// chart list and every chart's spec are on their way before app.js starts. The first view asks for the
// charts the server's vocabulary names as soon as it knows the sweep, beside the sweep's own chart list
// (which names the same charts) instead of after it.
import { getJson, stringList, sweepUrl } from './dom.js';
import { readViewState } from './url-state.js';

/** @typedef {import('vega').Spec} VegaSpec */
/** @typedef {import('./contracts').SweepList} SweepList */

/**
 * A chart's spec as the page embeds it (compiled to vega on the server); a zoomed loss chart asks for
 * its visible x range, where the server sends every point (min/max-downsampled per run).
 * @param {string} sweepId
 * @param {string} name
 * @param {[number, number]} [range]
 */
export function chartSpecUrl(sweepId, name, range) {
  const url = `${sweepUrl(sweepId)}/charts/${name}.vega.json`;
  return range ? `${url}?xmin=${range[0]}&xmax=${range[1]}` : url;
}

/**
 * @typedef {object} SweepRequests
 * @property {string} sweepId
 * @property {Promise<import('./contracts').SweepWithCursor>} sweep
 * @property {Promise<import('./contracts').ChartList>} charts
 * @property {Promise<Map<string, Promise<VegaSpec>>>} specs every listed chart's spec, by name
 * @property {Promise<import('./contracts').RunPage>} activeRuns its training runs
 */

/**
 * Everything a sweep's view starts from, asked for at once: the charts' specs as soon as their list
 * arrives, or at once for the charts named here.
 * @param {string} sweepId
 * @param {{ chartNames?: string[] | undefined, zoom?: Record<string, [number, number]> }} [options]
 *   the charts to ask for without waiting for the sweep's list; the x range of each zoomed chart
 * @returns {SweepRequests}
 */
export function sweepRequests(sweepId, { chartNames, zoom = {} } = {}) {
  /** @type {Promise<import('./contracts').ChartList>} */
  const charts = getJson(`${sweepUrl(sweepId)}/charts`);
  /** @param {string[]} names */
  const ask = (names) =>
    new Map(
      names.map((name) => {
        /** @type {Promise<VegaSpec>} */
        const spec = getJson(chartSpecUrl(sweepId, name, zoom[name]));
        return [name, handled(spec)];
      }),
    );
  const specs = chartNames
    ? Promise.resolve(ask(chartNames))
    : charts.then(({ charts: names }) => ask(names));
  return {
    sweepId,
    sweep: handled(getJson(sweepUrl(sweepId))),
    charts: handled(charts),
    specs: handled(specs),
    activeRuns: handled(getJson(`${sweepUrl(sweepId)}/runs?state=running&limit=50`)),
  };
}

/**
 * The sweep a page opens: the one its URL names where the server has it, else the newest.
 * @param {SweepList['sweeps']} sweeps newest first
 * @param {string | undefined} wanted
 */
export function openingSweep(sweeps, wanted) {
  return sweeps.find((sweep) => sweep.id === wanted) ?? sweeps[0];
}

/** @type {Promise<SweepList>} */
const sweepList = getJson('/api/sweeps');

/** @type {Promise<Record<string, unknown> | undefined>} */
const vocabulary = getJson('/api/vocabulary').catch(() => undefined);

/** The first view's requests, started when the page loads this module. */
export const firstRequests = {
  /** the server's vocabulary, where it has one */
  vocabulary,
  sweepList: handled(sweepList),
  /** @type {Promise<SweepRequests | undefined>} the opening sweep's (none without sweeps) */
  sweep: handled(
    Promise.all([sweepList, vocabulary]).then(([{ sweeps }, words]) => {
      const view = readViewState();
      const opening = openingSweep(sweeps, view.sweep);
      const chartNames = stringList(words?.['charts']);
      // A URL's zoom belongs to its sweep.
      const zoom = opening?.id === view.sweep ? view.zoom : {};
      return opening && sweepRequests(opening.id, { chartNames, zoom });
    }),
  ),
};

/**
 * The same promise, marked as handled: its failure reaches whoever awaits it, and no one else (a page
 * that never gets to a request, after an earlier one failed, logs no unhandled rejection).
 * @template T
 * @param {Promise<T>} promise
 * @returns {Promise<T>}
 */
function handled(promise) {
  promise.catch(() => undefined);
  return promise;
}
