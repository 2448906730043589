/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const TRAINER_ERRORS = {
  /** A non-finite loss or gradient: a result on the IsoFLOP grid, not a fault to retry. */
  DIVERGED: { kind: 'permanent' },
  BAD_CHECKPOINT: { kind: 'input' },
  SHAPE_REJECTED: { kind: 'input' },
  /** Stopped from outside (cancel or shutdown); the worker decides which (failure-mapping.ts). */
  ABORTED: { kind: 'transient' },
  DEVICE_UNAVAILABLE: { kind: 'input' },
  INVALID_OPTIONS: { kind: 'input' },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type TrainerErrorCode = keyof typeof TRAINER_ERRORS;

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

/** Codes that a retry cannot fix (all but the transient): the worker fails these for good. */
export const NON_RETRYABLE_TRAINER_CODES: readonly TrainerErrorCode[] = (
  Object.keys(TRAINER_ERRORS) as TrainerErrorCode[]
).filter((code) => TRAINER_ERRORS[code].kind !== 'transient');

export type CudaSetupErrorCode =
  /** Not linux/x64: the pinned provider is built for nothing else. */
  | 'UNSUPPORTED_PLATFORM'
  /** onnxruntime-node is not the version the provider was built with. */
  | 'BINDING_VERSION'
  /** The registry download (npm pack) failed. */
  | 'FETCH_FAILED'
  /** The tarball, or a reassembled pack, is not the pinned one (sha512 integrity or sha256). */
  | 'INTEGRITY_MISMATCH'
  /** The tarball lacks a provider file, or a file is not the pinned one. */
  | 'BAD_TARBALL'
  /** A file given on the command line does not exist. */
  | 'NO_SUCH_FILE';

/** Installing the CUDA provider went wrong; nothing was installed (files are renamed in only when all check). */
export class CudaSetupError extends Error {
  readonly code: CudaSetupErrorCode;

  constructor(code: CudaSetupErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CudaSetupError';
    this.code = code;
  }
}
