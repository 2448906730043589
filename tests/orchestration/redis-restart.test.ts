import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import {
  doneEventCounts,
  processEnv,
  runStates,
  spawnNode,
  startCoordinatorBed,
  submitFixture,
  waitForRunningRun,
  WORKER_MAIN,
  type CoordinatorBed,
} from './harness.js';

describe('Redis restarted mid-sweep (append-only on)', () => {
  let redis: PrivateRedis;
  let bed: CoordinatorBed;
  beforeAll(async () => {
    redis = await startPrivateRedis({ appendOnly: true });
    bed = await startCoordinatorBed('redis-restart', redis.url);
  });
  afterAll(async () => {
    await bed.close();
    await redis.stop();
  });

  it('completes the sweep with every result recorded once', async () => {
    const { box, store, coordinator } = bed;
    const { sweepId, plan } = await submitFixture(coordinator, 'tiny.yaml');
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redis.url));
    try {
      await waitForRunningRun(store, sweepId, 'a run to start training');
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
