import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Store } from '@isoflop/store';
import {
  Coordinator,
  fixtureText,
  FIXTURES,
  obliterate,
  openStore,
  processEnv,
  runStates,
  sandbox,
  spawnNode,
  WORKER_MAIN,
  type Sandbox,
} from './harness.js';

describe('a diverging run', () => {
  const redisUrl = inject('redisUrl');
  let box: Sandbox;
  let store: Store;
  let coordinator: Coordinator;
  beforeAll(async () => {
    box = sandbox('diverge');
    store = openStore(box.dbFile);
    coordinator = await Coordinator.start({
      store,
      redisUrl,
      prefix: box.prefix,
      flushIntervalMs: 50,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await coordinator.close();
    store.close();
    await obliterate(redisUrl, box.prefix);
    box.cleanup();
  });

  it('ends diverged with its step, is not retried, and the worker goes on with the other runs and their fit', async () => {
    const diverging = await coordinator.submit(fixtureText('diverge.yaml'), 'yaml', {
      baseDir: FIXTURES,
    });
    const healthy = await coordinator.submit(fixtureText('tiny.yaml'), 'yaml', {
      baseDir: FIXTURES,
    });
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
