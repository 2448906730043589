import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrainQueue } from '@isoflop/queue';
import type { Store } from '@isoflop/store';
import {
  Coordinator,
  fixtureText,
  FIXTURES,
  obliterate,
  openStore,
  processEnv,
  runStates,
  sandbox,
  spawnNode,
  waitFor,
  WORKER_MAIN,
  type Sandbox,
} from './harness.js';

describe('cancelling a sweep', () => {
  const redisUrl = inject('redisUrl');
  let box: Sandbox;
  let store: Store;
  let coordinator: Coordinator;
  beforeAll(async () => {
    box = sandbox('cancel');
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

  it('removes waiting runs, stops the training one at its next step, and keeps the worker going', async () => {
    // Two long runs (two seeds) for one worker: one trains, one waits.
    const spec = `${fixtureText('one-run.yaml')}seeds: [0, 1]\n`;
    const { sweepId, plan } = await coordinator.submit(spec, 'yaml', { baseDir: FIXTURES });
    expect(plan.runs).toHaveLength(2);
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redisUrl));
    const queue = new TrainQueue({ redisUrl, prefix: box.prefix });
    try {
      const active = await waitFor('a run to train', () => {
        const row = store.sqlite
          .prepare("SELECT id FROM runs WHERE sweep_id = ? AND state = 'running' AND last_step > 0")
          .get(sweepId) as { id: string } | undefined;
        return row?.id;
      });
      const waiting = plan.runs.find((run) => run.id !== active)!.id;

      expect(await coordinator.cancel(sweepId)).toEqual({ sweepId, cancelled: 2 });
      expect(runStates(store, sweepId)).toEqual({ [active]: 'cancelled', [waiting]: 'cancelled' });

      let snapshots = await queue.snapshot([active, waiting]);
      while (snapshots.get(active)?.state !== 'failed') {
        await new Promise((r) => setTimeout(r, 100));
        snapshots = await queue.snapshot([active, waiting]);
      }
      expect(snapshots.get(waiting)).toEqual({ state: 'missing' });
      expect(snapshots.get(active)).toMatchObject({
        state: 'failed',
        failure: { code: 'CANCELLED' },
      });
      expect(worker.child.exitCode).toBeNull();
    } finally {
      await worker.kill('SIGTERM');
      await queue.close();
    }
    expect(
      (
        store.sqlite.prepare('SELECT state FROM sweeps WHERE id = ?').get(sweepId) as {
          state: string;
        }
      ).state,
    ).toBe('cancelled');
    expect(runStates(store, sweepId)).toEqual(
      Object.fromEntries(plan.runs.map((run) => [run.id, 'cancelled'])),
    );
  });
});
