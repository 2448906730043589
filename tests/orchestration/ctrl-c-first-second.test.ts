import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  processEnv,
  spawnNode,
  startCoordinatorBed,
  submitFixture,
  waitFor,
  WORKER_MAIN,
  type CoordinatorBed,
} from './harness.js';

/**
 * Issue 15, defect 8: a Ctrl-C in the first second of a run (while its training process was still
 * starting) made that process exit 0 before it held the job, BullMQ failed the attempt with `Unexpected exit
 * code: 0` and the retry budget shrank. A Ctrl-C reaches the terminal's whole process group, so the test
 * signals the worker's group, the moment the run turns active.
 */
describe('Ctrl-C while a run is just starting', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('ctrl-c-early', redisUrl);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('hands the run back without using up an attempt', async () => {
    const { box, coordinator, queue } = bed;
    const { plan } = await submitFixture(coordinator, 'one-long-run.yaml');
    const run = plan.runs[0]!;
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redisUrl));
    try {
      await waitFor(
        'the run to turn active',
        async () =>
          (await queue.snapshot([run.id])).get(run.id)?.state === 'active' ? true : undefined,
        60_000,
        10,
      );
      await worker.kill('SIGINT');
      expect(await worker.exited).toBe(0);
    } finally {
      await worker.kill('SIGKILL');
    }
    expect((await queue.snapshot([run.id])).get(run.id)).toEqual({
      state: 'waiting',
      attemptsMade: 0,
    });
  });
});
