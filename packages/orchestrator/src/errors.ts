/** Errors raised by the coordinator, the fit refresher and the export. */
export type OrchestratorErrorCode = 'SWEEP_NOT_FOUND' | 'FIT_FAILED';

export class OrchestratorError extends Error {
  override readonly name = 'OrchestratorError';
  readonly code: OrchestratorErrorCode;

  constructor(code: OrchestratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
