import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  childrenOf,
  type CoordinatorBed,
  startCoordinatorBed,
  trainLongRun,
  waitFor,
} from './harness.js';

/**
 * Issue 15, defect 3 (its cancel half): a run cancelled while its training process could not answer (it was
 * reading /dev/zero) was retried on another worker once that process died. A cancelled run whose process
 * dies before it stops must fail for good as CANCELLED. SIGSTOP holds the process deaf to the cancel; the
 * SIGKILL that follows stands for the out-of-memory kill.
 */
describe('a cancelled run whose training process dies before it stops', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('cancel-dead', redisUrl);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('fails it as CANCELLED instead of retrying it', async () => {
    const { coordinator, queue } = bed;
    // Past its first steps: BullMQ never settles a job whose process dies while it is still starting.
    const { sweepId, run, worker } = await trainLongRun(bed, redisUrl);
    try {
      const [trainer] = childrenOf(worker.child.pid!);
      expect(trainer).toBeDefined();
      process.kill(trainer!, 'SIGSTOP');
      await coordinator.cancel(sweepId);
      // Give the cancel time to reach the worker (it cannot reach the stopped process).
      await new Promise((r) => setTimeout(r, 500));
      process.kill(trainer!, 'SIGKILL');
      const snapshot = await waitFor('the run to leave the active state', async () => {
        const found = (await queue.snapshot([run.id])).get(run.id);
        return found?.state === 'active' ? undefined : found;
      });
      expect(snapshot).toMatchObject({ state: 'failed', failure: { code: 'CANCELLED' } });
    } finally {
      await worker.kill('SIGKILL');
    }
  });
});
