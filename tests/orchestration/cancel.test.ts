import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrainQueue, type JobSnapshot } from '@isoflop/queue';
import {
  cancelMarkCleared,
  lastStep,
  processEnv,
  runStates,
  spawnNode,
  startCoordinatorBed,
  submitFixture,
  sweepState,
  waitFor,
  WORKER_MAIN,
  type CoordinatorBed,
} from './harness.js';

describe('cancelling a sweep', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('cancel', redisUrl);
  });
  afterAll(() => bed.close());

  it('removes waiting runs, stops the training one at its next step, and keeps the worker going', async () => {
    // Two long runs (two seeds) for one worker: one trains, one waits. Long, because the store shows a
    // run's progress some time after the worker made it: on a loaded machine, a 200-step run (about 2 s)
    // the store showed at step 12 had finished by the time its cancel reached the worker.
    const { box, store, coordinator } = bed;
    const { sweepId, plan } = await submitFixture(
      coordinator,
      'one-long-run.yaml',
      'seeds: [0, 1]\n',
    );
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
      const cancelledAt = `${lastStep(store, active)} of ${plan.runs[0]!.steps}`;

      expect(await coordinator.cancel(sweepId)).toEqual({ sweepId, cancelled: 2 });
      expect(runStates(store, sweepId)).toEqual({ [active]: 'cancelled', [waiting]: 'cancelled' });

      // On a mismatch, say what the queue held and what the worker printed: this failed on CI only.
      let last: Map<string, JobSnapshot> | undefined;
      const explain = (): string =>
        `cancelled at step ${cancelledAt}\nqueue: ${JSON.stringify(Object.fromEntries(last ?? []))}\n` +
        `worker output:\n${worker.output()}`;
      const snapshots = await waitFor('the training run to stop as failed', async () => {
        last = await queue.snapshot([active, waiting]);
        return last.get(active)?.state === 'failed' ? last : undefined;
      }).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\n${explain()}`, { cause: error });
      });
      expect(snapshots.get(waiting), explain()).toEqual({ state: 'missing' });
      expect(snapshots.get(active), explain()).toMatchObject({
        state: 'failed',
        failure: { code: 'CANCELLED' },
      });
      expect(worker.child.exitCode).toBeNull();
      await cancelMarkCleared(bed, redisUrl, active);
    } finally {
      await worker.kill('SIGTERM');
      await queue.close();
    }
    expect(sweepState(store, sweepId)).toBe('cancelled');
    expect(runStates(store, sweepId)).toEqual(
      Object.fromEntries(plan.runs.map((run) => [run.id, 'cancelled'])),
    );
  });
});
