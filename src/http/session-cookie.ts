import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { AppError } from './errors.js';

/**
 * The web app's session (docs/security.md, "Browser sessions and CSRF"): the session token lives in an HttpOnly,
 * SameSite=Lax cookie no script can read, and every unsafe request made with that cookie carries the CSRF token in
 * a header. The CSRF token is derived from the session token (HMAC), so it is valid for this session only: a
 * sibling site that can set cookies for this host still cannot forge it. It is handed to the app in a readable
 * cookie. API clients keep sending `Authorization: Bearer`; a request with that header ignores the cookie.
 */
export const SESSION_COOKIE = 'lf_session';
export const CSRF_COOKIE = 'lf_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** A sign-in that sends `X-Leadflow-Session: cookie` gets its session as a cookie instead of in the body. */
export const SESSION_MODE_HEADER = 'x-leadflow-session';
const SESSION_DAYS = 30;

export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('leadflow-csrf').digest('base64url');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session token of the cookie, checked against the CSRF header on unsafe methods (403 otherwise). */
export function sessionFromCookie(req: FastifyRequest): string | undefined {
  const token = req.cookies?.[SESSION_COOKIE];
  if (!token) return undefined;
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    const got = Buffer.from(typeof sent === 'string' ? sent : '');
    const want = Buffer.from(csrfTokenFor(token));
    if (got.length !== want.length || !timingSafeEqual(got, want))
      throw new AppError(
        'forbidden',
        `A request signed in by cookie must send the ${CSRF_HEADER} header (the ${CSRF_COOKIE} cookie's value).`,
        [{ field: CSRF_HEADER, message: 'is missing or does not match this session' }],
      );
  }
  return token;
}

const secure = (req: FastifyRequest) => req.protocol === 'https';

function setSessionCookies(req: FastifyRequest, reply: FastifyReply, token: string): void {
  const maxAge = SESSION_DAYS * 86400;
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/api/v1',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(req),
    maxAge,
  });
  // Readable by the app (it copies it into the header); useless without the HttpOnly cookie beside it.
  reply.setCookie(CSRF_COOKIE, csrfTokenFor(token), {
    path: '/',
    httpOnly: false,
    sameSite: 'strict',
    secure: secure(req),
    maxAge,
  });
}

export function clearSessionCookies(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: '/api/v1',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(req),
  });
  reply.clearCookie(CSRF_COOKIE, { path: '/', sameSite: 'strict', secure: secure(req) });
}

/**
 * Cookie parsing for the API scope, and the sign-in side: a public route (sign-up, sign-in, its code step,
 * invitation acceptance, password reset) that answers a session token (`lf_...`) to a request asking for a cookie
 * session sets the cookies and leaves the token out of the body, so no script ever holds it.
 */
export async function installSessionCookies(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie);
  // Synchronous (no promise per request): only a public route asked for a cookie session can change the payload.
  app.addHook('preSerialization', (req, reply, payload: unknown, done) => {
    if (!req.routeOptions.config?.public || req.headers[SESSION_MODE_HEADER] !== 'cookie')
      return done(null, payload);
    if (reply.statusCode >= 300 || !payload || typeof payload !== 'object') return done(null, payload);
    const token = (payload as { token?: unknown }).token;
    if (typeof token !== 'string' || !token.startsWith('lf_')) return done(null, payload);
    setSessionCookies(req, reply, token);
    const rest: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    delete rest.token;
    done(null, rest);
  });
}
