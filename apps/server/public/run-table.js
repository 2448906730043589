// @ts-check
// The runs table: one page of runs at a time, filtered, sorted and cut into pages by the server, so a
// sweep of 10,000 runs costs the page 50 rows at load and on every live update, not megabytes.
import { $, element, formatCount, formatFlops, formatLoss, getJson, sweepUrl } from './dom.js';

/** @typedef {import('./contracts').Run} Run */
/** @typedef {import('./contracts').Decision} Decision */
/** @typedef {import('./url-state.js').ViewState} ViewState */

export const RUN_PAGE_SIZE = 50;
/** The most runs one request of the runs route returns (its `limit` maximum), for the CSV. */
const RUNS_PER_REQUEST = 10_000;

/**
 * @typedef {object} Column
 * @property {string} key
 * @property {string} label
 * @property {string} [title]
 * @property {(run: Run) => string | number | null} value what the CSV holds (the server sorts by the key)
 * @property {(run: Run) => string} [text] what the cell shows, when not the value itself
 */

/** @type {Column[]} */
export const COLUMNS = [
  { key: 'id', label: 'run', value: (run) => run.id },
  { key: 'variant', label: 'variant', value: (run) => run.variant },
  { key: 'state', label: 'state', value: (run) => run.state },
  {
    key: 'budgetFlops',
    label: 'budget C',
    value: (run) => run.budgetFlops,
    text: (run) => formatFlops(run.budgetFlops),
  },
  {
    key: 'params',
    label: 'N',
    value: (run) => run.params,
    text: (run) => formatCount(run.params),
  },
  {
    key: 'shape',
    label: 'd·layers·heads',
    value: (run) => `${run.dModel}·${run.nLayers}·${run.nHeads}`,
  },
  {
    key: 'tokens',
    label: 'tokens D',
    value: (run) => run.tokens,
    text: (run) => formatCount(run.tokens),
  },
  { key: 'steps', label: 'steps', value: (run) => run.steps },
  {
    key: 'valLoss',
    label: 'bound',
    value: (run) => run.valLoss,
    text: (run) => formatLoss(run.valLoss),
  },
  {
    key: 'primeObjective',
    label: 'objective J',
    title: 'MDM-Prime-v2 only: an objective, not a likelihood bound',
    value: (run) => run.primeObjective,
    text: (run) => formatLoss(run.primeObjective),
  },
];

/** A page of the runs a view's filters keep, in its sort order (the server's grid order when unsorted). */
export class RunTable {
  /** @type {string | undefined} */
  sweepId;
  /** runs in the sweep, filtered or not */
  sweepRuns = 0;
  /** @type {string[]} the model families (filter values asked for as `family`, others as `variant`) */
  families = [];
  /** @type {Map<string, Decision>} run id -> the adaptive step's decision that added it */
  added = new Map();
  /** Counts requests, so a slow answer to an older view is not drawn over a newer one. */
  requests = 0;

  /**
   * @param {{ onOpen: (runId: string) => void, onChange: (patch: Partial<ViewState>) => void }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
    $('#run-table thead').replaceChildren(
      element(
        'tr',
        {},
        element('th', { title: 'select runs to compare' }, '✓'),
        ...COLUMNS.map((column) => {
          const th = element(
            'th',
            { class: 'sortable', dataset: { sort: column.key }, title: column.title ?? 'sort' },
            column.label,
          );
          th.addEventListener('click', () => this.toggleSort(column.key));
          return th;
        }),
      ),
    );
  }

  /** @type {ViewState | undefined} */
  view;

  /** @param {string} key */
  toggleSort(key) {
    const view = this.view;
    if (!view) return;
    const desc = view.sort === key ? !view.desc : false;
    this.handlers.onChange({ sort: key, desc, page: 0 });
  }

  /**
   * The runs route's query for a view's filters and sort (without paging).
   * @param {ViewState} view
   */
  query(view) {
    const params = new URLSearchParams();
    if (view.family !== '') {
      params.set(this.families.includes(view.family) ? 'family' : 'variant', view.family);
    }
    if (view.state !== '') params.set('state', view.state);
    if (view.budget !== '') params.set('budget', view.budget);
    const text = view.q.trim();
    if (text !== '') params.set('q', text);
    if (COLUMNS.some((column) => column.key === view.sort)) {
      params.set('sort', view.sort);
      if (view.desc) params.set('desc', 'true');
    }
    return params;
  }

