import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import type { PasswordService } from './password.service.js';
import { requireAuth } from '../http/auth.js';
import type { AuthService } from './auth.service.js';
import type { LoginThrottle } from '../http/rate-limit.js';
import { AppError } from '../http/errors.js';
import {
  LoginBody,
  LoginOrChallenge,
  LoginResponse,
  MeResponse,
  SignupBody,
  SignupResponse,
  TwoFactorLoginBody,
} from './auth.schema.js';
import { clearSessionCookies } from '../http/session-cookie.js';
import { twoFactorRoutes, codeGuard } from './auth-two-factor.routes.js';

/** The browser's device id: set at a successful sign-in, it lets that browser past others' failed tries. */
const DEVICE_COOKIE = 'lf_device';
function deviceOf(cookie: string | undefined): string | undefined {
  const m = cookie ? new RegExp(`(?:^|;\\s*)${DEVICE_COOKIE}=([A-Za-z0-9_-]{16,64})`).exec(cookie) : null;
  return m?.[1];
}
function deviceCookie(id: string, secure: boolean): string {
  return `${DEVICE_COOKIE}=${id}; Path=/api/v1/auth; Max-Age=${30 * 86400}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

const NewPassword = Type.String({ minLength: 8, maxLength: 200 });
const PasswordChangeBody = Type.Object(
  { current_password: Type.String({ minLength: 1, maxLength: 200 }), new_password: NewPassword },
  { additionalProperties: false },
);
const PasswordResetBody = Type.Object({ new_password: NewPassword }, { additionalProperties: false });
const PasswordResult = Type.Object({ sessions_ended: Type.Integer() });

export function authRoutes(
  auth: AuthService,
  throttle?: LoginThrottle,
  passwords?: PasswordService,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    if (passwords) {
      app.post(
        '/me/password',
        {
          config: { sensitiveResponse: true },
          schema: {
            tags: ['auth'],
            summary: 'Change your password (the current one is required); your other sessions end',
            body: PasswordChangeBody,
            response: { 200: PasswordResult, ...errorResponses(400, 401, 403, 422) },
          },
        },
        async (req) => passwords.change(requireAuth(req), req.body),
      );
      app.post(
        '/users/:id/password',
        {
          config: { sensitiveResponse: true },
          schema: {
            tags: ['users'],
            summary: "Set a member's password (admins, where no email is configured); their sessions end",
            params: IdParams,
            body: PasswordResetBody,
            response: { 200: PasswordResult, ...errorResponses(400, 401, 403, 404, 409, 422) },
          },
        },
        async (req) => passwords.resetByAdmin(requireAuth(req), req.params.id, req.body),
      );
    }
    app.post(
      '/auth/signup',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Create an organization and its owner; returns a token',
          security: [],
          body: SignupBody,
          response: { 201: SignupResponse, ...errorResponses(400, 401, 409, 429) },
        },
      },
      async (req, reply) => {
        // An existing email with a wrong password is a failed sign-in: throttled the same way.
        const device = deviceOf(req.headers.cookie);
        await throttle?.check(req.body.email, req.ip, device);
        try {
          return reply.code(201).send(await auth.signup(req.body));
        } catch (err) {
          if (err instanceof AppError && err.code === 'unauthorized')
            await throttle?.failed(req.body.email, req.ip, device);
          throw err;
        }
      },
    );
    app.post(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password (with two-factor on: a challenge for the code step)',
          security: [],
          body: LoginBody,
          response: { 200: LoginOrChallenge, ...errorResponses(400, 401, 429) },
        },
      },
      async (req, reply) => {
        // Password guessing: a try must wait out the backoff of this email / IP / device (never a lockout).
        const device = deviceOf(req.headers.cookie);
        await throttle?.check(req.body.email, req.ip, device);
        try {
          const out = await auth.login(req.body, { ip: req.ip });
          // Two-factor on: the device is remembered only once the code is right (POST /auth/login/two-factor).
          if ('two_factor_required' in out) return out;
          const id = device ?? randomBytes(18).toString('base64url');
          await throttle?.succeeded(req.body.email, id);
          reply.header('set-cookie', deviceCookie(id, req.protocol === 'https'));
          return out;
        } catch (err) {
          if (err instanceof AppError && err.code === 'unauthorized')
            await throttle?.failed(req.body.email, req.ip, device);
          throw err;
        }
      },
    );
    app.post(
      '/auth/login/two-factor',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary:
            'Second sign-in step: a code from the authenticator app (or a recovery code) for the challenge',
          security: [],
          body: TwoFactorLoginBody,
          response: { 200: LoginResponse, ...errorResponses(400, 401, 429) },
        },
      },
      async (req, reply) => {
        const device = deviceOf(req.headers.cookie);
        const out = await auth.completeTwoFactorLogin(req.body, { ip: req.ip }, codeGuard(throttle, req.ip));
        const id = device ?? randomBytes(18).toString('base64url');
        await throttle?.succeeded(out.user.email, id);
        reply.header('set-cookie', deviceCookie(id, req.protocol === 'https'));
        return out;
      },
    );
    await app.register(twoFactorRoutes(auth.twoFactor, throttle));
    app.post(
      '/auth/logout',
      {
        config: { allowReadOnly: true },
        schema: {
          tags: ['auth'],
          summary: 'Revoke the token used for this request (and clear the session cookie)',
          response: { 204: { type: 'null' }, ...errorResponses(401, 403) },
        },
      },
      async (req, reply) => {
        const ctx = requireAuth(req);
        if (ctx.sessionId) await auth.logout(ctx.sessionId);
        clearSessionCookies(req, reply);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'Who am I, in which organization',
          response: { 200: MeResponse, ...errorResponses(401) },
        },
      },
      async (req) => auth.me(requireAuth(req)),
    );
  };
}
