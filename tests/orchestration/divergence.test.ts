import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  processEnv,
  runStates,
  spawnNode,
  startCoordinatorBed,
  submitFixture,
  WORKER_MAIN,
  type CoordinatorBed,
} from './harness.js';

describe('a diverging run', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('diverge', redisUrl);
  });
  afterAll(() => bed.close());

  it('ends diverged with its step, is not retried, and the worker goes on with the other runs and their fit', async () => {
    const { box, store, coordinator } = bed;
    const diverging = await submitFixture(coordinator, 'diverge.yaml');
    const healthy = await submitFixture(coordinator, 'tiny.yaml');
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redisUrl));
    try {
      expect(await coordinator.whenSweepFinished(diverging.sweepId)).toBe('done');
      expect(await coordinator.whenSweepFinished(healthy.sweepId)).toBe('done');
    } finally {
      await worker.kill('SIGTERM');
    }
    const rows = store.sqlite
      .prepare('SELECT state, attempts, diverged_step AS step, error FROM runs WHERE sweep_id = ?')
      .all(diverging.sweepId) as {
      state: string;
      attempts: number;
      step: number | null;
      error: string;
    }[];
    expect(rows).toHaveLength(diverging.plan.runs.length);
    for (const row of rows) {
      expect(row.state).toBe('diverged');
      expect(row.attempts).toBe(1);
      expect(row.step).toBeGreaterThanOrEqual(1);
      expect(row.error).toMatch(/^DIVERGED: /);
    }
    expect(Object.values(runStates(store, healthy.sweepId))).toEqual(
      healthy.plan.runs.map(() => 'done'),
    );
  });
});
