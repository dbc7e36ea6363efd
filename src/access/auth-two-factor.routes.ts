import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { LoginThrottle } from '../http/rate-limit.js';
import type { CodeGuard, TwoFactorService } from './auth-two-factor.service.js';
import {
  RecoveryCodes,
  TwoFactorBeginBody,
  TwoFactorConfirmBody,
  TwoFactorEnrolment,
  TwoFactorProofBody,
  TwoFactorStatus,
} from './auth.schema.js';

/**
 * Code attempts go through the sign-in throttle, counted per person (and per IP with the password failures): past
 * the free tries each further one waits 2^n seconds, capped (docs/security.md, "Sign-in throttling").
 */
export function codeGuard(throttle: LoginThrottle | undefined, ip: string): CodeGuard | undefined {
  if (!throttle) return undefined;
  const key = (userId: number) => `two-factor:${userId}`;
  return {
    check: (userId) => throttle.check(key(userId), ip),
    failed: (userId) => throttle.failed(key(userId), ip),
    succeeded: (userId) => throttle.reset(key(userId)),
  };
}

const NoContent = { 204: { type: 'null' } } as const;

/** A person's own two-factor settings under /me, and the admin reset under /users/:id. */
export function twoFactorRoutes(
  twoFactor: TwoFactorService,
  throttle?: LoginThrottle,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/me/two-factor',
      {
        config: { sensitiveResponse: true },
        schema: {
          tags: ['auth'],
          summary: 'Whether two-factor sign-in is on for you, and how many recovery codes are left',
          response: { 200: TwoFactorStatus, ...errorResponses(401, 403) },
        },
      },
      async (req) => twoFactor.status(requireAuth(req)),
    );
    app.post(
      '/me/two-factor',
      {
        config: { sensitiveResponse: true, allowReadOnly: true },
        schema: {
          tags: ['auth'],
          summary:
            'Start enrolling an authenticator app (your password is required): a secret and its QR code',
          body: TwoFactorBeginBody,
          response: { 200: TwoFactorEnrolment, ...errorResponses(400, 401, 403, 409, 422, 429) },
        },
      },
      async (req) => twoFactor.begin(requireAuth(req), req.body, codeGuard(throttle, req.ip)),
    );
    app.post(
      '/me/two-factor/confirm',
      {
        config: { sensitiveResponse: true, allowReadOnly: true },
        schema: {
          tags: ['auth'],
          summary: 'Turn two-factor sign-in on with a first code; returns the recovery codes, shown once',
          body: TwoFactorConfirmBody,
          response: { 200: RecoveryCodes, ...errorResponses(400, 401, 403, 409, 422, 429) },
        },
      },
      async (req) => twoFactor.confirm(requireAuth(req), req.body, codeGuard(throttle, req.ip)),
    );
    app.post(
      '/me/two-factor/recovery-codes',
      {
        config: { sensitiveResponse: true, allowReadOnly: true },
        schema: {
          tags: ['auth'],
          summary: 'Replace your recovery codes (password or a code required); the old ones stop working',
          body: TwoFactorProofBody,
          response: { 200: RecoveryCodes, ...errorResponses(400, 401, 403, 409, 422, 429) },
        },
      },
      async (req) =>
        twoFactor.regenerateRecoveryCodes(requireAuth(req), req.body, codeGuard(throttle, req.ip)),
    );
    app.post(
      '/me/two-factor/disable',
      {
        config: { allowReadOnly: true },
        schema: {
          tags: ['auth'],
          summary: 'Turn two-factor sign-in off (password or a code required)',
          body: TwoFactorProofBody,
          response: { ...NoContent, ...errorResponses(400, 401, 403, 409, 422, 429) },
        },
      },
      async (req, reply) => {
        await twoFactor.disable(requireAuth(req), req.body, codeGuard(throttle, req.ip));
        return reply.code(204).send(null);
      },
    );
    app.delete(
      '/users/:id/two-factor',
      {
        schema: {
          tags: ['users'],
          summary: "Turn off a member's two-factor sign-in (admins: a lost phone and lost recovery codes)",
          params: IdParams,
          response: { ...NoContent, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        await twoFactor.resetByAdmin(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
