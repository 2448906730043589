export type ModelErrorCode = 'INVALID_CONFIG' | 'INVALID_BATCH' | 'INVALID_CODEC';

/** Rejected model input; `field` is the path of the offending value (e.g. `shape.dModel`). */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;
  readonly field: string;

  constructor(code: ModelErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.code = code;
    this.field = field;
  }
}
