import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Store } from '@isoflop/store';
import {
  aliveProcess,
  childrenOf,
  doneEventCounts,
  processEnv,
  runStates,
  spawnNode,
  startCoordinatorBed,
  submitFixture,
  sweepEvents,
  waitFor,
  WORKER_MAIN,
  type CoordinatorBed,
  type Spawned,
  lastStep,
} from './harness.js';

/** The train steps the coordinator stored for a run, ascending, one entry per stored row. */
function trainMetricSteps(store: Store, runId: string): number[] {
  return (
    store.sqlite
      .prepare("SELECT step FROM metrics WHERE run_id = ? AND kind = 'train' ORDER BY step")
      .all(runId) as { step: number }[]
  ).map((row) => row.step);
}

/** The step of a run's checkpoint on disk (0 before the first): magic, header length, JSON header. */
function checkpointStep(checkpointDir: string, runId: string): number {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(checkpointDir, runId, 'checkpoint.ckpt'));
  } catch {
    return 0;
  }
  const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString('utf8')) as {
    step: number;
  };
  return header.step;
}

/**
 * The training steps a worker reported, in order (the progress events after its 'start'), leaving out
 * those it only replayed from its checkpoint.
 */
function stepsReportedBy(store: Store, sweepId: string, worker: string): number[] {
  const events = sweepEvents(store, sweepId);
  const start = events.findIndex(
    (event) => (event.payload as { worker?: string }).worker === worker,
  );
  if (start < 0) return [];
  return events
    .slice(start)
    .filter((event) => {
      const payload = event.payload as { kind: string; replayed?: boolean };
      return event.kind === 'progress' && payload.kind === 'train' && payload.replayed !== true;
    })
    .map((event) => (event.payload as { step: number }).step);
}

describe('a worker killed with SIGKILL, then one stopped with SIGTERM, mid-run', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  beforeAll(async () => {
    bed = await startCoordinatorBed('worker-kill', redisUrl);
  });
  afterAll(() => bed.close());

  it('hands the run on each time, resuming from the last checkpoint, and records it once', async () => {
    const { box, store, coordinator } = bed;
    const { sweepId, plan } = await submitFixture(coordinator, 'one-long-run.yaml');
    const run = plan.runs[0]!;
    const every = run.checkpointEvery;
    const workers: Spawned[] = [];
    const startWorker = (name: string): Spawned => {
      const worker = spawnNode(
        WORKER_MAIN,
        [],
        processEnv(box, redisUrl, { ISOFLOP_WORKER_NAME: name }),
      );
      workers.push(worker);
      return worker;
    };
    let stoppedAt = 0;
    try {
      const first = startWorker('first');
      await waitFor('the first worker to pass two checkpoints', () =>
        lastStep(store, run.id) >= 2 * every + 2 ? true : undefined,
      );
      const trainers = childrenOf(first.child.pid!);
      expect(trainers.length).toBeGreaterThan(0);
      // The worker freezes (a loaded machine, a swapped-out process): its training process checkpoints on
      // while its reports wait in the frozen worker, so the checkpoint gets ahead of the stored curve.
      // The next owner resumes after steps whose progress never reached the store (issue 15: a hole).
      first.child.kill('SIGSTOP');
      const storedBeforeKill = lastStep(store, run.id);
      await waitFor('the checkpoint to get two checkpoints ahead of the stored progress', () =>
        checkpointStep(join(box.dir, 'checkpoints'), run.id) >= storedBeforeKill + 2 * every
          ? true
          : undefined,
      );
      // SIGKILL to the worker alone, as `kill -9 PID` does: its training process must not outlive it
      // (issue 15, defect 4: it kept training unreported, overwrote the checkpoint, then spun forever).
      first.child.kill('SIGKILL');
      await first.exited;
      const killedAt = Date.now();
      await waitFor(
        "the killed worker's training processes to end",
        () => (trainers.some(aliveProcess) ? undefined : true),
        5_000,
      );
      expect(Date.now() - killedAt).toBeLessThan(5_000);

      // The killed worker's lock expires; the second worker picks the run up from its checkpoint.
      const second = startWorker('second');
      stoppedAt = await waitFor('the second worker to train past its resume point', () => {
        const step = stepsReportedBy(store, sweepId, 'second').at(-1) ?? 0;
        return step >= 4 * every ? step : undefined;
      });
      // SIGTERM: it checkpoints the run, hands it back and exits cleanly.
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      startWorker('third');
      expect(await coordinator.whenSweepFinished(sweepId)).toBe('done');
    } finally {
      for (const worker of workers) await worker.kill('SIGKILL');
    }

    expect(runStates(store, sweepId)).toEqual({ [run.id]: 'done' });
    expect([...doneEventCounts(store, sweepId)]).toEqual([[run.id, 1]]);
    // The kill counts as an attempt (issue 15, defect 9: stalls went uncounted); the shutdown, which
    // handed the run back checkpointed, does not.
    const row = store.sqlite
      .prepare('SELECT worker, attempts, trained_steps AS steps FROM runs WHERE id = ?')
      .get(run.id);
    expect(row).toEqual({ worker: 'third', attempts: 2, steps: run.steps });

    // Each new worker's first reported step is past where the previous one stopped: it resumed.
    expect(stepsReportedBy(store, sweepId, 'second')[0]).toBeGreaterThan(2 * every);
    expect(stepsReportedBy(store, sweepId, 'third')[0]).toBeGreaterThan(stoppedAt);
    // No hole in the loss curve across either hand-over, and no step twice: every reported step from
    // the first to the last is stored exactly once (a resume replays its checkpoint's reports, which
    // the frozen worker never delivered).
    const progressEvery = Math.max(1, Math.round(run.steps / 100));
    const reported = Array.from(
      { length: Math.floor(run.steps / progressEvery) },
      (_, i) => (i + 1) * progressEvery,
    );
    if (reported.at(-1) !== run.steps) reported.push(run.steps);
    expect(trainMetricSteps(store, run.id)).toEqual(reported);
  });
});
