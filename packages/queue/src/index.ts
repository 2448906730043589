export { QUEUE_ERRORS, QueueError, type QueueErrorCode } from './errors.js';
export { queueLocationFromEnv, redisOptionsFromUrl, type QueueLocation } from './connection.js';
export {
  cancelChannel,
  cancelledKey,
  cancelSubscriberName,
  DEFAULT_PREFIX,
  TRAIN_QUEUE,
  TRAIN_RUN,
} from './names.js';
export {
  CANCELLED,
  DIVERGED,
  decodeFailure,
  encodeFailure,
  type RunFailureReason,
} from './failure.js';
export {
  parseRunResult,
  parseTrainJobPayload,
  parseTrainProgress,
  trainJobPayloadSchema,
  trainProgressSchema,
  type TrainJobPayload,
  type TrainProgress,
} from './schemas.js';
export { CANCELLED_REASON, TrainQueue, type JobSnapshot, type RetryPolicy } from './train-queue.js';
export {
  LOCK_LOST_REASON,
  SHUTDOWN_REASON,
  startTrainWorker,
  type TrainWorker,
  type TrainWorkerOptions,
} from './train-worker.js';
export {
  watchTrainQueue,
  type TrainQueueEvent,
  type TrainQueueWatch,
  type WatchOptions,
} from './watch-train-queue.js';
export {
  freePort,
  startLocalRedis,
  type LocalRedis,
  type LocalRedisOptions,
} from './local-redis.js';