  /**
   * Asks the server for a view's page of runs and draws it (an answer to an older view is dropped).
   * @param {ViewState} view
   */
  async render(view) {
    this.view = view;
    if (!this.sweepId) return;
    const request = ++this.requests;
    const params = this.query(view);
    params.set('limit', String(RUN_PAGE_SIZE));
    params.set('offset', String(view.page * RUN_PAGE_SIZE));
    /** @type {import('./contracts').RunPage} */
    let result = await getJson(`${sweepUrl(this.sweepId)}/runs?${params}`);
    const pages = Math.max(1, Math.ceil(result.total / RUN_PAGE_SIZE));
    // A page past the end (the filter left fewer runs): the last page instead.
    if (view.page >= pages && result.total > 0) {
      params.set('offset', String((pages - 1) * RUN_PAGE_SIZE));
      result = await getJson(`${sweepUrl(this.sweepId)}/runs?${params}`);
    }
    if (request !== this.requests) return;
    const page = Math.min(view.page, pages - 1);
    $('#page-label').textContent =
      `${result.total} of ${this.sweepRuns} runs · page ${page + 1}/${pages}`;
    /** @type {HTMLButtonElement} */ ($('#page-prev')).disabled = page === 0;
    /** @type {HTMLButtonElement} */ ($('#page-next')).disabled = page + 1 >= pages;
    for (const th of document.querySelectorAll('#run-table th[data-sort]')) {
      const key = /** @type {HTMLElement} */ (th).dataset['sort'];
      th.setAttribute(
        'aria-sort',
        key === view.sort ? (view.desc ? 'descending' : 'ascending') : 'none',
      );
    }
    const selected = new Set(view.selected);
    const rows = result.runs.map((run) => this.row(run, selected.has(run.id)));
    $('#run-table tbody').replaceChildren(...rows);
  }

  /**
   * @param {Run} run
   * @param {boolean} selected
   */
  row(run, selected) {
    const box = /** @type {HTMLInputElement} */ (
      element('input', { type: 'checkbox', 'aria-label': `compare ${run.id}` })
    );
    box.checked = selected;
    box.addEventListener('click', (event) => event.stopPropagation());
    box.addEventListener('change', () => {
      const current = this.view?.selected ?? [];
      const next = box.checked ? [...current, run.id] : current.filter((id) => id !== run.id);
      this.handlers.onChange({ selected: next });
    });
    const decision = this.added.get(run.id);
    const cells = COLUMNS.map((column) => {
      const shown = column.text ? column.text(run) : String(column.value(run) ?? '–');
      if (column.key === 'state') {
        return element('td', {}, element('span', { class: `badge state-${run.state}` }, shown));
      }
      if (column.key === 'id') {
        const added =
          decision && 'message' in decision
            ? [' ', element('span', { class: 'badge added', title: decision.message }, 'added')]
            : [];
        return element('td', { class: 'mono' }, shown, ...added);
      }
      return element('td', column.key === 'primeObjective' ? { class: 'muted' } : {}, shown);
    });
    const tr = element(
      'tr',
      { class: 'run-row', dataset: { runId: run.id }, title: 'open this run' },
      element('td', {}, box),
      ...cells,
    );
    tr.addEventListener('click', () => this.handlers.onOpen(run.id));
    return tr;
  }

  /** The runs the view's filters keep (every page, in order) as CSV, with the table's columns. */
  async csv() {
    if (!this.sweepId || !this.view) return '';
    const params = this.query(this.view);
    /** @type {Run[]} */
    const runs = [];
    for (let offset = 0; ; offset += RUNS_PER_REQUEST) {
      params.set('limit', String(RUNS_PER_REQUEST));
      params.set('offset', String(offset));
      /** @type {import('./contracts').RunPage} */
      const page = await getJson(`${sweepUrl(this.sweepId)}/runs?${params}`);
      runs.push(...page.runs);
      if (runs.length >= page.total || page.runs.length === 0) break;
    }
    /** @param {string | number | null} value */
    const cell = (value) => {
      const text = value === null ? '' : String(value);
      return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    };
    const lines = [COLUMNS.map((column) => cell(column.key)).join(',')];
    for (const run of runs) lines.push(COLUMNS.map((c) => cell(c.value(run))).join(','));
    return `${lines.join('\n')}\n`;
  }
}
