/** Errors raised by the coordinator, the fit refresher and the export. */
/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const ORCHESTRATOR_ERRORS = {
  SWEEP_NOT_FOUND: { kind: 'input', status: 404 },
  FIT_FAILED: { kind: 'permanent' },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type OrchestratorErrorCode = keyof typeof ORCHESTRATOR_ERRORS;

export class OrchestratorError extends Error {
  override readonly name = 'OrchestratorError';
  readonly code: OrchestratorErrorCode;

  constructor(code: OrchestratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
