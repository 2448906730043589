/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const CLI_ERRORS = {
  BAD_INPUT: { kind: 'input' },
  FAILED: { kind: 'permanent' },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type CliErrorCode = keyof typeof CLI_ERRORS;

/** An error the CLI reports as `error: <message>`; BAD_INPUT exits 2, FAILED exits 1. */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}
