import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  cancelMarkCleared,
  cancelWithWorkerStopped,
  type CoordinatorBed,
  startCoordinatorBed,
  trainLongRun,
} from './harness.js';

/** Longer than the test worker's lock (ISOFLOP_LOCK_MS in processEnv): the lock expires meanwhile. */
const STOPPED_MS = 3500;

/**
 * The cancel test timed out on CI waiting for its cancelled run to fail. A cancel reached only the worker
 * holding the run at that instant, over pub/sub: when that worker had lost the run's lock (its event loop
 * starved past the lock on a loaded machine, or Redis away), it could not fail the run, the stall check
 * handed the run out again, and the run trained to its end as if never cancelled. SIGSTOP on the worker
 * (not its training process) stands for the starved event loop; the cancel lands while it is stopped.
 */
describe('a run cancelled while its worker has lost its lock', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('cancel-lock-lost', redisUrl);
  });
  afterAll(() => bed.close());

  it('fails as CANCELLED instead of training again', async () => {
    const trained = await trainLongRun(bed, redisUrl);
    const { sweepId, run, worker } = trained;
    try {
      const { cancelled, settled } = await cancelWithWorkerStopped(
        bed,
        trained,
        () => new Promise((r) => setTimeout(r, STOPPED_MS)),
      );
      expect(cancelled).toEqual({ sweepId, cancelled: 1 });
      expect(settled, `worker output:\n${worker.output()}`).toMatchObject({
        state: 'failed',
        failure: { code: 'CANCELLED' },
      });
      expect(worker.child.exitCode).toBeNull();
      await cancelMarkCleared(bed, redisUrl, run.id);
    } finally {
      await worker.kill('SIGTERM');
    }
  });
});
