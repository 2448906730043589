export type WorkerErrorCode = 'BAD_CONFIG';

export class WorkerError extends Error {
  readonly code: WorkerErrorCode;

  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerError';
    this.code = code;
  }
}
