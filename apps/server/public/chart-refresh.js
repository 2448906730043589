// @ts-check
// When each chart is fetched and drawn again while a sweep is live. At 10,000 runs a chart takes a few
// hundred milliseconds of the page's one thread to draw, and a training sweep changes its data several
// times a second: redrawn on every change, charts nobody was looking at kept the page busy half the
// time. So a chart is drawn again at most every REFRESH_MS, no more often than INTERVAL_PER_LOAD times
// its last load took, and only once it is in view (chart-visibility.js).

/** @typedef {import('./chart-visibility.js').ChartsInView} ChartsInView */

/** Least time between two refreshes of one chart, so a burst of progress events costs one fetch. */
export const REFRESH_MS = 800;

/** A chart's refresh interval is at least this many times its last load: a quarter of the thread at most. */
const INTERVAL_PER_LOAD = 4;

export class ChartRefresher {
  /** @type {Map<string, ReturnType<typeof setTimeout>>} */
  #timers = new Map();
  /** @type {Set<string>} charts being fetched and drawn now */
  #loading = new Set();
  /** @type {Set<string>} charts whose data changed while out of view */
  #stale = new Set();
  /** @type {Map<string, number>} how long each chart's last refresh took, in milliseconds */
  #loadMs = new Map();
  /** @type {(name: string) => Promise<void>} */
  #load;
  /** @type {ChartsInView} */
  #inView;

  /**
   * @param {(name: string) => Promise<void>} load fetches a chart's data and draws it
   * @param {ChartsInView} inView
   */
  constructor(load, inView) {
    this.#load = load;
    this.#inView = inView;
    inView.onEnter((name) => {
      if (this.#stale.delete(name)) this.schedule(name, 0);
    });
  }

  /** Forgets the charts of the sweep before: their timers, staleness and load times. */
  reset() {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#stale.clear();
    this.#loadMs.clear();
  }

  /**
   * A chart's data changed: draws it again once due, or once it comes into view.
   * @param {string} name
   * @param {number} [delayMs] how long to wait for more changes first (0: now, as after a zoom)
   */
  schedule(name, delayMs) {
    if (!this.#inView.has(name)) {
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
    if (!this.#inView.has(name)) {
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
