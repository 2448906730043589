/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const STORE_ERRORS = {
  OPEN_FAILED: { kind: 'permanent' },
  MIGRATION_FAILED: { kind: 'permanent' },
  SWEEP_NOT_FOUND: { kind: 'input', status: 404 },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type StoreErrorCode = keyof typeof STORE_ERRORS;

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
