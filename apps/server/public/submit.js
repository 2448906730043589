// @ts-check
/**
 * The submit panel: paste or upload a sweep spec (YAML or JSON), preview its plan, submit it, and cancel
 * a sweep that is still waiting or training. Everything goes through the public HTTP routes
 * (POST /api/sweeps/preview, POST /api/sweeps, POST /api/sweeps/:id/cancel); the bearer token, where the
 * server requires one, is typed once and kept in sessionStorage (never in localStorage: it leaves with
 * the tab).
 */

/** @typedef {{ path: string, message: string }} SpecIssue */
/** @typedef {{ error: string, message: string, issues?: SpecIssue[] }} ErrorDocument */
/**
 * @typedef {{ budgetFlops: number, runs: number, flops: number,
 *   variants: { variant: string, params: number[] }[] }} PreviewBudget
 */
/**
 * @typedef {{ wallSeconds: number | null, workers: number | null, flopsPerSecond: number | null,
 *   tokensPerSecond: number | null, measuredRuns: number, reason: string | null }} WallTimeEstimate
 */
/**
 * @typedef {{ sweepId: string, sweepName: string, exists: boolean, runCount: number,
 *   totalFlops: number, budgets: PreviewBudget[], dropped: number, warnings: string[],
 *   estimate: WallTimeEstimate }} PlanPreview
 */
/** @typedef {{ sweepId: string, created: boolean, plan: { sweepName: string, runs: unknown[] } }} SubmittedSweep */
/** @typedef {{ id: string, name: string, state: string, runCount: number }} SweepSummary */

import { element, formatCount, formatFlops, getJson } from './dom.js';
import { firstRequests } from './sweep-requests.js';

const TOKEN_KEY = 'isoflop-token';
/** Sweep states that a cancel still changes (the store's SWEEP_STATES less the final ones). */
const CANCELLABLE = new Set(['queued', 'running']);
/** A second click within this confirms a cancel: cancelling cannot be undone. */
const CONFIRM_MS = 5000;

/** @param {number} seconds */
function formatDuration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * JSON when the text is a JSON object, otherwise YAML (YAML is a superset, but the server needs the
 * type to parse it with the right limits and report positions in the right syntax).
 * @param {string} text
 */
function contentTypeOf(text) {
  return text.trimStart().startsWith('{') ? 'application/json' : 'application/yaml';
}

/** @param {HTMLInputElement} tokenField */
function authHeaders(tokenField) {
  const token = tokenField.value.trim();
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (token !== '') headers['authorization'] = `Bearer ${token}`;
  return headers;
}

/**
 * @param {Response} response
 * @returns {Promise<ErrorDocument>}
 */
async function errorOf(response) {
  try {
    return /** @type {ErrorDocument} */ (await response.json());
  } catch {
    return { error: `HTTP_${response.status}`, message: response.statusText };
  }
}

