/** Errors raised by the HTTP layer and the chart builders of the server. */
/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const SERVER_ERRORS = {
  SWEEP_NOT_FOUND: { kind: 'input', status: 404 },
  RUN_NOT_FOUND: { kind: 'input', status: 404 },
  CHART_NOT_FOUND: { kind: 'input', status: 404 },
  INVALID_REQUEST: { kind: 'input', status: 400 },
  UNAUTHORIZED: { kind: 'input', status: 401 },
  /** A write from another site's page, or a DNS-rebound Host on a loopback server. */
  CROSS_ORIGIN: { kind: 'input', status: 403 },
  FOREIGN_HOST: { kind: 'input', status: 403 },
  /** Every event-stream slot is taken. */
  TOO_MANY_STREAMS: { kind: 'transient', status: 503 },
  /** A mutating route on a read-only server. */
  NO_COORDINATOR: { kind: 'permanent', status: 409 },
  /** Bound beyond loopback without a token: refused at start, never an HTTP answer. */
  INSECURE_BIND: { kind: 'input' },
  ASSET_MISSING: { kind: 'permanent' },
  /** No fit yet: too few runs have finished. */
  FIT_NOT_READY: { kind: 'transient', status: 404 },
  /** No prepared corpus, shard or index with that content hash on this server. */
  DATA_NOT_FOUND: { kind: 'input', status: 404 },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type ServerErrorCode = keyof typeof SERVER_ERRORS;

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
