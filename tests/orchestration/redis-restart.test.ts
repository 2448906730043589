import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@isoflop/store';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import {
  Coordinator,
  doneEventCounts,
  fixtureText,
  FIXTURES,
  openStore,
  processEnv,
  runStates,
  sandbox,
  spawnNode,
  waitFor,
  WORKER_MAIN,
  type Sandbox,
} from './harness.js';

describe('Redis restarted mid-sweep (append-only on)', () => {
  let redis: PrivateRedis;
  let box: Sandbox;
  let store: Store;
  let coordinator: Coordinator;
  beforeAll(async () => {
    redis = await startPrivateRedis({ appendOnly: true });
    box = sandbox('redis-restart');
    store = openStore(box.dbFile);
    coordinator = await Coordinator.start({
      store,
      redisUrl: redis.url,
      prefix: box.prefix,
      flushIntervalMs: 50,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await coordinator.close();
    store.close();
    await redis.stop();
    box.cleanup();
  });

  it('completes the sweep with every result recorded once', async () => {
    const { sweepId, plan } = await coordinator.submit(fixtureText('tiny.yaml'), 'yaml', {
      baseDir: FIXTURES,
    });
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redis.url));
    try {
      await waitFor('a run to start training', () =>
        Object.values(runStates(store, sweepId)).includes('running') ? true : undefined,
      );
      await redis.restart();
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
    } finally {
      await worker.kill('SIGTERM');
    }
    expect(runStates(store, sweepId)).toEqual(
      Object.fromEntries(plan.runs.map((run) => [run.id, 'done'])),
    );
    expect([...doneEventCounts(store, sweepId).values()]).toEqual(plan.runs.map(() => 1));
  });
});
