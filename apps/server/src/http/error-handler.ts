import { ORCHESTRATOR_ERRORS } from '@isoflop/orchestrator';
import { PLANNER_ERRORS } from '@isoflop/planner';
import { STORE_ERRORS } from '@isoflop/store';
import type { FastifyError, FastifyInstance } from 'fastify';
import { SERVER_ERRORS } from '../errors.js';

/** The JSON body of every error response: a stable code, a sentence, and the fields at fault. */
export interface ErrorBody {
  error: string;
  message: string;
  issues?: { path: string; message: string }[];
}

/** Fastify's own codes that answer something other than 500. */
const FASTIFY_STATUS = {
  FST_ERR_VALIDATION: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_NOT_FOUND: 404,
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
} as const;

/** Every code a request can raise, with its meaning as declared where the code is defined. */
const MEANINGS = {
  ...PLANNER_ERRORS,
  ...STORE_ERRORS,
  ...ORCHESTRATOR_ERRORS,
  ...SERVER_ERRORS,
};
export type HttpErrorCode = keyof typeof MEANINGS | keyof typeof FASTIFY_STATUS;

/**
 * The one table from error codes (ours, our packages', Fastify's) to HTTP status, derived from the
 * `status` each code declares. A code that is not listed is a bug on our side and answers 500 without
 * leaking its message.
 */
const STATUS_BY_CODE: ReadonlyMap<string, number> = new Map<HttpErrorCode, number>([
  ...Object.entries(FASTIFY_STATUS).map(
    ([code, status]) => [code as HttpErrorCode, status] as const,
  ),
  ...Object.entries(MEANINGS).flatMap(([code, meaning]) =>
    'status' in meaning ? [[code as HttpErrorCode, meaning.status] as const] : [],
  ),
]);

/**
 * SQLite refusing work for a while (better-sqlite3's primary codes): a full disk, a lock held too long, a
 * file that cannot be read. Answered 503: nothing was written, and the same request may succeed later.
 */
const SQLITE_REFUSALS: ReadonlySet<string> = new Set([
  'SQLITE_FULL',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
]);

/** Seconds a client is asked to wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 5;

interface CodedError {
  code?: unknown;
  statusCode?: unknown;
  message: string;
  issues?: unknown;
  validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

function issuesOf(error: CodedError): ErrorBody['issues'] {
  if (Array.isArray(error.issues)) {
    return error.issues.map((issue: { path?: unknown; message?: unknown }) => ({
      path: String(issue.path ?? ''),
      message: String(issue.message ?? ''),
    }));
  }
  if (error.validation) {
    const context = error.validationContext ?? 'request';
    return error.validation.map((entry) => {
      // A missing required property is reported at its parent; name the property itself.
      const missing = entry.params?.['missingProperty'];
      const pointer =
        typeof missing === 'string' ? `${entry.instancePath}/${missing}` : entry.instancePath;
      const path = [context, ...pointer.split('/').filter(Boolean)].join('.');
      return { path, message: entry.message ?? 'is invalid' };
    });
  }
  return undefined;
}

export function statusForCode(code: unknown): number {
  if (typeof code !== 'string') return 500;
  // better-sqlite3 reports extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DIRECTORY): map the primary.
  const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
  if (SQLITE_REFUSALS.has(primary)) return 503;
  return STATUS_BY_CODE.get(code) ?? 500;
}

/** A client error raised by a plugin with its own status and no code we list (e.g. @fastify/static's 403). */
function clientStatusOf(error: { statusCode?: unknown }): number | undefined {
  const { statusCode } = error;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500
    ? statusCode
    : undefined;
}

/** Where the server reports what went wrong on its side: every 5xx, with the request that met it. */
export type ServerLog = (message: string) => void;

export function installErrorHandler(app: FastifyInstance, log: ServerLog): void {
  app.setErrorHandler((error: FastifyError | CodedError, request, reply) => {
    const listed = statusForCode(error.code);
    const status = listed === 500 ? (clientStatusOf(error) ?? 500) : listed;
    const issues = issuesOf(error);
    const code = typeof error.code === 'string' ? error.code : 'BAD_REQUEST';
    const body: ErrorBody = {
      error: status === 500 ? 'INTERNAL' : code,
      message: status === 500 ? 'internal error' : error.message,
      ...(issues ? { issues } : {}),
    };
    if (status >= 500) {
      const detail =
        status === 500 && error instanceof Error ? (error.stack ?? error.message) : error.message;
      log(`${request.method} ${request.url} -> ${status}: ${detail}`);
    }
    if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    void reply.status(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url}`,
    };
    void reply.status(404).send(body);
  });
}
