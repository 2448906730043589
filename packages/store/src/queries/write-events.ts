import { and, asc, eq, gt } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { events } from '../schema.js';
import type { NewSweepEvent, SweepEvent } from '../sweep-event.js';

/** An event to append (the payload's type follows its kind). */
export type NewEvent = NewSweepEvent;

/** A stored event: a row of the events table, with its id (the SSE event id). */
export type StoredEvent = SweepEvent;

/**
 * A row read back from the events table. Every row was written through appendEvents, whose argument is
 * typed by kind, so the JSON payload has the type its kind names.
 */
export function asStoredEvent(row: typeof events.$inferSelect): StoredEvent {
  return row as StoredEvent;
}

/** Appends events (call inside the caller's transaction to keep them atomic with the change they describe). */
export function appendEvents(store: Store, newEvents: readonly NewEvent[]): StoredEvent[] {
  if (newEvents.length === 0) return [];
  const at = Date.now();
  const stored: StoredEvent[] = [];
  for (let start = 0; start < newEvents.length; start += 500) {
    const rows = newEvents.slice(start, start + 500).map((event) => ({
      sweepId: event.sweepId,
      runId: event.runId ?? null,
      kind: event.kind,
      payload: event.payload,
      createdAt: at,
    }));
    stored.push(...store.db.insert(events).values(rows).returning().all().map(asStoredEvent));
  }
  return stored;
}

/** Events of a sweep after `afterId` (the SSE Last-Event-ID), oldest first. */
export function listEventsAfter(
  store: Store,
  sweepId: string,
  afterId: number,
  limit = 1000,
): StoredEvent[] {
  return store.db
    .select()
    .from(events)
    .where(and(eq(events.sweepId, sweepId), gt(events.id, afterId)))
    .orderBy(asc(events.id))
    .limit(limit)
    .all()
    .map(asStoredEvent);
}
