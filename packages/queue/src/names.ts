/** The one queue that carries training runs. */
export const TRAIN_QUEUE = 'isoflop-train';
/** The job name of a training run (the job id is the run id). */
export const TRAIN_RUN = 'train-run';
/** Redis key prefix for isoflop's queues; tests use their own prefix to stay isolated. */
export const DEFAULT_PREFIX = 'isoflop';

/** Pub/sub channel on which cancel requests for active runs reach every worker. */
export function cancelChannel(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:cancel`;
}

/** The connection name of a worker's subscriber to cancel messages (CLIENT LIST shows it). */
export function cancelSubscriberName(
  prefix: string,
  queueName: string,
  workerName: string,
): string {
  return `${prefix}:${queueName}:cancel-subscriber:${workerName}`;
}

/**
 * Hash of the runs cancelled while a worker held or could take them (run id → when, in ms). The pub/sub
 * message reaches only the worker holding a run at that instant; any worker that takes a run in this hash
 * fails it as CANCELLED.
 */
export function cancelledKey(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:cancelled`;
}
