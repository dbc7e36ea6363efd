import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  BUSY_RETRY_AFTER_SECONDS,
  ERROR_STATUS,
  isDatabaseBusy,
  type ErrorCode,
} from '../../http/errors.js';
import { fieldErrorsFromValidation } from '../../http/validation.js';

/** One problem, independent of any wire format: each surface renders these in its own envelope. */
export interface Fault {
  /** The core's stable error code (src/http/errors.ts). */
  code: ErrorCode;
  /** The field at fault, in the core's or the schema's naming (the surface renames it). */
  field?: string;
  message: string;
}

export interface Failure {
  status: number;
  faults: Fault[];
}

/**
 * Normalizes anything a handler can throw (AppError from services, Fastify validation and body-parser errors,
 * unknown errors) into HTTP status + faults, exactly as the /api/v1 error handler classifies them, so every
 * surface agrees with /api/v1 on what is a 400, 404 or 422. Unknown errors are logged and never leak.
 */
export function failureOf(err: unknown, req: FastifyRequest): Failure {
  if (err instanceof AppError) {
    const faults: Fault[] = err.errors?.length
      ? err.errors.map((e) => ({ code: err.code, field: e.field, message: e.message }))
      : [{ code: err.code, message: err.detail }];
    return { status: err.status, faults };
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const errors = fieldErrorsFromValidation(fe.validation as never[], fe.validationContext);
    return {
      status: 400,
      faults: errors.map((e) => ({ code: 'validation_failed' as const, field: e.field, message: e.message })),
    };
  }
  const simple = (code: ErrorCode, message: string): Failure => ({
    status: ERROR_STATUS[code],
    faults: [{ code, message }],
  });
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return simple('payload_too_large', 'The request body is larger than the limit of 1 MB.');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return simple(
      'unsupported_media_type',
      `Content-Type ${req.headers['content-type'] ?? '(none)'} is not accepted here; send application/json.`,
    );
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return simple('bad_request', 'The request body is empty; send JSON.');
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return simple('bad_request', `The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (fe.statusCode && fe.statusCode < 500) {
    return {
      status: fe.statusCode,
      faults: [{ code: fe.statusCode === 404 ? 'not_found' : 'bad_request', message: fe.message }],
    };
  }
  if (isDatabaseBusy(err)) return simple('unavailable', 'The database is busy; retry in a few seconds.');
  req.log.error({ err }, 'unhandled error');
  return simple('internal', 'Something went wrong on our side; the error was logged.');
}

/**
 * Gives a surface's scope its own error and not-found handlers, rendering with `render`.
 * (Registered inside the surface's plugin, so /api/v1 keeps problem+json.)
 */
export function installCompatErrors(
  app: FastifyInstance,
  render: (failure: Failure, req: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  app.setErrorHandler((err, req, reply) => {
    const failure = failureOf(err, req);
    if (err instanceof AppError && err.headers) reply.headers(err.headers);
    if (failure.status === 503) reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
    return reply.code(failure.status).send(render(failure, req, reply));
  });
  app.setNotFoundHandler((req, reply) => {
    const failure: Failure = {
      status: 404,
      faults: [{ code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}.` }],
    };
    return reply.code(404).send(render(failure, req, reply));
  });
}
