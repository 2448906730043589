export type CliErrorCode = 'BAD_INPUT' | 'FAILED';

/** An error the CLI reports as `error: <message>`; BAD_INPUT exits 2, FAILED exits 1. */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}
