import { request, type IncomingMessage } from 'node:http';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import {
  appendEvents,
  lastSweepEventId,
  listEventsAfter,
  type NewSweepEvent,
  type Store,
} from '@isoflop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSweep, type SeededSweep } from './support/seed-sweep.js';
import { tempStore } from './support/temp-store.js';

interface ServerSentEvent {
  id: number;
  event: string;
  data: { id: number; kind: string; runId: string | null; payload: unknown };
}

/** A minimal SSE client: parses the stream into events, the way EventSource does. */
class EventStreamClient {
  readonly events: ServerSentEvent[] = [];
  private buffer = '';
  private response: IncomingMessage | undefined;
  status = 0;
  contentType = '';

  constructor(url: string, lastEventId?: number) {
    const req = request(url, {
      headers: lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) },
    });
    req.on('response', (response) => {
      this.response = response;
      this.status = response.statusCode ?? 0;
      this.contentType = String(response.headers['content-type']);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => this.receive(chunk));
    });
    req.on('error', () => undefined);
    req.end();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      if (fields.has('data')) {
        this.events.push({
          id: Number(fields.get('id')),
          event: fields.get('event') ?? 'message',
          data: JSON.parse(fields.get('data')!),
        });
      }
    }
  }

  async waitFor(count: number): Promise<ServerSentEvent[]> {
    await expect.poll(() => this.events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
    return this.events;
  }

  close(): void {
    this.response?.destroy();
  }
}

let temp: ReturnType<typeof tempStore>;
let store: Store;
let seeded: SeededSweep;
let server: IsoflopServer;
let base: string;

beforeAll(async () => {
  temp = tempStore();
  store = temp.store;
  seeded = seedSweep(store, { leaveRunning: 1, fit: false });
  server = await buildServer({ store, port: 0, eventPollMs: 50 });
  base = await server.listen();
});

afterAll(async () => {
  await server?.close();
  temp?.dispose();
});

function progress(step: number): NewSweepEvent {
  const run = seeded.running[0]!;
  return {
    sweepId: seeded.sweepId,
    runId: run.id,
    kind: 'progress',
    payload: {
      kind: 'train',
      runId: run.id,
      step,
      steps: 100,
      tokens: step * 1024,
      loss: 5,
      lr: 1e-3,
      tokensPerSecond: 1000,
      gradNorm: 1,
    },
  };
}

describe('GET /api/sweeps/:id/events', () => {
  it('replays the whole log, then streams new events as they are appended', async () => {
    const stored = listEventsAfter(store, seeded.sweepId, 0, 100_000);
    const client = new EventStreamClient(`${base}api/sweeps/${seeded.sweepId}/events`);
    await client.waitFor(stored.length);
    expect(client.status).toBe(200);
    expect(client.contentType).toContain('text/event-stream');
    expect(client.events.map((event) => event.id)).toEqual(stored.map((event) => event.id));
    expect(client.events[0]!.event).toBe(stored[0]!.kind);

    appendEvents(store, [progress(1), progress(2)]);
    const events = await client.waitFor(stored.length + 2);
    expect(
      events.slice(-2).map((event) => [event.event, (event.data.payload as { step: number }).step]),
    ).toEqual([
      ['progress', 1],
      ['progress', 2],
    ]);
    client.close();
  });

  it('resumes after Last-Event-ID with nothing lost and nothing repeated', async () => {
    const first = new EventStreamClient(`${base}api/sweeps/${seeded.sweepId}/events`);
    const before = listEventsAfter(store, seeded.sweepId, 0, 100_000);
    await first.waitFor(before.length);
    const lastSeen = first.events.at(-1)!.id;
    first.close();

    // Appended while the client is away, in several transactions, with another sweep's event between.
    appendEvents(store, [progress(10)]);
    appendEvents(store, [
      { sweepId: 'another-sweep', kind: 'sweep', payload: { state: 'queued' } },
    ]);
    appendEvents(store, [progress(11), progress(12)]);

    const resumed = new EventStreamClient(`${base}api/sweeps/${seeded.sweepId}/events`, lastSeen);
    const events = await resumed.waitFor(3);
    appendEvents(store, [progress(13)]);
    await resumed.waitFor(4);
    expect(resumed.events.map((event) => (event.data.payload as { step: number }).step)).toEqual([
      10, 11, 12, 13,
    ]);
    const ids = events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(lastSeen);
    resumed.close();
  });

  it('rejects a malformed Last-Event-ID and an unknown sweep', async () => {
    const bad = await server.app.inject({
      url: `/api/sweeps/${seeded.sweepId}/events`,
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('Last-Event-ID');
    expect((await server.app.inject(`/api/sweeps/nope/events`)).statusCode).toBe(404);
  });
});

describe('bounds on event streams (issue 15)', () => {
  let bounded: IsoflopServer;
  let boundedBase: string;

  beforeAll(async () => {
    bounded = await buildServer({
      store,
      port: 0,
      eventPollMs: 50,
      maxEventStreams: 2,
      maxReplayEvents: 5,
    });
    boundedBase = await bounded.listen();
  });

  afterAll(async () => {
    await bounded?.close();
  });

  it('replays at most maxReplayEvents, after a gap event, instead of the whole log', async () => {
    // Before: every connection replayed the sweep's whole log (630 KB each in the report).
    const stored = listEventsAfter(store, seeded.sweepId, 0, 100_000);
    expect(stored.length).toBeGreaterThan(5);
    const client = new EventStreamClient(`${boundedBase}api/sweeps/${seeded.sweepId}/events`);
    const events = await client.waitFor(6);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events.map((event) => event.event)).toEqual([
      'gap',
      ...stored.slice(-5).map((e) => e.kind),
    ]);
    expect(events.slice(1).map((event) => event.id)).toEqual(stored.slice(-5).map((e) => e.id));
    expect(events[0]!.data).toEqual({ after: 0, resumeAt: stored.at(-6)!.id });
    client.close();
  });

  it('refuses streams past maxEventStreams with 503, and takes one again when a stream ends', async () => {
    // Before: no cap; each stream holds a socket and a feed subscription.
    const url = `${boundedBase}api/sweeps/${seeded.sweepId}/events?lastEventId=${lastSweepEventId(store, seeded.sweepId)}`;
    const open = [new EventStreamClient(url), new EventStreamClient(url)];
    await expect.poll(() => open.map((client) => client.status)).toEqual([200, 200]);
    const third = await fetch(url);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('5');
    expect((await third.json()).error).toBe('TOO_MANY_STREAMS');
    open[0]!.close();
    const again = new EventStreamClient(url);
    await expect.poll(() => again.status).toBe(200);
    again.close();
    open[1]!.close();
  });
});
