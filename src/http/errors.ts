/** Stable error codes and their HTTP status. Services throw AppError; one handler renders problem+json. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  precondition_required: 428,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
}

const TITLES: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  validation_failed: 'Validation failed',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  precondition_failed: 'Precondition failed',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unprocessable: 'Unprocessable entity',
  precondition_required: 'Precondition required',
  rate_limited: 'Too many requests',
  internal: 'Internal server error',
  unavailable: 'Service unavailable',
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.status = ERROR_STATUS[code];
  }
}

/** 422 naming one field: the usual answer to a cross-field or lookup rule. */
export function fieldError(field: string, message: string): AppError {
  return new AppError('unprocessable', `${field}: ${message}`, [{ field, message }]);
}

export function notFound(what: string, id: number | string): AppError {
  return new AppError('not_found', `${what} ${id} was not found.`);
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export function toProblem(code: ErrorCode, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `https://leadflow.dev/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[code],
    status: ERROR_STATUS[code],
    detail,
    code,
    ...(errors && errors.length ? { errors } : {}),
  };
}

/** Database errors that mean "busy, try again shortly": a lock or a connection not free in time. */
const BUSY_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
  '57014', // PostgreSQL query_canceled (statement_timeout)
  '55P03', // PostgreSQL lock_not_available (lock_timeout)
  '40001', // serialization failure left after the unit of work's retries
  '40P01', // deadlock left after the retries
  'LEADFLOW_DB_ACQUIRE_TIMEOUT',
]);

/** Seconds a client should wait before retrying a request that met a busy database. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

export function isDatabaseBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BUSY_CODES.has(code);
}
