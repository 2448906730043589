/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const QUEUE_ERRORS = {
  INVALID_PAYLOAD: { kind: 'permanent' },
  INVALID_RESULT: { kind: 'permanent' },
  INVALID_PROGRESS: { kind: 'permanent' },
  BAD_REDIS_URL: { kind: 'input' },
  REDIS_UNAVAILABLE: { kind: 'transient' },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type QueueErrorCode = keyof typeof QUEUE_ERRORS;

export class QueueError extends Error {
  readonly code: QueueErrorCode;

  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueError';
    this.code = code;
  }
}
