import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext } from '../../access/roles.js';
import { AppError } from '../../http/errors.js';

/** Resolves a Leadflow token or API key (and the optional organization header) into an AuthContext, or throws 401/403. */
export type CompatAuthenticator = (token: string, orgHeader: string | undefined) => Promise<AuthContext>;

/**
 * The credential of a request to a compatible surface. Clients of those APIs were written for other servers:
 * most send HTTP Basic, some Bearer. Both carry a Leadflow session token or API key; with Basic the credential
 * is the username (the password part is ignored, so `key:` and `key:anything` both work), because that is the
 * slot such clients let a user fill with an API key.
 */
export function credentialOf(header: string | undefined): { token: string } | { problem: string } {
  if (!header || header.trim() === '') {
    return {
      problem:
        'Authentication required: send Authorization: Bearer <token or API key>, or HTTP Basic with the token or API key as the username.',
    };
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return { token: bearer[1] };
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = (colon === -1 ? decoded : decoded.slice(0, colon)).trim();
    if (user === '')
      return { problem: 'HTTP Basic credentials must carry the token or API key as the username.' };
    return { token: user };
  }
  return { problem: 'The Authorization header must be "Bearer <token>" or "Basic <base64 of token:>".' };
}

/**
 * Authenticates every route of a compatible surface's scope (its own hook: the surface is outside /api/v1).
 * Failures are thrown as AppError so the surface's own error handler renders them in its envelope.
 */
export function installCompatAuth(app: FastifyInstance, authenticate: CompatAuthenticator): void {
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', null);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.routeOptions.config?.public) return;
    const cred = credentialOf(req.headers.authorization);
    if ('problem' in cred) throw new AppError('unauthorized', cred.problem);
    const org = req.headers['x-organization-id'];
    req.auth = await authenticate(cred.token, Array.isArray(org) ? org[0] : org);
  });
}

export function compatAuth(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new AppError('unauthorized', 'Authentication required.');
  return req.auth;
}
