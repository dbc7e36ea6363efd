import type { FastifyError, FastifyRequest } from 'fastify';
import {
  AppError,
  BUSY_RETRY_AFTER_SECONDS,
  ERROR_STATUS,
  isDatabaseBusy,
  type ErrorCode,
  type FieldError,
} from './errors.js';
import { fieldErrorsFromValidation } from './validation.js';

/** Anything a handler can throw, reduced to what every renderer needs (problem+json, or a surface's envelope). */
export interface ClassifiedError {
  status: number;
  code: ErrorCode;
  detail: string;
  fieldErrors: FieldError[];
  headers?: Record<string, string>;
}

/**
 * THE classifier: `/api/v1`'s problem+json handler and every compatible surface's renderer call it, so they
 * agree on what is a 400, 404, 413 or 422 and with which field errors. Unknown errors are logged here and
 * never leak their message (no SQL in answers).
 */
export function classifyError(err: unknown, req: FastifyRequest): ClassifiedError {
  const simple = (code: ErrorCode, detail: string, status: number = ERROR_STATUS[code]): ClassifiedError => ({
    status,
    code,
    detail,
    fieldErrors: [],
  });
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      detail: err.detail,
      fieldErrors: err.errors ?? [],
      ...(err.headers ? { headers: err.headers } : {}),
    };
  }
  const fe = err as FastifyError;
  if (fe?.validation) {
    const fieldErrors = fieldErrorsFromValidation(fe.validation as never[], fe.validationContext);
    return {
      status: 400,
      code: 'validation_failed',
      detail: fieldErrors.map((e) => `${e.field} ${e.message}`).join('; '),
      fieldErrors,
    };
  }
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return simple('payload_too_large', 'The request body is larger than the limit of 1 MB.');
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return simple(
      'unsupported_media_type',
      `Content-Type ${req.headers['content-type'] ?? '(none)'} is not accepted here; send application/json.`,
    );
  }
  if (fe?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return simple('bad_request', 'The request body is empty; send a JSON object.');
  if (err instanceof SyntaxError || fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return simple('bad_request', `The request body is not valid JSON: ${(err as Error).message}`);
  if (fe?.statusCode && fe.statusCode < 500) {
    const sc = fe.statusCode;
    const code: ErrorCode =
      sc === 413
        ? 'payload_too_large'
        : sc === 404
          ? 'not_found'
          : sc === 429
            ? 'rate_limited'
            : 'bad_request';
    return simple(code, fe.message, sc);
  }
  if (isDatabaseBusy(err)) {
    // A lock or a connection not free in time: 503 with Retry-After, never a hang (docs/operations.md).
    req.log.warn({ code: (err as { code?: string }).code }, 'database busy');
    return {
      ...simple('unavailable', 'The database is busy; retry in a few seconds.'),
      headers: { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) },
    };
  }
  if (isUniqueViolation(err)) {
    // A unique key refused a row a parallel request wrote first (docs/decisions.md, "Unique keys instead of
    // check-then-create"): the same answer as the check that lost the race, never a 500.
    req.log.warn({ code: (err as { code?: string }).code }, 'unique key violation');
    return simple('conflict', 'A record with the same key was written at the same time; try again.');
  }
  req.log.error({ err }, 'unhandled error');
  return simple('internal', 'Something went wrong on our side; the error was logged.');
}

/** A row refused by a unique key or primary key (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY). */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
