import type { RunResult, RunSpec } from '@isoflop/planner';
import { Queue, type Job, type JobState } from 'bullmq';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl, type QueueLocation } from './connection.js';
import { CANCELLED, decodeFailure, encodeFailure, type RunFailureReason } from './failure.js';
import { cancelChannel, cancelledKey, DEFAULT_PREFIX, TRAIN_QUEUE, TRAIN_RUN } from './names.js';
import { parseRunResult, type TrainJobPayload } from './schemas.js';

export interface RetryPolicy {
  /** Tries per run before it fails for good (default 3). */
  attempts?: number;
  /** First retry delay; doubles each retry (default 2000 ms). */
  backoffMs?: number;
}

/** What the queue knows about one run, for reconciling the database with it. */
export type JobSnapshot =
  | { state: 'completed'; result: RunResult; finishedOn: number }
  | { state: 'failed'; failure: RunFailureReason; attemptsMade: number; finishedOn: number }
  /** `locked`: a worker holds the job's lock; an active job without one is left to BullMQ's stall check. */
  | { state: 'active'; attemptsMade: number; locked: boolean }
  | { state: 'waiting'; attemptsMade: number }
  | { state: 'missing' };

const PAGE = 1000;
/** Reads of a run's state around its fields before a snapshot gives up waiting for the state to settle. */
const SNAPSHOT_READS = 5;

/** The producer side of the training queue, used by the coordinator (which must not import bullmq). */
export class TrainQueue {
  readonly prefix: string;
  readonly name: string;
  private readonly queue: Queue<TrainJobPayload, RunResult>;
  private readonly redisUrl: string;
  private publisher: Redis | undefined;

  constructor(location: QueueLocation) {
    this.prefix = location.prefix ?? DEFAULT_PREFIX;
    this.name = location.queueName ?? TRAIN_QUEUE;
    this.redisUrl = location.redisUrl;
    this.queue = new Queue(this.name, {
      connection: redisOptionsFromUrl(location.redisUrl),
      prefix: this.prefix,
    });
  }

  /**
   * Adds runs with job id = run id: a run already in the queue (waiting, active or finished) is not added
   * again, so resubmitting a spec never trains a run twice. Runs that failed for good are retried from
   * scratch (their checkpoints still let them resume). Returns how many failed jobs were retried.
   * `order: 'first'` puts the runs ahead of those waiting (runs an adaptive step added, whose results
   * decide what comes next, should not wait behind the whole grid).
   */
  async enqueue(
    runs: readonly RunSpec[],
    policy: RetryPolicy = {},
    order: 'first' | 'last' = 'last',
  ): Promise<{ retried: number }> {
    const opts = {
      lifo: order === 'first',
      attempts: policy.attempts ?? 3,
      backoff: { type: 'exponential', delay: policy.backoffMs ?? 2000 },
      // Finished jobs stay: their results are what a restarted coordinator reconciles from.
      removeOnComplete: false,
      removeOnFail: false,
    };
    // A run enqueued again is wanted again: a cancel that once marked it must not fail it now.
    await this.unmarkCancelled(runs.map((run) => run.id));
    for (let start = 0; start < runs.length; start += PAGE) {
      await this.queue.addBulk(
        runs.slice(start, start + PAGE).map((run) => ({
          name: TRAIN_RUN,
          data: { run },
          opts: { ...opts, jobId: run.id },
        })),
      );
    }
    const wanted = new Set(runs.map((run) => run.id));
    let retried = 0;
    const failedCount = await this.queue.getFailedCount();
    for (let start = 0; start < failedCount; start += PAGE) {
      const failed = await this.queue.getFailed(start, start + PAGE - 1);
      for (const job of failed) {
        if (job.id === undefined || !wanted.has(job.id)) continue;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried += 1;
      }
    }
    return { retried };
  }

  /**
   * Cancels runs: waiting or delayed jobs are removed; active ones are asked (over pub/sub) to stop, and
   * their worker fails them with code CANCELLED. Returns the ids in each group.
   */
  async cancel(runIds: readonly string[]): Promise<{ removed: string[]; signalled: string[] }> {
    const removed: string[] = [];
    const signalled: string[] = [];
    if (runIds.length === 0) return { removed, signalled };
    // Marked before the runs are looked at, so no run slips between the reads below and a worker: the
    // message reaches only the worker holding a run now, and one that lost the run's lock (its event loop
    // starved, Redis away) could not fail it; the worker that takes it next fails it as CANCELLED instead of
    // training it again.
    const client = await this.queue.client;
    const marks = cancelledKey(this.prefix, this.name);
    const cancelledAt = Date.now();
    for (let start = 0; start < runIds.length; start += PAGE) {
      const page = runIds.slice(start, start + PAGE);
      await client.hset(marks, Object.fromEntries(page.map((runId) => [runId, cancelledAt])));
    }
    const settled: string[] = [];
    for (const runId of runIds) {
      const state = await this.queue.getJobState(runId);
      if (state === 'active') {
        signalled.push(runId);
      } else if (state === 'completed' || state === 'failed' || state === 'unknown') {
        settled.push(runId);
      } else if ((await this.queue.remove(runId)) === 1) {
        removed.push(runId);
        settled.push(runId);
      } else {
        // Locked: a worker took it after it was read as waiting.
        signalled.push(runId);
      }
    }
    // No worker takes these any more (a failed run comes back only through enqueue, which unmarks it).
    await this.unmarkCancelled(settled);
    if (signalled.length > 0) {
      this.publisher ??= new Redis(redisOptionsFromUrl(this.redisUrl));
      for (const runId of signalled)
        await this.publisher.publish(cancelChannel(this.prefix, this.name), runId);
    }
    return { removed, signalled };
  }

