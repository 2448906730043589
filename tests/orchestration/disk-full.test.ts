import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrainQueue } from '@isoflop/queue';
import { Coordinator, refreshSweepFit } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import {
  fixtureText,
  openTestBed,
  processEnv,
  spawnNode,
  submitFixture,
  WORKER_MAIN,
  type TestBed,
} from './harness.js';

/**
 * Fills the database file to its last byte: the file may not grow past its pages, and filler rows take
 * the room left inside them, halving in size down to a few bytes (what a full disk leaves).
 */
function fillDisk(bed: TestBed): void {
  const pages = Number(bed.store.sqlite.pragma('page_count', { simple: true }));
  bed.store.sqlite.pragma(`max_page_count = ${pages}`);
  const insert = bed.store.sqlite.prepare('INSERT INTO cursors (name, value) VALUES (?, ?)');
  let index = 0;
  for (let size = 65_536; size >= 1;) {
    try {
      insert.run(`filler-${index++}`, 'x'.repeat(size));
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_FULL') throw error;
      size = Math.floor(size / 2);
    }
  }
}

/**
 * Issue 15, item 5: a full disk under the database. SQLite's `max_page_count` on the coordinator's own
 * connection keeps the file from growing and filler rows take the room left in it, which is what a full
 * disk does to it (SQLITE_FULL on the next write). Before the fix the event recorder's timer flush threw it uncaught and `isoflop serve` died.
 */
describe('a full disk under the database', () => {
  const redisUrl = inject('redisUrl');
  let bed: TestBed;
  let coordinator: Coordinator;
  let server: IsoflopServer;
  const coordinatorLog: string[] = [];
  const serverLog: string[] = [];

  beforeAll(async () => {
    bed = openTestBed('disk-full', redisUrl);
    coordinator = await Coordinator.start({
      store: bed.store,
      redisUrl,
      prefix: bed.box.prefix,
      flushIntervalMs: 50,
      log: (message) => coordinatorLog.push(message),
      refreshFit: (store, sweepId) => refreshSweepFit(store, sweepId, { bootstrap: 0 }),
    });
    server = await buildServer({
      store: bed.store,
      coordinator,
      port: 0,
      log: (message) => serverLog.push(message),
    });
  });

  afterAll(async () => {
    await server?.close();
    await coordinator?.close();
    await bed?.close();
  });

  it('keeps serving, answers 503 to writes, and records everything once space returns', async () => {
    const { sweepId, plan } = await submitFixture(coordinator, 'one-long-run.yaml');
    const runId = plan.runs[0]!.id;
    fillDisk(bed);

    const worker = spawnNode(WORKER_MAIN, [], processEnv(bed.box, redisUrl));
    const queue = new TrainQueue({ redisUrl, prefix: bed.box.prefix });
    try {
      await expect
        .poll(() => coordinatorLog.some((line) => line.includes('database or disk is full')), {
          timeout: 60_000,
          interval: 100,
        })
        .toBe(true);

      // Reads go on; a write is refused with 503 and leaves nothing behind.
      expect((await server.app.inject('/api/sweeps')).statusCode).toBe(200);
      const refused = await server.app.inject({
        method: 'POST',
        url: '/api/sweeps',
        headers: { 'content-type': 'application/yaml' },
        // 32 runs: rows that need pages the full file cannot add (a small row may fit a page's slack).
        payload: `${fixtureText('one-run.yaml')}\nseeds: [${Array.from({ length: 32 }, (_, i) => i).join(', ')}]\n`,
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error).toBe('SQLITE_FULL');
      expect(refused.headers['retry-after']).toBe('5');
      expect(serverLog.some((line) => line.includes('-> 503'))).toBe(true);
      const sweepCount = () =>
        (bed.store.sqlite.prepare('SELECT count(*) AS n FROM sweeps').get() as { n: number }).n;
      expect(sweepCount()).toBe(1);

      // The run trains to the end while nothing can be recorded.
      await expect
        .poll(async () => (await queue.snapshot([runId])).get(runId)?.state, {
          timeout: 120_000,
          interval: 250,
        })
        .toBe('completed');
      expect((await server.app.inject(`/api/sweeps/${sweepId}`)).statusCode).toBe(200);

      // Space returns: what waited is recorded, once, in order.
      bed.store.sqlite.pragma('max_page_count = 1073741823');
      bed.store.sqlite.prepare("DELETE FROM cursors WHERE name LIKE 'filler-%'").run();
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
    } finally {
      await worker.kill('SIGTERM');
      await queue.close();
    }
    expect(coordinatorLog.some((line) => line.startsWith('recording queue events again'))).toBe(
      true,
    );
    const run = bed.store.sqlite
      .prepare('SELECT state, steps, last_step AS lastStep FROM runs WHERE id = ?')
      .get(runId) as { state: string; steps: number; lastStep: number };
    expect(run).toMatchObject({ state: 'done', lastStep: run.steps });
    const steps = (
      bed.store.sqlite
        .prepare("SELECT step FROM metrics WHERE run_id = ? AND kind = 'train' ORDER BY step")
        .all(runId) as { step: number }[]
    ).map((row) => row.step);
    // No hole in the loss curve: one row per reported step, evenly spaced, up to the last step.
    const stride = steps[1]! - steps[0]!;
    const expected = Array.from({ length: steps.length }, (_, i) => steps[0]! + i * stride);
    expect(steps.slice(0, -1)).toEqual(expected.slice(0, -1));
    expect(steps.at(-1)).toBe(run.steps);
    const doneEvents = bed.store.sqlite
      .prepare(
        "SELECT count(*) AS n FROM events WHERE run_id = ? AND kind = 'run' AND json_extract(payload, '$.state') = 'done'",
      )
      .get(runId) as { n: number };
    expect(doneEvents.n).toBe(1);
  });
});
