import type { RunResult } from '@isoflop/planner';
import { UnrecoverableError, WaitingError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl, type QueueLocation } from './connection.js';
import { CANCELLED, decodeFailure } from './failure.js';
import { CANCELLED_REASON } from './train-queue.js';
import {
  cancelChannel,
  cancelledKey,
  cancelSubscriberName,
  DEFAULT_PREFIX,
  TRAIN_QUEUE,
} from './names.js';
import type { TrainJobPayload } from './schemas.js';

export interface TrainWorkerOptions extends QueueLocation {
  /** Compiled processor module that BullMQ forks into a child process per concurrent job. */
  processorFile: string;
  /** Names this worker in progress events and the job's processedBy. */
  name: string;
  concurrency?: number;
  /** Environment of the forked processors (their configuration). */
  processorEnv?: NodeJS.ProcessEnv;
  /** How long a job's lock lasts without renewal; a killed worker's run is retried after about this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Stalls (worker deaths) a run survives before it fails. */
  maxStalledCount?: number;
}

export interface TrainWorker {
  readonly worker: Worker<TrainJobPayload, RunResult>;
  /**
   * Stops taking jobs and asks the running ones to checkpoint and hand their run back; resolves when they
   * did, or after `timeoutMs` (then running children are killed and their runs retried elsewhere).
   */
  close(timeoutMs?: number): Promise<void>;
}

/** How long a failed run waits to learn whether a shutdown killed it (see shutdownBegins). */
const SHUTDOWN_GRACE_MS = 1000;
/**
 * How often a worker looks up its runs among the cancelled ones: a cancel's message reaches only the
 * subscribers connected when it is published, so one sent while this worker's subscriber reconnects
 * (Redis restarted, the connection dropped) takes effect within this instead of never.
 */
const CANCEL_CHECK_MS = 2000;

/** BullMQ's own control-flow errors: they already say what becomes of the job. */
const QUEUE_DECISIONS = ['UnrecoverableError', 'WaitingError', 'DelayedError', 'RateLimitError'];

/**
 * A sandboxed worker that decides, where BullMQ decides retries, what a run we asked to stop means when its
 * training process then ends some other way (it died, or exited before it could hear us): a cancelled run
 * fails for good as CANCELLED, never retried on another worker; a run we are shutting down goes back to
 * the queue without using up an attempt (BullMQ would report `Unexpected exit code: 0` and retry it).
 */
class TrainJobWorker extends Worker<TrainJobPayload, RunResult> {
  constructor(
    queueName: string,
    processorFile: string,
    options: WorkerOptions,
    /** The runs cancelled while some worker held or could take them (see cancelledKey). */
    private readonly cancelledRuns: string,
  ) {
    super(queueName, processorFile, options);
  }

  /** The runs this worker is training. */
  private readonly held = new Set<string>();

  /** Stops the runs this worker trains that have been cancelled (whether or not it heard the message). */
  async stopCancelledRuns(): Promise<void> {
    const runIds = [...this.held];
    if (runIds.length === 0) return;
    const client = await this.client;
    const marks = await client.hmget(this.cancelledRuns, ...runIds);
    runIds.forEach((runId, i) => {
      if (marks[i] !== null) this.cancelJob(runId, CANCELLED_REASON);
    });
  }

  /**
   * Forgets a run's cancel mark once the run has failed as cancelled: the failure is stored by then, so no
   * worker takes the run again unless it is enqueued again (which clears the mark itself). Without this the
   * hash kept a field per cancelled run for good. A Redis away leaves the mark, which only costs its field.
   */
  async forgetCancelled(runId: string): Promise<void> {
    const client = await this.client;
    await client.hdel(this.cancelledRuns, runId);
  }

