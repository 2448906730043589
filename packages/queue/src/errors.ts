export type QueueErrorCode =
  'INVALID_PAYLOAD' | 'INVALID_RESULT' | 'INVALID_PROGRESS' | 'BAD_REDIS_URL' | 'REDIS_UNAVAILABLE';

export class QueueError extends Error {
  readonly code: QueueErrorCode;

  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueError';
    this.code = code;
  }
}
