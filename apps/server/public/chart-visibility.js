// @ts-check
// Which charts are in view: at 10,000 runs a chart takes a few hundred milliseconds of the page's one
// thread to draw, so what changes while nobody can see a chart (a live update, a hover's highlight) waits
// until it comes into view, or about to: VIEW_MARGIN.

/** How far outside the viewport a chart still counts as in view, so scrolling reaches it drawn. */
const VIEW_MARGIN = '300px';

export class ChartsInView {
  /** @type {Set<string>} */
  #inView = new Set();
  /** @type {Map<string, HTMLElement>} */
  #containers = new Map();
  /** @type {((name: string) => void)[]} */
  #listeners = [];
  #observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const name = /** @type {HTMLElement} */ (entry.target).dataset['chart'];
        if (!name) continue;
        if (!entry.isIntersecting) {
          this.#inView.delete(name);
          continue;
        }
        this.#inView.add(name);
        for (const listener of this.#listeners) listener(name);
      }
    },
    { rootMargin: VIEW_MARGIN },
  );

  /**
   * Follows these chart containers (each with `data-chart`), forgetting those of the sweep before.
   * @param {Iterable<HTMLElement>} containers
   */
  watch(containers) {
    this.#observer.disconnect();
    this.#inView.clear();
    this.#containers.clear();
    for (const container of containers) {
      const name = container.dataset['chart'];
      if (name) this.#containers.set(name, container);
      this.#observer.observe(container);
    }
  }

  /**
   * Whether a chart is to be kept current now: in view, or on a card hidden for lack of data (which
   * shows once it has some).
   * @param {string} name
   */
  has(name) {
    const card = this.#containers.get(name)?.closest('.card');
    return this.#inView.has(name) || (card instanceof HTMLElement && card.hidden);
  }

  /** @param {(name: string) => void} listener called with a chart's name as it comes into view */
  onEnter(listener) {
    this.#listeners.push(listener);
  }
}