/** @param {HTMLElement} panel */
function mount(panel) {
  const specField = /** @type {HTMLTextAreaElement} */ (
    element('textarea', {
      id: 'submit-spec',
      rows: '12',
      spellcheck: 'false',
      // The stylesheet is the page's; the panel sizes only what has no sensible default.
      style: 'width: 100%; box-sizing: border-box; font-family: monospace',
      placeholder: 'name: my-sweep\nfamilies:\n  arm: {}\nbudgets: [1.0e+15]\n…',
      'aria-label': 'sweep spec (YAML or JSON)',
    })
  );
  const fileField = /** @type {HTMLInputElement} */ (
    element('input', {
      id: 'submit-file',
      type: 'file',
      accept: '.yaml,.yml,.json,application/json,application/yaml,text/yaml',
    })
  );
  const tokenField = /** @type {HTMLInputElement} */ (
    element('input', {
      id: 'submit-token',
      type: 'password',
      autocomplete: 'off',
      placeholder: 'bearer token (if the server asks)',
    })
  );
  tokenField.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const previewButton = element('button', { id: 'submit-preview', type: 'button' }, 'Preview plan');
  const submitButton = element('button', { id: 'submit-send', type: 'button' }, 'Submit');
  const status = element('p', { id: 'submit-status', class: 'muted', role: 'status' });
  const issues = element('ul', {
    id: 'submit-issues',
    class: 'submit-issues error',
    style: 'color: #c8453b',
  });
  const preview = element('div', { id: 'submit-plan', class: 'submit-plan' });
  const cancelSelect = /** @type {HTMLSelectElement} */ (
    element('select', { id: 'cancel-sweep', 'aria-label': 'sweep to cancel' })
  );
  const cancelButton = /** @type {HTMLButtonElement} */ (
    element('button', { id: 'cancel-send', type: 'button' }, 'Cancel sweep')
  );

  issues.hidden = true;
  panel.classList.add('card', 'submit-panel');
  panel.replaceChildren(
    element(
      'details',
      { id: 'submit-details' },
      element('summary', {}, 'Submit a sweep'),
      specField,
      element('div', { class: 'submit-row' }, fileField, tokenField),
      element('div', { class: 'submit-row' }, previewButton, submitButton),
      status,
      issues,
      preview,
      element('h4', {}, 'Cancel a sweep'),
      element('div', { class: 'submit-row' }, cancelSelect, cancelButton),
    ),
  );

  /** @param {string} text @param {'ok' | 'error' | ''} [tone] */
  function say(text, tone = '') {
    status.textContent = text;
    status.dataset['tone'] = tone;
  }

  /** @param {ErrorDocument} document */
  function showError(document) {
    say(`${document.error}: ${document.message}`, 'error');
    issues.hidden = (document.issues ?? []).length === 0;
    issues.replaceChildren(
      ...(document.issues ?? []).map((issue) =>
        element(
          'li',
          { 'data-path': issue.path },
          element('code', {}, issue.path === '' ? '(spec)' : issue.path),
          ` ${issue.message}`,
        ),
      ),
    );
  }

  function clearMessages() {
    say('');
    issues.hidden = true;
    issues.replaceChildren();
  }

  /** @param {PlanPreview} plan */
  function showPlan(plan) {
    const { estimate } = plan;
    const wall =
      estimate.wallSeconds === null
        ? `unknown (${estimate.reason ?? 'no estimate'})`
        : `about ${formatDuration(estimate.wallSeconds)} on ${estimate.workers} worker` +
          `${estimate.workers === 1 ? '' : 's'} (measured on ${estimate.measuredRuns} finished runs)`;
    preview.replaceChildren(
      element(
        'p',
        {},
        element('strong', {}, plan.sweepName),
        ` · ${plan.runCount} runs · ${formatFlops(plan.totalFlops)} FLOPs in all`,
        plan.exists ? ' · submitted before: submitting resumes it' : '',
        plan.dropped > 0 ? ` · ${plan.dropped} sizes dropped` : '',
      ),
      element('p', { id: 'submit-wall' }, `Wall time: ${wall}`),
      element(
        'table',
        { class: 'submit-budgets' },
        element(
          'thead',
          {},
          element(
            'tr',
            {},
            element('th', {}, 'budget C'),
            element('th', {}, 'runs'),
            element('th', {}, 'sizes N'),
          ),
        ),
        element(
          'tbody',
          {},
          ...plan.budgets.map((budget) =>
            element(
              'tr',
              {},
              element('td', {}, formatFlops(budget.budgetFlops)),
              element('td', {}, String(budget.runs)),
              element(
                'td',
                {},
                budget.variants
                  .map(({ variant, params }) => `${variant}: ${params.map(formatCount).join(', ')}`)
                  .join(' · '),
              ),
            ),
          ),
        ),
      ),
      ...plan.warnings.map((warning) => element('p', { class: 'muted' }, warning)),
    );
  }

  /** @param {string} url */
  async function postSpec(url) {
    const text = specField.value;
    sessionStorage.setItem(TOKEN_KEY, tokenField.value.trim());
    return fetch(url, {
      method: 'POST',
      headers: { ...authHeaders(tokenField), 'content-type': contentTypeOf(text) },
      body: text,
    });
  }

  async function previewSpec() {
    clearMessages();
    preview.replaceChildren();
    const response = await postSpec('/api/sweeps/preview');
    if (!response.ok) return showError(await errorOf(response));
    showPlan(/** @type {PlanPreview} */ (await response.json()));
    say('Plan previewed: nothing was submitted.', 'ok');
  }

  async function submitSpec() {
    clearMessages();
    const response = await postSpec('/api/sweeps');
    if (!response.ok) return showError(await errorOf(response));
    const submitted = /** @type {SubmittedSweep} */ (await response.json());
    say(
      `${submitted.created ? 'Submitted' : 'Resumed'} ${submitted.plan.sweepName}: ` +
        `${submitted.plan.runs.length} runs (${submitted.sweepId}).`,
      'ok',
    );
    await refreshCancellable();
    // The dashboard opens the sweep from the URL; other scripts may listen for the event.
    panel.dispatchEvent(
      new CustomEvent('isoflop:sweep-submitted', { bubbles: true, detail: submitted }),
    );
    location.hash = `sweep=${encodeURIComponent(submitted.sweepId)}`;
  }

  /**
   * The sweeps a cancel still changes; the list is left as it was when the server cannot say.
   * @param {Promise<{ sweeps: SweepSummary[] }>} [fetched] the sweep list, where already asked for
   */
  async function refreshCancellable(fetched = getJson('/api/sweeps')) {
    /** @type {SweepSummary[]} */
    let sweeps;
    try {
      ({ sweeps } = await fetched);
    } catch {
      return;
    }
    const open = sweeps.filter((sweep) => CANCELLABLE.has(sweep.state));
    const shown = document.getElementById('sweep-id')?.textContent ?? '';
    cancelSelect.replaceChildren(
      ...open.map((sweep) => {
        const option = /** @type {HTMLOptionElement} */ (
          element(
            'option',
            { value: sweep.id },
            `${sweep.name} (${sweep.state}, ${sweep.runCount} runs)`,
          )
        );
        option.selected = sweep.id === shown;
        return option;
      }),
    );
    cancelSelect.hidden = open.length === 0;
    cancelButton.disabled = open.length === 0;
    cancelButton.textContent = open.length === 0 ? 'Nothing to cancel' : 'Cancel sweep';
  }

  /** @type {number | undefined} */
  let confirmUntil;
  async function cancelSweep() {
    const sweepId = cancelSelect.value;
    if (sweepId === '') return;
    if (confirmUntil === undefined || Date.now() > confirmUntil) {
      confirmUntil = Date.now() + CONFIRM_MS;
      cancelButton.textContent = 'Click again to cancel';
      return;
    }
    confirmUntil = undefined;
    clearMessages();
    sessionStorage.setItem(TOKEN_KEY, tokenField.value.trim());
    const response = await fetch(`/api/sweeps/${encodeURIComponent(sweepId)}/cancel`, {
      method: 'POST',
      headers: authHeaders(tokenField),
    });
    if (!response.ok) {
      showError(await errorOf(response));
    } else {
      const sweep = /** @type {SweepSummary} */ (await response.json());
      say(`Cancelled ${sweep.name}: ${sweep.state}.`, 'ok');
    }
    await refreshCancellable();
  }

  /** @param {() => Promise<void>} action */
  function guarded(action) {
    return () => {
      action().catch((/** @type {unknown} */ error) =>
        say(`Request failed: ${error instanceof Error ? error.message : String(error)}`, 'error'),
      );
    };
  }

  fileField.addEventListener('change', () => {
    const file = fileField.files?.[0];
    if (!file) return;
    file
      .text()
      .then((text) => {
        specField.value = text;
        clearMessages();
        preview.replaceChildren();
      })
      .catch((/** @type {unknown} */ error) =>
        say(`Could not read ${file.name}: ${String(error)}`),
      );
  });
  previewButton.addEventListener('click', guarded(previewSpec));
  submitButton.addEventListener('click', guarded(submitSpec));
  cancelButton.addEventListener('click', guarded(cancelSweep));
  panel.querySelector('details')?.addEventListener('toggle', guarded(refreshCancellable));
  // At load, the page's own request for the sweep list (sweep-requests.js) serves this list too.
  void refreshCancellable(firstRequests.sweepList);
}

const panel = document.getElementById('submit-panel');
if (panel) mount(panel);
