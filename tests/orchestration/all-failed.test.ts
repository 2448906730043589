import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  FIXTURES,
  fixtureText,
  processEnv,
  runStates,
  spawnNode,
  startCoordinatorBed,
  sweepEvents,
  WORKER_MAIN,
  type CoordinatorBed,
} from './harness.js';

/**
 * Issue 15, defect 9: a sweep whose runs all failed showed `done`, as if it had results to fit. Its corpus
 * is missing on the worker's machine here (the server cannot know what a remote worker holds), so every
 * attempt of its one run fails and the sweep ends `failed`.
 */
describe('a sweep whose runs all fail', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('all-failed', redisUrl);
  });
  afterAll(() => bed.close());

  it('ends failed, not done', async () => {
    const { box, store, coordinator } = bed;
    const spec = fixtureText('one-run.yaml').replace('[corpus.jsonl]', '[not-here.jsonl]');
    const { sweepId, plan } = await coordinator.submit(spec, 'yaml', { baseDir: FIXTURES });
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redisUrl));
    try {
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('failed');
    } finally {
      await worker.kill('SIGTERM');
    }
    expect(runStates(store, sweepId)).toEqual({ [plan.runs[0]!.id]: 'failed' });
    const last = sweepEvents(store, sweepId).findLast((event) => event.kind === 'sweep');
    expect(last?.payload).toMatchObject({ state: 'failed' });
  });
});
