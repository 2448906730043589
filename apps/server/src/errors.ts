/** Errors raised by the HTTP layer and the chart builders of the server. */
export type ServerErrorCode =
  | 'SWEEP_NOT_FOUND'
  | 'RUN_NOT_FOUND'
  | 'CHART_NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'NO_COORDINATOR'
  | 'INSECURE_BIND'
  | 'ASSET_MISSING'
  | 'FIT_NOT_READY';

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
