import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { classifyError } from '../../http/error-classifier.js';
import type { ErrorCode } from '../../http/errors.js';

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
 * Normalizes anything a handler can throw into HTTP status + faults with the one classifier `/api/v1` uses
 * (src/http/error-classifier.ts), so every surface agrees with /api/v1 on what is a 400, 404 or 422.
 */
export function failureOf(err: unknown, req: FastifyRequest): Failure & { headers?: Record<string, string> } {
  const c = classifyError(err, req);
  const faults: Fault[] = c.fieldErrors.length
    ? c.fieldErrors.map((e) => ({ code: c.code, field: e.field, message: e.message }))
    : [{ code: c.code, message: c.detail }];
  return { status: c.status, faults, ...(c.headers ? { headers: c.headers } : {}) };
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
    if (failure.headers) reply.headers(failure.headers);
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
