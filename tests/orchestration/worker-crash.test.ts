import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  Coordinator,
  doneEventCounts,
  fixtureText,
  FIXTURES,
  obliterate,
  openStore,
  processEnv,
  runStates,
  sandbox,
  spawnNode,
  sweepEvents,
  waitFor,
  WORKER_MAIN,
  type Sandbox,
} from './harness.js';
import type { Store } from '@isoflop/store';

describe('a worker killed with SIGKILL mid-run', () => {
  const redisUrl = inject('redisUrl');
  let box: Sandbox;
  let store: Store;
  let coordinator: Coordinator;
  beforeAll(async () => {
    box = sandbox('worker-kill');
    store = openStore(box.dbFile);
    coordinator = await Coordinator.start({
      store,
      redisUrl,
      prefix: box.prefix,
      flushIntervalMs: 50,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await coordinator.close();
    store.close();
    await obliterate(redisUrl, box.prefix);
    box.cleanup();
  });

  it('is retried by another worker, resumes from its checkpoint, and is recorded once', async () => {
    const { sweepId, plan } = await coordinator.submit(fixtureText('one-run.yaml'), 'yaml', {
      baseDir: FIXTURES,
    });
    const runId = plan.runs[0]!.id;
    const checkpointEvery = plan.runs[0]!.checkpointEvery;
    const first = spawnNode(
      WORKER_MAIN,
      [],
      processEnv(box, redisUrl, { ISOFLOP_WORKER_NAME: 'first' }),
    );
    await waitFor('the first worker to pass two checkpoints', () => {
      const row = store.sqlite
        .prepare('SELECT last_step AS step FROM runs WHERE id = ?')
        .get(runId) as { step: number | null };
      return (row.step ?? 0) >= 2 * checkpointEvery + 2 ? true : undefined;
    });
    await first.kill('SIGKILL');

    const second = spawnNode(
      WORKER_MAIN,
      [],
      processEnv(box, redisUrl, { ISOFLOP_WORKER_NAME: 'second' }),
    );
    try {
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
    } finally {
      await second.kill('SIGTERM');
    }

    expect(runStates(store, sweepId)).toEqual({ [runId]: 'done' });
    expect([...doneEventCounts(store, sweepId)]).toEqual([[runId, 1]]);
    const row = store.sqlite
      .prepare('SELECT worker, trained_steps AS steps FROM runs WHERE id = ?')
      .get(runId);
    expect(row).toEqual({ worker: 'second', steps: plan.runs[0]!.steps });

    // The second worker's first reported step is past a checkpoint: it resumed rather than restarted.
    const events = sweepEvents(store, sweepId);
    const secondStart = events.findIndex(
      (event) => (event.payload as { worker?: string }).worker === 'second',
    );
    expect(secondStart).toBeGreaterThan(0);
    const resumedAt = events
      .slice(secondStart)
      .find(
        (event) =>
          event.kind === 'progress' && (event.payload as { kind: string }).kind === 'train',
      );
    expect((resumedAt?.payload as { step: number }).step).toBeGreaterThan(2 * checkpointEvery);
  });
});
