import { getPriority } from 'node:os';
import { autogroupScheduling, sessionNiceness } from '@isoflop/trainer/process-priority';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { childrenOf, type CoordinatorBed, startCoordinatorBed, trainLongRun } from './harness.js';

/**
 * Training yields the cores to what a person waits on (issue 18: the dashboard beside two workers): a
 * worker's training process runs at ISOFLOP_NICE, its session too, while the worker that renews the
 * run's lock keeps its own priority.
 */
describe("a worker's training process", () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('training-priority', redisUrl);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('trains at the configured niceness, in a session of that priority', async () => {
    const { worker } = await trainLongRun(bed, redisUrl, { ISOFLOP_NICE: '6' });
    try {
      const [trainer] = childrenOf(worker.child.pid!);
      expect(trainer).toBeDefined();
      expect(getPriority(trainer!)).toBe(6);
      expect(getPriority(worker.child.pid!)).toBe(getPriority());
      if (autogroupScheduling()) {
        expect(sessionNiceness(trainer!)).toBe(6);
        // The worker leads a session of its own (spawned detached), which it leaves at a new one's 0.
        expect(sessionNiceness(worker.child.pid!)).toBe(0);
      }
    } finally {
      await worker.kill('SIGKILL');
    }
  });
});
