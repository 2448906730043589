export type TrainerErrorCode =
  | 'DIVERGED'
  | 'BAD_CHECKPOINT'
  | 'SHAPE_REJECTED'
  | 'ABORTED'
  | 'DEVICE_UNAVAILABLE'
  | 'INVALID_OPTIONS';

export interface TrainerErrorDetails {
  /** The step at which training stopped (DIVERGED, ABORTED). */
  step?: number;
  /** The file or option the error is about. */
  path?: string;
  cause?: unknown;
}

export class TrainerError extends Error {
  readonly code: TrainerErrorCode;
  readonly step: number | undefined;
  readonly path: string | undefined;

  constructor(code: TrainerErrorCode, message: string, details: TrainerErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TrainerError';
    this.code = code;
    this.step = details.step;
    this.path = details.path;
  }
}

/** Codes that a retry cannot fix: the worker maps these to a non-retryable failure. */
export const NON_RETRYABLE_TRAINER_CODES: readonly TrainerErrorCode[] = [
  'DIVERGED',
  'BAD_CHECKPOINT',
  'SHAPE_REJECTED',
  'DEVICE_UNAVAILABLE',
  'INVALID_OPTIONS',
];
