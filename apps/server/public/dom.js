// @ts-check
// Small helpers every module of the page shares: fetching JSON, building elements, formatting numbers.

/**
 * @template T
 * @param {string} url
 * @returns {Promise<T>}
 */
export async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    /** @type {{ message?: string }} */
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message ?? `${response.status} ${response.statusText}`);
  }
  return /** @type {Promise<T>} */ (response.json());
}

/**
 * The element matching `selector`; the page's markup is fixed, so a miss is a bug worth an error.
 * @template {Element} [E=HTMLElement]
 * @param {string} selector
 * @returns {E}
 */
export function $(selector) {
  const node = document.querySelector(selector);
  if (!node) throw new Error(`the page has no ${selector}`);
  return /** @type {E} */ (/** @type {unknown} */ (node));
}

/**
 * @param {string} tag
 * @param {Record<string, string | Record<string, string>>} [attributes]
 * @param {...(Node | string)} children
 * @returns {HTMLElement}
 */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class' && typeof value === 'string') node.className = value;
    else if (key === 'dataset' && typeof value === 'object') Object.assign(node.dataset, value);
    else if (typeof value === 'string') node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** @param {number | null | undefined} value */
export function formatCount(value) {
  if (value === null || value === undefined) return '–';
  if (value >= 1e9) return `${(value / 1e9).toPrecision(3)}B`;
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return String(value);
}

/** @param {number} value */
export function formatFlops(value) {
  return value.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
}

/** @param {number | null | undefined} value */
export function formatLoss(value) {
  return value === null || value === undefined ? '–' : value.toFixed(4);
}

/**
 * A list of names read from a server's JSON, or undefined where it is not one (an older server).
 * @param {unknown} value
 * @returns {string[] | undefined}
 */
export function stringList(value) {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? value
    : undefined;
}

/** @param {string} sweepId */
export function sweepUrl(sweepId) {
  return `/api/sweeps/${encodeURIComponent(sweepId)}`;
}
