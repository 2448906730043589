import type { RunResult } from '@isoflop/planner';
import {
  encodeFailure,
  parseTrainJobPayload,
  SHUTDOWN_REASON,
  type TrainProgress,
} from '@isoflop/queue';
import { trainRun } from '@isoflop/trainer';
import { lowerTrainingPriority } from '@isoflop/trainer/process-priority';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { forwardAborts } from './abort-forwarding.js';
import { parseWorkerConfig } from './config.js';
import { toQueueError } from './failure-mapping.js';
import { exitWithParent } from './parent-watch.js';

/**
 * The sandboxed processor: BullMQ forks this module into a child process, so long CPU-bound training
 * steps never block the parent's event loop that renews the job lock.
 */
const config = parseWorkerConfig();
exitWithParent();
// Before any training session starts, so ONNX Runtime's threads inherit it. The worker forks us into a
// session of our own, so on Linux the session's priority drops too (see lowerTrainingPriority).
lowerTrainingPriority(config.nice);

// The worker forks us into a process group of our own, so a terminal's Ctrl-C reaches only the worker,
// which hands our run back through the job's abort signal. A supervisor may still SIGTERM us directly:
// then stop at the next step boundary (the trainer checkpoints first) and hand the run back too.
const shutdown = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => shutdown.abort(SHUTDOWN_REASON));
}

export default async function processTrainJob(
  job: SandboxedJob<unknown, RunResult>,
  token?: string,
  signal?: AbortSignal,
): Promise<RunResult> {
  let run;
  try {
    ({ run } = parseTrainJobPayload(job.data));
  } catch (error) {
    throw new UnrecoverableError(
      encodeFailure({ code: 'INVALID_PAYLOAD', message: (error as Error).message }),
    );
  }
  const abort = new AbortController();
  const stopForwarding = forwardAborts(abort, [
    { signal: shutdown.signal, reason: () => SHUTDOWN_REASON },
    ...(signal ? [{ signal, reason: () => signal.reason as unknown }] : []),
  ]);

  const report = (progress: TrainProgress): void => {
    job.updateProgress(progress).catch(() => undefined);
  };
  // A stall (the worker died holding the run) is an attempt too; a run handed back on shutdown is not.
  const attempt = job.attemptsMade + (job.stalledCounter ?? 0) + 1;
  report({ kind: 'start', runId: run.id, worker: config.name, attempt });
  try {
    return await trainRun(
      { ...run, device: config.device ?? run.device },
      {
        dataCacheDir: config.dataCacheDir,
        dataServer: config.dataServer,
        checkpointDir: config.checkpointDir,
        ...(config.device === undefined ? {} : { device: config.device }),
        ...(config.threads === undefined ? {} : { threads: config.threads }),
        ...(config.stepsPerRun === undefined ? {} : { stepsPerRun: config.stepsPerRun }),
        signal: abort.signal,
        onProgress: report,
      },
    );
  } catch (error) {
    const mapped = toQueueError(error, abort.signal.reason);
    if (mapped.name === 'WaitingError') await job.moveToWait(token);
    throw mapped;
  } finally {
    stopForwarding();
  }
}
