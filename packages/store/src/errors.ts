export type StoreErrorCode = 'OPEN_FAILED' | 'MIGRATION_FAILED' | 'SWEEP_NOT_FOUND';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