  /**
   * Whether this worker starts closing within SHUTDOWN_GRACE_MS. A Ctrl-C reaches the worker's process
   * group; a training process being forked at that instant is still in that group until it moves to its
   * own (the signal stays pending across the fork), so it dies of the SIGINT before it holds the job and
   * before the worker has aborted anything. Its run is handed back, not failed.
   */
  private async shutdownBegins(): Promise<boolean> {
    for (let waited = 0; this.closing === undefined && waited < SHUTDOWN_GRACE_MS; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.closing !== undefined;
  }

  protected override async callProcessJob(
    job: Job<TrainJobPayload, RunResult>,
    token: string,
    signal?: AbortSignal,
  ): Promise<RunResult> {
    // Cancelled while its last worker could not fail it (that worker had lost the run's lock): fail it now
    // rather than train it again.
    const client = await this.client;
    const runId = job.id ?? '';
    if ((await client.hexists(this.cancelledRuns, runId)) === 1) {
      throw new UnrecoverableError(CANCELLED_REASON);
    }
    this.held.add(runId);
    try {
      return await super.callProcessJob(job, token, signal);
    } catch (error) {
      if (QUEUE_DECISIONS.includes((error as Error).name)) throw error;
      const reason = signal?.aborted
        ? (signal.reason as unknown)
        : (await this.shutdownBegins())
          ? SHUTDOWN_REASON
          : undefined;
      if (reason === undefined) throw error;
      if (reason === CANCELLED_REASON) throw new UnrecoverableError(CANCELLED_REASON);
      if (reason === SHUTDOWN_REASON) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw error;
    } finally {
      this.held.delete(runId);
    }
  }
}

/** Starts a sandboxed BullMQ worker on the training queue that also honours cancel requests. */
export async function startTrainWorker(options: TrainWorkerOptions): Promise<TrainWorker> {
  const connection = redisOptionsFromUrl(options.redisUrl);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const queueName = options.queueName ?? TRAIN_QUEUE;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new TrainJobWorker(
    queueName,
    options.processorFile,
    {
      connection,
      prefix,
      name: options.name,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? lockDuration,
      maxStalledCount: options.maxStalledCount ?? 3,
      useWorkerThreads: false,
      // Each training process leads a process group of its own: a terminal's Ctrl-C reaches only this
      // worker, which hands the runs back through their abort signals. A child that got the SIGINT itself
      // before it started its job exited 0, and BullMQ counted that as a failed attempt.
      workerForkOptions: { env: { ...process.env, ...options.processorEnv }, detached: true },
    },
    cancelledKey(prefix, queueName),
  );
  // Named, so that an operator (or a test) can tell it apart in CLIENT LIST.
  const subscriber = new Redis({
    ...connection,
    connectionName: cancelSubscriberName(prefix, queueName, options.name),
  });
  const channel = cancelChannel(prefix, queueName);
  subscriber.on('message', (from: string, runId: string) => {
    if (from === channel) worker.cancelJob(runId, CANCELLED_REASON);
  });
  // A lock that could not be renewed has expired (Redis was away longer than the lock): the queue hands the
  // run to another worker, so training on here would only race the new owner while the run shows running
  // twice. Stop it at its next step.
  worker.on('lockRenewalFailed', (runIds: string[]) => {
    for (const runId of runIds) worker.cancelJob(runId, LOCK_LOST_REASON);
  });
  // Emitted after the failure is stored (not when the queue refused it: a lost lock, a closing worker).
  worker.on('failed', (job, error) => {
    if (job?.id !== undefined && decodeFailure(error.message).code === CANCELLED) {
      void worker.forgetCancelled(job.id).catch(() => undefined);
    }
  });
  // A Redis restart drops subscriptions; ioredis resubscribes on reconnect by itself.
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(channel);
  await worker.waitUntilReady();
  // A Redis that is away is asked again at the next check.
  const stopCancelledRuns = () => void worker.stopCancelledRuns().catch(() => undefined);
  // Back from a reconnect (ioredis has resubscribed): what was cancelled meanwhile stops now.
  subscriber.on('ready', stopCancelledRuns);
  // Never what keeps a process alive: the worker's own connections do, until close.
  const cancelCheck = setInterval(stopCancelledRuns, CANCEL_CHECK_MS).unref();
  let closing: Promise<void> | undefined;
  return {
    worker,
    close: (timeoutMs = 30_000) => {
      closing ??= (async () => {
        clearInterval(cancelCheck);
        const graceful = worker.close();
        worker.cancelAllJobs(SHUTDOWN_REASON);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const outcome = await Promise.race([graceful.then(() => 'closed' as const), timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout') await worker.close(true);
        subscriber.disconnect();
      })();
      return closing;
    },
  };
}

/** The abort reason the processor sees when its worker shuts down (hand the run back, do not fail it). */
export const SHUTDOWN_REASON = 'isoflop:shutdown';

/** The abort reason when this worker lost the run's lock: the run is no longer ours to finish or fail. */
export const LOCK_LOST_REASON = 'isoflop:lock-lost';
