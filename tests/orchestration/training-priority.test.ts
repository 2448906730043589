import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { autogroupScheduling } from '@isoflop/trainer/process-priority';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { childrenOf, type CoordinatorBed, startCoordinatorBed, trainLongRun } from './harness.js';

/**
 * The autogroup niceness of a process's session (Linux), or null for a process in the kernel's default
 * autogroup (one whose session ancestry never called setsid, as under a container's init), which the
 * kernel does not print.
 */
function sessionNice(pid: number): number | null {
  const match = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
  return match ? Number(match[1]) : null;
}

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
        expect(sessionNice(trainer!)).toBe(6);
        // The worker leads a session of its own (spawned detached), which it leaves at a new one's 0.
        expect(sessionNice(worker.child.pid!)).toBe(0);
      }
    } finally {
      await worker.kill('SIGKILL');
    }
  });
});
