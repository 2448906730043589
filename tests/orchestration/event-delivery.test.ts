import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Coordinator, refreshSweepFit } from '@isoflop/orchestrator';
import type { StoredEvent } from '@isoflop/store';
import {
  openTestBed,
  processEnv,
  spawnNode,
  submitFixture,
  sweepEvents,
  WORKER_MAIN,
  type TestBed,
} from './harness.js';

describe('event delivery to in-process listeners', () => {
  const redisUrl = inject('redisUrl');
  let bed: TestBed;
  let coordinator: Coordinator;
  const delivered: StoredEvent[] = [];
  let releaseFit: () => void = () => undefined;
  const fitMayFinish = new Promise<void>((resolve) => (releaseFit = resolve));

  beforeAll(async () => {
    bed = openTestBed('event-delivery', redisUrl);
    // The first fit waits until all six runs' results have been flushed and delivered, so that results
    // land while a fit is being computed (what a slow bootstrap fit does on a real sweep).
    coordinator = await Coordinator.start({
      store: bed.store,
      redisUrl,
      prefix: bed.box.prefix,
      flushIntervalMs: 50,
      log: () => undefined,
      refreshFit: async (store, sweepId) => {
        await fitMayFinish;
        refreshSweepFit(store, sweepId, { bootstrap: 0 });
      },
    });
    coordinator.onEvents((events) => {
      delivered.push(...events);
      const done = delivered.filter(
        (e) => e.kind === 'run' && (e.payload as { state?: string }).state === 'done',
      );
      if (done.length >= 6) releaseFit();
    });
  });
  afterAll(async () => {
    await coordinator.close();
    await bed.close();
  });

  it('delivers every stored event once, also those recorded while a fit runs', async () => {
    const { sweepId } = await submitFixture(coordinator, 'fit.yaml');
    const worker = spawnNode(WORKER_MAIN, [], processEnv(bed.box, redisUrl));
    try {
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
      await coordinator.fitsSettled();
    } finally {
      await worker.kill('SIGTERM');
    }
    const ids = delivered.filter((e) => e.sweepId === sweepId).map((e) => e.id);
    expect(ids.length).toBe(new Set(ids).size);
    expect([...ids].sort((a, b) => a - b)).toEqual(
      sweepEvents(bed.store, sweepId).map((e) => e.id),
    );
    expect(delivered.some((e) => e.kind === 'fit')).toBe(true);
  });
});
