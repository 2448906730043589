/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const FIT_ERRORS = {
  INVALID_OPTION: { kind: 'input' },
  INVALID_ROWS: { kind: 'input' },
  /** No family has enough runs for either approach (early in a sweep: no fit yet). */
  NOTHING_TO_FIT: { kind: 'input' },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type FitErrorCode = keyof typeof FIT_ERRORS;

/** A fit that cannot start: bad options, no usable rows, or no family with enough runs for any fit. */
export class FitError extends Error {
  readonly code: FitErrorCode;

  constructor(code: FitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FitError';
    this.code = code;
  }
}
