import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canWriteSomething, type AuthContext } from '../access/roles.js';
import { AppError } from './errors.js';
import { sessionFromCookie } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** Routes that need no Authorization header. */
    public?: boolean;
    /** Writes a read-only caller (viewer, read-only API key) may still make, such as logging out. */
    allowReadOnly?: boolean;
  }
}

export type Authenticator = (
  token: string,
  orgHeader: string | undefined,
  req: FastifyRequest,
) => Promise<AuthContext>;

/** Adds an onRequest hook that authenticates every non-public route of this scope. */
export function installAuth(app: FastifyInstance, authenticate: Authenticator): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.public) return;
    const header = req.headers.authorization;
    let token: string;
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw new AppError('unauthorized', 'The Authorization header must be "Bearer <token>".');
      token = m[1];
    } else {
      // The web app's HttpOnly session cookie; unsafe methods also need its CSRF header (session-cookie.ts).
      const fromCookie = sessionFromCookie(req);
      if (!fromCookie || fromCookie.startsWith('lfk_'))
        throw new AppError(
          'unauthorized',
          'Send Authorization: Bearer <token> (sign in at POST /api/v1/auth/login).',
        );
      token = fromCookie;
    }
    const org = req.headers['x-organization-id'];
    // Sessions (lf_...) and API keys (lfk_...) both arrive as Bearer; the authenticator tells them apart.
    const auth = await authenticate(token, Array.isArray(org) ? org[0] : org, req);
    auth.ip = req.ip;
    req.auth = auth;
    // Defense in depth for "viewers read only": services check permissions too, this catches a route that forgot.
    if (
      req.method !== 'GET' &&
      req.method !== 'HEAD' &&
      !req.routeOptions.config?.allowReadOnly &&
      !canWriteSomething(auth)
    ) {
      throw new AppError(
        'forbidden',
        auth.kind === 'api_key' ? 'This API key is read-only.' : 'Your role (viewer) can only read.',
      );
    }
  });
}

export function requireAuth(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new AppError('unauthorized', 'Authentication required.');
  return req.auth;
}
