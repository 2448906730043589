import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cancelSubscriberName, TRAIN_QUEUE } from '@isoflop/queue';
import {
  cancelMarkCleared,
  cancelWithWorkerStopped,
  type CoordinatorBed,
  startCoordinatorBed,
  trainLongRun,
} from './harness.js';

const WORKER_NAME = 'cancel-missed-message-worker';

/**
 * A cancel reaches a training run's worker as a pub/sub message, which Redis delivers only to the
 * subscribers connected when it is published: one sent while the worker's subscriber was reconnecting
 * (Redis restarted, the connection dropped) reached nobody, and the run trained on to its end as if never
 * cancelled. The worker's subscriber connection is killed while the worker is stopped (SIGSTOP, shorter
 * than its lock), so it cannot reconnect before the cancel is published.
 */
describe('a run cancelled while its worker’s subscriber is disconnected', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  let redis: Redis;
  beforeAll(async () => {
    bed = await startCoordinatorBed('cancel-missed', redisUrl);
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    redis.disconnect();
    await bed.close();
  });

  it('fails as CANCELLED instead of training to its end', async () => {
    const trained = await trainLongRun(bed, redisUrl, { ISOFLOP_WORKER_NAME: WORKER_NAME });
    const { sweepId, run, worker } = trained;
    try {
      const { cancelled, settled } = await cancelWithWorkerStopped(bed, trained, async () => {
        const name = cancelSubscriberName(bed.box.prefix, TRAIN_QUEUE, WORKER_NAME);
        const clients = (await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
        const id = clients
          .split('\n')
          .find((line) => line.includes(` name=${name} `))
          ?.match(/^id=(\d+) /)?.[1];
        expect(id, `the worker's subscriber among:\n${clients}`).toBeDefined();
        expect(await redis.call('CLIENT', 'KILL', 'ID', id!)).toBe(1);
      });
      expect(cancelled).toEqual({ sweepId, cancelled: 1 });
      expect(settled, `worker output:\n${worker.output()}`).toMatchObject({
        state: 'failed',
        failure: { code: 'CANCELLED' },
      });
      await cancelMarkCleared(bed, redisUrl, run.id);
    } finally {
      await worker.kill('SIGTERM');
    }
  });
});
