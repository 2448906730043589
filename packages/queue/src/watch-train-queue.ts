import type { RunResult } from '@isoflop/planner';
import { QueueEvents } from 'bullmq';
import { redisOptionsFromUrl, type QueueLocation } from './connection.js';
import { decodeFailure, type RunFailureReason } from './failure.js';
import { DEFAULT_PREFIX, TRAIN_QUEUE } from './names.js';
import { parseRunResult, parseTrainProgress, type TrainProgress } from './schemas.js';

/**
 * What happened to a run in the queue. `streamId` is the position in BullMQ's event stream: persist the
 * last one handled and pass it back as `afterStreamId` to resume without a gap.
 */
export type TrainQueueEvent = { runId: string; streamId: string } & (
  | { type: 'active' }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'completed'; result: RunResult }
  | { type: 'failed'; failure: RunFailureReason }
  /**
   * Back in the queue: a retry after a transient failure (after its backoff), a job whose worker died
   * (stalled), or one moved back to waiting (a worker shutting down hands its run back).
   */
  | { type: 'requeued'; reason: 'retry' | 'stalled' | 'returned' }
  | { type: 'removed' }
);

export interface WatchOptions {
  /** Resume after this stream id; without it, only events from now on. */
  afterStreamId?: string | undefined;
  /** Called in stream order, synchronously, for every event. */
  onEvent: (event: TrainQueueEvent) => void;
  /** A malformed progress payload (skipped) or a connection error. */
  onError?: (error: Error) => void;
}

export interface TrainQueueWatch {
  /** Resolves once the event reader is connected. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Follows the training queue's event stream (QueueEvents) and hands typed events to `onEvent`. */
export function watchTrainQueue(location: QueueLocation, options: WatchOptions): TrainQueueWatch {
  const events = new QueueEvents(location.queueName ?? TRAIN_QUEUE, {
    connection: redisOptionsFromUrl(location.redisUrl),
    prefix: location.prefix ?? DEFAULT_PREFIX,
    ...(options.afterStreamId === undefined ? {} : { lastEventId: options.afterStreamId }),
  });
  const emit = (event: TrainQueueEvent): void => options.onEvent(event);
  const report = (error: Error): void => options.onError?.(error);
  events.on('active', ({ jobId }, streamId) => emit({ type: 'active', runId: jobId, streamId }));
  events.on('progress', ({ jobId, data }, streamId) => {
    try {
      emit({ type: 'progress', runId: jobId, streamId, progress: parseTrainProgress(data) });
    } catch (error) {
      report(error as Error);
    }
  });
  events.on('completed', ({ jobId, returnvalue }, streamId) => {
    let result: RunResult;
    try {
      result = parseRunResult(returnvalue);
    } catch (error) {
      emit({
        type: 'failed',
        runId: jobId,
        streamId,
        failure: { code: 'INVALID_RESULT', message: (error as Error).message },
      });
      return;
    }
    emit({ type: 'completed', runId: jobId, streamId, result });
  });
  events.on('failed', ({ jobId, failedReason }, streamId) =>
    emit({ type: 'failed', runId: jobId, streamId, failure: decodeFailure(failedReason) }),
  );
  // We never add delayed jobs, so a delayed job is a retry waiting out its backoff.
  events.on('delayed', ({ jobId }, streamId) =>
    emit({ type: 'requeued', runId: jobId, streamId, reason: 'retry' }),
  );
  events.on('waiting', ({ jobId, prev }, streamId) => {
    if (prev === 'active') emit({ type: 'requeued', runId: jobId, streamId, reason: 'returned' });
  });
  events.on('stalled', ({ jobId }, streamId) =>
    emit({ type: 'requeued', runId: jobId, streamId, reason: 'stalled' }),
  );
  events.on('removed', ({ jobId }, streamId) => emit({ type: 'removed', runId: jobId, streamId }));
  events.on('error', report);
  return {
    ready: async () => {
      await events.waitUntilReady();
    },
    close: () => events.close(),
  };
}
