import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { JobSnapshot } from '@isoflop/queue';
import { type CoordinatorBed, startCoordinatorBed, trainLongRun, waitFor } from './harness.js';

/** Concurrent readers of one run's snapshot: each is two Redis reads apart, so some land on either side. */
const READERS = 32;

/**
 * The cancel test failed on CI with `ERROR: unknown failure`: the run had failed as CANCELLED, but the
 * queue's view of it read the job's fields while it was still active and its state just after it failed,
 * so it showed a failure without a reason (and 0 attempts). The coordinator's reconcile reads the same
 * view, and would have recorded such a run as failed with ERROR for good. Readers that poll the run's
 * snapshot while it fails must only ever see the failure it had.
 */
describe("the queue's view of a run that fails while it is read", () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('queue-snapshot', redisUrl);
  });
  afterAll(() => bed.close());

  it('shows the failure with its reason, never a torn one', async () => {
    const { coordinator, queue } = bed;
    const { sweepId, run, worker } = await trainLongRun(bed, redisUrl);
    try {
      let done = false;
      const failures: JobSnapshot[] = [];
      const readers = Array.from({ length: READERS }, async () => {
        while (!done) {
          const snapshot = (await queue.snapshot([run.id])).get(run.id);
          if (snapshot?.state === 'failed') failures.push(snapshot);
          if (snapshot?.state !== 'active') done = true;
        }
      });
      await coordinator.cancel(sweepId);
      await Promise.race([
        Promise.all(readers),
        waitFor('the run to fail', () => (done ? true : undefined)),
      ]);
      done = true;
      await Promise.all(readers);
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) {
        expect(failure, worker.output()).toMatchObject({
          state: 'failed',
          failure: { code: 'CANCELLED' },
          attemptsMade: 1,
        });
      }
    } finally {
      await worker.kill('SIGTERM');
    }
  });
});
