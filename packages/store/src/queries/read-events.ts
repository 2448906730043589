import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { events } from '../schema.js';
import type { SweepEventOf } from '../sweep-event.js';
import { asStoredEvent, type StoredEvent } from './write-events.js';

/**
 * Events of every sweep after `afterId`, oldest first: what a live feed polls, so that a server sees the
 * events of a coordinator in another process that writes the same file.
 */
export function eventsAfterId(store: Store, afterId: number, limit: number): StoredEvent[] {
  return store.db
    .select()
    .from(events)
    .where(gt(events.id, afterId))
    .orderBy(asc(events.id))
    .limit(limit)
    .all()
    .map(asStoredEvent);
}

/** The id of the newest event, 0 when there is none: where a live feed starts. */
export function lastEventId(store: Store): number {
  return (
    store.db
      .select({ id: sql<number | null>`max(${events.id})` })
      .from(events)
      .get()?.id ?? 0
  );
}

/** The id of a sweep's newest event, 0 when it has none: where a freshly loaded page starts streaming. */
export function lastSweepEventId(store: Store, sweepId: string): number {
  return (
    store.db
      .select({ id: sql<number | null>`max(${events.id})` })
      .from(events)
      .where(eq(events.sweepId, sweepId))
      .get()?.id ?? 0
  );
}

/** A sweep's 'decision' events (the adaptive step's added runs and limits), oldest first. */
export function sweepDecisions(store: Store, sweepId: string): SweepEventOf<'decision'>[] {
  return store.db
    .select()
    .from(events)
    .where(and(eq(events.sweepId, sweepId), eq(events.kind, 'decision')))
    .orderBy(asc(events.id))
    .all()
    .map((row) => asStoredEvent(row) as SweepEventOf<'decision'>);
}

/**
 * Where a bounded replay of a sweep's events after `afterId` starts: the id after which at most `limit`
 * of them remain (`afterId` itself when there are no more than that).
 */
export function replayStartId(
  store: Store,
  sweepId: string,
  afterId: number,
  limit: number,
): number {
  const row = store.db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.sweepId, sweepId), gt(events.id, afterId)))
    .orderBy(desc(events.id))
    .limit(1)
    .offset(limit)
    .get();
  return row?.id ?? afterId;
}

/**
 * One run's events, oldest first, without its per-step progress reports (a run view lists what happened
 * to the run: queued, started, retried, failed; its curves come from the metrics).
 */
export function runEvents(store: Store, sweepId: string, runId: string): StoredEvent[] {
  return store.db
    .select()
    .from(events)
    .where(
      and(
        eq(events.sweepId, sweepId),
        eq(events.runId, runId),
        sql`(${events.kind} != 'progress' OR json_extract(${events.payload}, '$.kind') = 'start')`,
      ),
    )
    .orderBy(asc(events.id))
    .all()
    .map(asStoredEvent);
}
