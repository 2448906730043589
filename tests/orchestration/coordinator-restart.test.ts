import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrainQueue } from '@isoflop/queue';
import {
  COORDINATOR_MAIN,
  doneEventCounts,
  openTestBed,
  processEnv,
  runStates,
  spawnNode,
  submitBeside,
  sweepState,
  waitFor,
  waitForRunningRun,
  WORKER_MAIN,
  type TestBed,
} from './harness.js';

describe('the coordinator killed and restarted mid-sweep', () => {
  const redisUrl = inject('redisUrl');
  let bed: TestBed;
  beforeAll(() => {
    bed = openTestBed('coordinator-kill', redisUrl);
  });
  afterAll(() => bed.close());

  it('records every result finished while it was down exactly once', async () => {
    const { box, store } = bed;
    const env = processEnv(box, redisUrl);
    let coordinatorProcess = spawnNode(COORDINATOR_MAIN, [], env);
    const { sweepId, plan } = await submitBeside(bed, redisUrl, 'tiny.yaml');
    const worker = spawnNode(WORKER_MAIN, [], env);
    const queue = new TrainQueue({ redisUrl, prefix: box.prefix });
    try {
      await waitForRunningRun(store, sweepId, 'the coordinator to record a running run');
      await coordinatorProcess.kill('SIGKILL');
      // Every run finishes while no coordinator listens.
      await waitFor(
        'every run to complete in the queue',
        async () => ((await queue.counts())['completed'] === plan.runs.length ? true : undefined),
        120_000,
        200,
      );
      expect(Object.values(runStates(store, sweepId))).not.toEqual(plan.runs.map(() => 'done'));

      coordinatorProcess = spawnNode(COORDINATOR_MAIN, [], env);
      await waitFor('the restarted coordinator to record the sweep as done', () =>
        sweepState(store, sweepId) === 'done' ? true : undefined,
      );
    } finally {
      await worker.kill('SIGTERM');
      await coordinatorProcess.kill('SIGTERM');
      await queue.close();
    }
    expect(runStates(store, sweepId)).toEqual(
      Object.fromEntries(plan.runs.map((run) => [run.id, 'done'])),
    );
    expect([...doneEventCounts(store, sweepId).values()]).toEqual(plan.runs.map(() => 1));
  });
});
