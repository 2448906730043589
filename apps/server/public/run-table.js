// @ts-check
// The runs table: every run of the sweep held once in the page, sorted, filtered and cut into pages
// here, so a sort, a filter or a page turn at 10,000 runs redraws 50 rows without asking the server.
import { $, element, formatCount, formatFlops, formatLoss } from './dom.js';

/** @typedef {import('./contracts').Run} Run */
/** @typedef {import('./contracts').Decision} Decision */
/** @typedef {import('./url-state.js').ViewState} ViewState */

export const RUN_PAGE_SIZE = 50;

/**
 * @typedef {object} Column
 * @property {string} key
 * @property {string} label
 * @property {string} [title]
 * @property {(run: Run) => string | number | null} value what sorts and what the CSV holds
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

/** Which runs a view's filters keep, in its sort order (the server's grid order when unsorted). */
export class RunTable {
  /** @type {Run[]} */
  runs = [];
  /** @type {Run[]} the filtered, sorted runs: what the table pages through and the CSV holds */
  shown = [];
  /** @type {Map<string, Decision>} run id -> the adaptive step's decision that added it */
  added = new Map();

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
   * Applies a view's filters and sort to the runs and draws its page.
   * @param {ViewState} view
   */
  render(view) {
    this.view = view;
    const query = view.q.trim().toLowerCase();
    const budget = view.budget === '' ? undefined : Number(view.budget);
    let shown = this.runs.filter(
      (run) =>
        (view.family === '' || run.family === view.family || run.variant === view.family) &&
        (view.state === '' || run.state === view.state) &&
        (budget === undefined || run.budgetFlops === budget) &&
        (query === '' || run.id.toLowerCase().includes(query)),
    );
    const column = COLUMNS.find((c) => c.key === view.sort);
    if (column) shown = sortRuns(shown, column, view.desc);
    this.shown = shown;

    const pages = Math.max(1, Math.ceil(shown.length / RUN_PAGE_SIZE));
    const page = Math.min(view.page, pages - 1);
    $('#page-label').textContent =
      `${shown.length} of ${this.runs.length} runs · page ${page + 1}/${pages}`;
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
    const rows = shown
      .slice(page * RUN_PAGE_SIZE, (page + 1) * RUN_PAGE_SIZE)
      .map((run) => this.row(run, selected.has(run.id)));
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

  /** The shown runs (every page, in order) as CSV, with the columns the table has. */
  csv() {
    /** @param {string | number | null} value */
    const cell = (value) => {
      const text = value === null ? '' : String(value);
      return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    };
    const lines = [COLUMNS.map((column) => cell(column.key)).join(',')];
    for (const run of this.shown) lines.push(COLUMNS.map((c) => cell(c.value(run))).join(','));
    return `${lines.join('\n')}\n`;
  }
}

/**
 * Runs ordered by a column; missing values (no result yet) go last either way, ties keep grid order.
 * @param {Run[]} runs
 * @param {Column} column
 * @param {boolean} desc
 */
function sortRuns(runs, column, desc) {
  const sign = desc ? -1 : 1;
  const keyed = runs.map((run, index) => ({ run, index, value: column.value(run) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
    }
    const order =
      typeof a.value === 'number' && typeof b.value === 'number'
        ? a.value - b.value
        : String(a.value).localeCompare(String(b.value), undefined, { numeric: true });
    return order === 0 ? a.index - b.index : sign * order;
  });
  return keyed.map((entry) => entry.run);
}
