import { eventsAfterId, lastEventId, type Store, type StoredEvent } from '@isoflop/store';

const POLL_BATCH = 1000;

interface Subscriber {
  sweepId: string;
  lastId: number;
  deliver(event: StoredEvent): void;
}

/**
 * Live events for the SSE route. The events table is the source of truth: one shared poller reads new
 * rows for all subscribers, so a coordinator in another process writing the same SQLite file is seen
 * too; an in-process coordinator calls `poke()` to have them delivered at once instead of at the next poll.
 */
export class EventFeed {
  readonly #store: Store;
  readonly #pollMs: number;
  readonly #subscribers = new Set<Subscriber>();
  #cursor = 0;
  #timer: NodeJS.Timeout | undefined;
  #poked = false;

  constructor(store: Store, pollMs = 250) {
    this.#store = store;
    this.#pollMs = pollMs;
  }

  /**
   * Delivers the sweep's events with ids above `lastId`. The caller must have replayed everything up to
   * `lastId` from the table in the same synchronous stretch, so nothing falls between replay and live.
   */
  subscribe(sweepId: string, lastId: number, deliver: (event: StoredEvent) => void): () => void {
    if (this.#subscribers.size === 0) {
      // Nobody needed the events between the old cursor and now: start from the newest.
      this.#cursor = lastEventId(this.#store);
      this.#timer = setInterval(() => this.poll(), this.#pollMs);
      this.#timer.unref();
    }
    const subscriber: Subscriber = { sweepId, lastId, deliver };
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0) this.#stopTimer();
    };
  }

  /** New events were appended in this process: deliver them now rather than at the next poll. */
  poke(): void {
    if (this.#poked || this.#subscribers.size === 0) return;
    this.#poked = true;
    setImmediate(() => {
      this.#poked = false;
      this.poll();
    });
  }

  poll(): void {
    for (;;) {
      const batch = eventsAfterId(this.#store, this.#cursor, POLL_BATCH);
      for (const event of batch) {
        for (const subscriber of this.#subscribers) {
          if (subscriber.sweepId !== event.sweepId || event.id <= subscriber.lastId) continue;
          subscriber.lastId = event.id;
          subscriber.deliver(event);
        }
        this.#cursor = event.id;
      }
      if (batch.length < POLL_BATCH) return;
    }
  }

  close(): void {
    this.#subscribers.clear();
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
