import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import {
  doneEventCounts,
  processEnv,
  runStates,
  spawnNode,
  startCoordinatorBed,
  submitFixture,
  sweepEvents,
  waitFor,
  waitForRunningRun,
  WORKER_MAIN,
  type CoordinatorBed,
  lastStep,
} from './harness.js';

describe('Redis restarted mid-sweep (append-only on)', () => {
  let redis: PrivateRedis;
  let bed: CoordinatorBed;
  beforeAll(async () => {
    redis = await startPrivateRedis({ appendOnly: true });
    bed = await startCoordinatorBed('redis-restart', redis.url);
  });
  afterAll(async () => {
    await bed.close();
    await redis.stop();
  });

  it('completes the sweep with every result recorded once', async () => {
    const { box, store, coordinator } = bed;
    const { sweepId, plan } = await submitFixture(coordinator, 'tiny.yaml');
    const worker = spawnNode(WORKER_MAIN, [], processEnv(box, redis.url));
    try {
      await waitForRunningRun(store, sweepId, 'a run to start training');
      await redis.restart();
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
    } finally {
      await worker.kill('SIGTERM');
    }
    expect(runStates(store, sweepId)).toEqual(
      Object.fromEntries(plan.runs.map((run) => [run.id, 'done'])),
    );
    expect([...doneEventCounts(store, sweepId).values()]).toEqual(plan.runs.map(() => 1));
  });

  /**
   * Issue 15, defect 9: after an outage longer than the lock, runs showed `running` until BullMQ's stall
   * check requeued them (~40 s), while their workers took other runs (4 running on 2 workers). The
   * worker here checks for stalls only every 20 s (a run is requeued at the second check that finds it
   * without a lock), so a correction within 6 s can only be the coordinator's reconcile on reconnect.
   */
  it('shows a run whose lock expired during the outage as queued, promptly, and then finishes it', async () => {
    const { box, store, coordinator } = bed;
    const { sweepId, plan } = await submitFixture(coordinator, 'one-long-run.yaml');
    const run = plan.runs[0]!;
    let eventsBefore = 0;
    const worker = spawnNode(
      WORKER_MAIN,
      [],
      processEnv(box, redis.url, { ISOFLOP_STALLED_INTERVAL_MS: '20000' }),
    );
    try {
      await waitFor('the run to pass a checkpoint', () =>
        lastStep(store, run.id) >= run.checkpointEvery + 2 ? true : undefined,
      );
      expect(runStates(store, sweepId)).toEqual({ [run.id]: 'running' });
      eventsBefore = sweepEvents(store, sweepId).length;
      // Down for longer than the 2 s lock: the lock is gone when Redis is back, so nothing trains the run.
      await redis.restart({ downMs: 3_000 });
      await waitFor(
        'the coordinator to show the run queued',
        () => (runStates(store, sweepId)[run.id] === 'queued' ? true : undefined),
        6_000,
      );
      const requeued = sweepEvents(store, sweepId)
        .slice(eventsBefore)
        .filter((event) => event.kind === 'run' && event.payload.state === 'queued');
      expect(requeued.map((event) => (event.payload as { reason?: string }).reason)).toContain(
        'stalled',
      );

      // The stall check hands the run out again; it resumes from its checkpoint and finishes once.
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
    } finally {
      await worker.kill('SIGTERM');
    }
    expect(runStates(store, sweepId)).toEqual({ [run.id]: 'done' });
    expect([...doneEventCounts(store, sweepId)]).toEqual([[run.id, 1]]);
    // One hand-back, recorded once: the reconcile's, not again when BullMQ's stall check finds it.
    const queued = sweepEvents(store, sweepId)
      .slice(eventsBefore)
      .filter((event) => event.kind === 'run' && event.payload.state === 'queued');
    expect(queued).toHaveLength(1);
  });
});