  private async unmarkCancelled(runIds: readonly string[]): Promise<void> {
    const client = await this.queue.client;
    const marks = cancelledKey(this.prefix, this.name);
    for (let start = 0; start < runIds.length; start += PAGE) {
      await client.hdel(marks, ...runIds.slice(start, start + PAGE));
    }
  }

  /** The queue's view of each run id (missing: never added, removed, or lost with Redis's data). */
  async snapshot(runIds: readonly string[]): Promise<Map<string, JobSnapshot>> {
    const snapshots = new Map<string, JobSnapshot>();
    for (let start = 0; start < runIds.length; start += 200) {
      const chunk = runIds.slice(start, start + 200);
      const entries = await Promise.all(
        chunk.map(async (runId) => [runId, await this.snapshotOf(runId)] as const),
      );
      for (const [runId, snapshot] of entries) snapshots.set(runId, snapshot);
    }
    return snapshots;
  }

  /**
   * A job's fields and its state are two reads, and a run that finished between them read as failed with
   * no reason and 0 attempts (or completed with no result). BullMQ moves a job and writes its outcome in
   * one script, so the state is read first and the fields after it; a state that moved on meanwhile is read
   * again.
   */
  private async snapshotOf(runId: string): Promise<JobSnapshot> {
    for (let read = 1; ; read += 1) {
      const state = await this.queue.getJobState(runId);
      const job: Job<TrainJobPayload, RunResult> | undefined = await this.queue.getJob(runId);
      const settled = (await this.queue.getJobState(runId)) === state;
      if (settled || read === SNAPSHOT_READS) return this.snapshotIn(runId, state, job);
    }
  }

  private async snapshotIn(
    runId: string,
    state: JobState | 'unknown',
    job: Job<TrainJobPayload, RunResult> | undefined,
  ): Promise<JobSnapshot> {
    if (!job) return { state: 'missing' };
    if (state === 'completed') {
      try {
        return {
          state,
          result: parseRunResult(job.returnvalue),
          finishedOn: job.finishedOn ?? Date.now(),
        };
      } catch (error) {
        const failure = { code: 'INVALID_RESULT', message: (error as Error).message };
        return {
          state: 'failed',
          failure,
          attemptsMade: job.attemptsMade,
          finishedOn: job.finishedOn ?? Date.now(),
        };
      }
    }
    if (state === 'failed') {
      return {
        state,
        failure: decodeFailure(job.failedReason),
        attemptsMade: job.attemptsMade,
        finishedOn: job.finishedOn ?? Date.now(),
      };
    }
    if (state === 'active') {
      const client = await this.queue.client;
      const locked = (await client.get(`${this.queue.toKey(runId)}:lock`)) !== null;
      return { state, attemptsMade: job.attemptsMade, locked };
    }
    if (state === 'unknown') return { state: 'missing' };
    return { state: 'waiting', attemptsMade: job.attemptsMade };
  }

  /**
   * Calls `listener` each time the queue's Redis connection is ready again after it was lost (Redis
   * restarted, or the network came back). Returns a function that stops it.
   */
  onReconnect(listener: () => void): () => void {
    let stopped = false;
    let client: Awaited<Queue['client']> | undefined;
    // The client resolves once its first connection is ready, so each 'ready' after that is a reconnect.
    void this.queue.client.then(
      (ready) => {
        if (stopped) return;
        client = ready;
        client.on('ready', listener);
      },
      () => undefined,
    );
    return () => {
      stopped = true;
      client?.off('ready', listener);
    };
  }

  /** Job counts by BullMQ state (for status displays and benchmarks). */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts(
      'active',
      'waiting',
      'delayed',
      'completed',
      'failed',
      'prioritized',
    );
  }

  /**
   * Workers connected to this queue now (BullMQ names each worker's Redis connection, so this counts
   * idle workers too): how many runs can train at once.
   */
  async workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  /** Deletes every key of this queue (tests clean up with it). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
    // Not one of BullMQ's keys, so its obliterate leaves it.
    const client = await this.queue.client;
    await client.del(cancelledKey(this.prefix, this.name));
  }

  async close(): Promise<void> {
    this.publisher?.disconnect();
    await this.queue.close();
  }
}

/** The failedReason an active job gets when its sweep is cancelled. */
export const CANCELLED_REASON = encodeFailure({ code: CANCELLED, message: 'cancelled by user' });
