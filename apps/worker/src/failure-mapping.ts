import { NON_RETRYABLE_TRAINER_CODES, TrainerError } from '@isoflop/trainer';
import { CANCELLED, encodeFailure, LOCK_LOST_REASON, SHUTDOWN_REASON } from '@isoflop/queue';
import { UnrecoverableError, WaitingError } from 'bullmq';

/**
 * The one place that decides what a failed run means to the queue: a shutdown hands the run back (it
 * resumes from its checkpoint elsewhere), a lost lock leaves it to its new owner, a cancel or a permanent trainer error (divergence, bad shape)
 * fails it for good, anything else is retried with backoff.
 */
export function toQueueError(error: unknown, abortReason: unknown): Error {
  if (error instanceof TrainerError && error.code === 'ABORTED') {
    if (abortReason === SHUTDOWN_REASON) return new WaitingError();
    // The run is another worker's now; the queue refuses any outcome from us (our lock is gone).
    if (abortReason === LOCK_LOST_REASON) {
      return new Error(
        encodeFailure({ code: 'LOCK_LOST', step: error.step, message: error.message }),
      );
    }
    return new UnrecoverableError(
      encodeFailure({ code: CANCELLED, step: error.step, message: error.message }),
    );
  }
  if (error instanceof TrainerError && NON_RETRYABLE_TRAINER_CODES.includes(error.code)) {
    return new UnrecoverableError(
      encodeFailure({ code: error.code, step: error.step, message: error.message }),
    );
  }
  const code = error instanceof TrainerError ? error.code : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  return new Error(encodeFailure({ code, message }));
}
