import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TRAIN_QUEUE } from '@isoflop/queue';
import type { Store } from '@isoflop/store';
import {
  doneEventCounts,
  processEnv,
  spawnNode,
  startCoordinatorBed,
  submitFixture,
  sweepEvents,
  waitFor,
  WORKER_MAIN,
  type CoordinatorBed,
  lastStep,
} from './harness.js';

/**
 * Each time a worker started the run (its 'run' event with an attempt), and the first step it trained (what
 * it replayed from the checkpoint left out).
 */
function attempts(
  store: Store,
  sweepId: string,
): { attempt: number; firstStep: number | undefined }[] {
  const events = sweepEvents(store, sweepId);
  return events.flatMap((event, index) => {
    const { attempt } = event.payload as { attempt?: number };
    if (event.kind !== 'run' || attempt === undefined) return [];
    const next = events.slice(index + 1).find((later) => {
      const payload = later.payload as { kind: string; replayed?: boolean };
      return later.kind === 'progress' && payload.kind === 'train' && payload.replayed !== true;
    });
    return [{ attempt, firstStep: (next?.payload as { step?: number } | undefined)?.step }];
  });
}

/**
 * Issue 15, defect 9: after a Redis outage longer than the lock, a worker trained on a run whose lock had
 * expired while the queue handed the run to its next owner, so runs showed `running` twice (4 on 2
 * workers for ~40 s). The outage is stood in for by deleting the run's lock key, which is what its expiry
 * leaves: the worker must stop that training at its next renewal and leave the run to the queue, which
 * hands it out again (here to the same worker) to resume from the checkpoint, counted as an attempt.
 */
describe('a worker that loses a run’s lock', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('lock-lost', redisUrl);
  });
  afterAll(() => bed.close());

  it('stops training it, and the run resumes once from its checkpoint', async () => {
    const { box, store, coordinator } = bed;
    const { sweepId, plan } = await submitFixture(coordinator, 'one-long-run.yaml');
    const run = plan.runs[0]!;
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redisUrl));
    const redis = new Redis(redisUrl);
    try {
      await waitFor('the run to pass a checkpoint', () =>
        lastStep(store, run.id) >= run.checkpointEvery + 2 ? true : undefined,
      );
      const lostAt = lastStep(store, run.id);
      expect(await redis.del(`${box.prefix}:${TRAIN_QUEUE}:${run.id}:lock`)).toBe(1);
      const resumed = await waitFor('the run to be handed out again', () => {
        const second = attempts(store, sweepId)[1];
        return second?.firstStep === undefined ? undefined : second;
      });
      // Resumed from a checkpoint near where the lock was lost: the old training did not go on to the end.
      expect(resumed.attempt).toBe(2);
      expect(resumed.firstStep).toBeGreaterThan(lostAt - run.checkpointEvery);
      expect(resumed.firstStep).toBeLessThan(run.steps / 2);
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
    } finally {
      redis.disconnect();
      await worker.kill('SIGTERM');
    }
    expect([...doneEventCounts(store, sweepId)]).toEqual([[run.id, 1]]);
  });
});
