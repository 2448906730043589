import { listEventsAfter, replayStartId, type StoredEvent } from '@isoflop/store';
import type { FastifyInstance } from 'fastify';
import { ServerError } from '../../errors.js';
import { errorResponses } from '../api-schemas.js';
import type { RouteContext } from '../route-context.js';
import { requireSweep } from './sweep-routes.js';

const REPLAY_BATCH = 1000;
const HEARTBEAT_MS = 15_000;

/** One server-sent event: the log id (for Last-Event-ID), the kind as the event name, the row as data. */
function formatEvent(event: StoredEvent): string {
  const data = JSON.stringify({
    id: event.id,
    sweepId: event.sweepId,
    runId: event.runId,
    kind: event.kind,
    payload: event.payload,
    createdAt: event.createdAt,
  });
  return `id: ${event.id}\nevent: ${event.kind}\ndata: ${data}\n\n`;
}

function parseLastEventId(
  header: string | string[] | undefined,
  query: number | undefined,
): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw === '') return query ?? 0;
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new ServerError(
      'INVALID_REQUEST',
      `Last-Event-ID: expected a non-negative integer, got '${raw}'`,
    );
  }
  return id;
}

/**
 * `GET /api/sweeps/:id/events`: replays the sweep's events after Last-Event-ID from the table, then
 * streams new ones as the feed sees them. Replay and subscription happen in the same synchronous
 * stretch (SQLite reads are synchronous), so a reconnecting client misses nothing and sees nothing twice.
 * The replay is bounded: a client that missed more than `maxReplayEvents` gets a `gap` event (with the
 * number skipped) and the newest ones; its state is in the REST routes. Streams past `maxEventStreams`
 * are refused with 503.
 */
export function eventRoutes(context: RouteContext) {
  let openStreams = 0;
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string }; Querystring: { lastEventId?: number } }>(
      '/api/sweeps/:id/events',
      {
        schema: {
          summary: 'Server-sent events of a sweep: run state changes, progress, new fits',
          description:
            'text/event-stream. Each event has the event-log id as `id` (send it back as Last-Event-ID, or as ' +
            '?lastEventId=, to resume without loss), the kind (sweep, run, progress, fit, decision) as `event`, and ' +
            '{id, sweepId, runId, kind, payload, createdAt} as JSON `data`. A client that missed more events ' +
            'than the server replays first gets a `gap` event {after, resumeAt} (refetch the state), then the newest.',
          tags: ['events'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { lastEventId: { type: 'integer', minimum: 0 } },
          },
          response: { ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const sweepId = request.params.id;
        requireSweep(context, sweepId);
        const resumeId = parseLastEventId(
          request.headers['last-event-id'],
          request.query.lastEventId,
        );
        if (openStreams >= context.maxEventStreams) {
          throw new ServerError(
            'TOO_MANY_STREAMS',
            `${context.maxEventStreams} event streams are open already; retry later`,
          );
        }
        openStreams += 1;
        let lastId = replayStartId(context.store, sweepId, resumeId, context.maxReplayEvents);

        reply.hijack();
        const stream = reply.raw;
        stream.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        stream.write('retry: 2000\n\n');
        if (lastId > resumeId) {
          stream.write(
            `event: gap\ndata: ${JSON.stringify({ after: resumeId, resumeAt: lastId })}\n\n`,
          );
        }

        let closed = false;
        let unsubscribe = (): void => {};
        const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
        stream.once('close', () => (openStreams -= 1));
        request.raw.on('close', () => {
          closed = true;
          clearInterval(heartbeat);
          unsubscribe();
        });

        for (;;) {
          const batch = listEventsAfter(context.store, sweepId, lastId, REPLAY_BATCH);
          let flushed = true;
          for (const event of batch) {
            flushed = stream.write(formatEvent(event));
            lastId = event.id;
          }
          if (batch.length < REPLAY_BATCH) break;
          // A long backlog: let the socket drain before reading more (the last read repeats after it).
          if (!flushed) await new Promise((resolve) => stream.once('drain', resolve));
          if (closed) return;
        }
        if (closed) return;
        unsubscribe = context.feed.subscribe(sweepId, lastId, (event) => {
          stream.write(formatEvent(event));
        });
      },
    );
  };
}
