// @ts-check
// When each chart is fetched and drawn again while a sweep is live. At 10,000 runs a chart takes a few
// hundred milliseconds of the page's one thread to draw, and a training sweep changes its data several
// times a second: redrawn on every change, charts nobody was looking at kept the page busy half the
// time. So a chart is drawn again at most every REFRESH_MS, no more often than INTERVAL_PER_LOAD times
// its last load took, and only once it is in view (or about to be: VIEW_MARGIN).

/** Least time between two refreshes of one chart, so a burst of progress events costs one fetch. */
export const REFRESH_MS = 800;

/** A chart's refresh interval is at least this many times its last load: a quarter of the thread at most. */
const INTERVAL_PER_LOAD = 4;

/** How far outside the viewport a chart still counts as in view, so scrolling reaches it drawn. */
const VIEW_MARGIN = '300px';

export class ChartRefresher {
  /** @type {Map<string, ReturnType<typeof setTimeout>>} */
  #timers = new Map();
  /** @type {Set<string>} charts being fetched and drawn now */
  #loading = new Set();
  /** @type {Set<string>} charts whose data changed while out of view */
  #stale = new Set();
  /** @type {Set<string>} */
  #inView = new Set();
  /** @type {Map<string, HTMLElement>} */
  #containers = new Map();
  /** @type {Map<string, number>} how long each chart's last refresh took, in milliseconds */
  #loadMs = new Map();
  /** @type {(name: string) => Promise<void>} */
  #load;
  #observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const name = /** @type {HTMLElement} */ (entry.target).dataset['chart'];
        if (!name) continue;
        if (entry.isIntersecting) {
          this.#inView.add(name);
          if (this.#stale.delete(name)) this.schedule(name, 0);
        } else {
          this.#inView.delete(name);
        }
      }
    },
    { rootMargin: VIEW_MARGIN },
  );

  /** @param {(name: string) => Promise<void>} load fetches a chart's data and draws it */
  constructor(load) {
    this.#load = load;
  }

  /**
   * Follows these chart containers (each with `data-chart`), forgetting those of the sweep before.
   * @param {Iterable<HTMLElement>} containers
   */
  watch(containers) {
    this.#observer.disconnect();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#stale.clear();
    this.#inView.clear();
    this.#loadMs.clear();
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
  #watched(name) {
    const card = this.#containers.get(name)?.closest('.card');
    return this.#inView.has(name) || (card instanceof HTMLElement && card.hidden);
  }

  /**
   * A chart's data changed: draws it again once due, or once it comes into view.
   * @param {string} name
   * @param {number} [delayMs] how long to wait for more changes first (0: now, as after a zoom)
   */
  schedule(name, delayMs) {
    if (!this.#watched(name)) {
      this.#stale.add(name);
      return;
    }
    const pending = this.#timers.get(name);
    if (pending !== undefined) {
      if (delayMs !== 0) return;
      clearTimeout(pending);
    }
    const wait = delayMs ?? Math.max(REFRESH_MS, INTERVAL_PER_LOAD * (this.#loadMs.get(name) ?? 0));
    this.#timers.set(
      name,
      setTimeout(() => void this.#refresh(name), wait),
    );
  }

  /** @param {string} name */
  async #refresh(name) {
    this.#timers.delete(name);
    if (!this.#watched(name)) {
      this.#stale.add(name);
      return;
    }
    if (this.#loading.has(name)) return this.schedule(name);
    this.#loading.add(name);
    const start = performance.now();
    try {
      await this.#load(name);
      this.#loadMs.set(name, performance.now() - start);
    } catch (error) {
      console.error(`chart ${name}:`, error);
    } finally {
      this.#loading.delete(name);
    }
  }
}
