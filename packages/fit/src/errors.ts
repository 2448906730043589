export type FitErrorCode = 'INVALID_OPTION' | 'INVALID_ROWS' | 'NOTHING_TO_FIT';

/** A fit that cannot start: bad options, no usable rows, or no family with enough runs for any fit. */
export class FitError extends Error {
  readonly code: FitErrorCode;

  constructor(code: FitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FitError';
    this.code = code;
  }
}
