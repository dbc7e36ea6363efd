import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext } from '../../access/roles.js';
import { AppError } from '../../http/errors.js';
import { addSecretParams } from '../../http/log-redaction.js';

/**
 * The ways a compatible surface's clients present credentials. Every form carries Leadflow's own credentials
 * (a session token, an API key, or a user's email and password), in the place that surface's clients put them.
 */
export type AuthForm =
  /** `Authorization: Bearer <token or API key>` */
  | { kind: 'bearer' }
  /** `Authorization: Basic base64(<token or API key>:<anything>)`: the token is the username. */
  | { kind: 'basic-token' }
  /** `Authorization: Basic base64(<email>:<password>)` of a Leadflow user (a username with `@`). */
  | { kind: 'basic-password' }
  /** `?<param>=<token>`; the value is kept out of the request logs. */
  | { kind: 'query-token'; param: string }
  /** `{ "<field>": "<token>", ... }` in a JSON body; the field is removed before the schema sees the body. */
  | { kind: 'body-token'; field: string };

/** Where the organization is named, for a user who belongs to several (an API key names its own). */
export interface OrgSource {
  /** Header names tried in order (default `x-organization-id`). */
  headers?: string[];
  /** A path parameter of the surface's routes, e.g. `orgId` in `/:orgId/leads`. */
  pathParam?: string;
  /** Turns the value the client sent into Leadflow's organization id (a surface whose ids are UUIDs). */
  parse?: (value: string) => string;
}

export interface SurfaceAuth {
  forms: AuthForm[];
  org?: OrgSource;
}

/** The core's authentication, as the kit calls it (src/access/auth.service.ts). */
export interface CompatAuthenticators {
  /** A session token or API key (`lfk_...`) plus the organization named by the request, if any. */
  token(token: string, org: string | undefined): Promise<AuthContext>;
  /** A user's email and password (no session is created: every request proves itself). */
  password(email: string, password: string, org: string | undefined): Promise<AuthContext>;
}

/** Kept for surfaces written before the kit: a token authenticator alone. */
export type CompatAuthenticator = CompatAuthenticators['token'];

type Credential = { token: string } | { email: string; password: string };

/** Describes the accepted forms, for the 401 message. */
function howTo(forms: AuthForm[]): string {
  const parts = forms.map((f) => {
    switch (f.kind) {
      case 'bearer':
        return 'Authorization: Bearer <token or API key>';
      case 'basic-token':
        return 'HTTP Basic with the token or API key as the username';
      case 'basic-password':
        return "HTTP Basic with a user's email and password";
      case 'query-token':
        return `the token in the query parameter "${f.param}"`;
      case 'body-token':
        return `the token in the body field "${f.field}"`;
    }
  });
  return `Authentication required: send ${parts.join(', or ')}.`;
}

/** Reads the Authorization header under the surface's forms; undefined when there is none. */
export function headerCredential(header: string | undefined, forms: AuthForm[]): Credential | undefined {
  if (!header || header.trim() === '') return undefined;
  const has = (k: AuthForm['kind']) => forms.some((f) => f.kind === k);
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer && has('bearer')) return { token: bearer[1] };
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (basic && (has('basic-token') || has('basic-password'))) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = (colon === -1 ? decoded : decoded.slice(0, colon)).trim();
    const password = colon === -1 ? '' : decoded.slice(colon + 1);
    if (has('basic-password') && user.includes('@') && password !== '') return { email: user, password };
    if (has('basic-token') && user !== '' && !user.includes('@')) return { token: user };
    throw new AppError(
      'unauthorized',
      has('basic-password')
        ? "HTTP Basic credentials must be a user's email and password, or a token or API key as the username."
        : 'HTTP Basic credentials must carry the token or API key as the username.',
    );
  }
  throw new AppError('unauthorized', `The Authorization header is not accepted here. ${howTo(forms)}`);
}

/** Backwards-compatible reader (Bearer or Basic with the token). */
export function credentialOf(header: string | undefined): { token: string } | { problem: string } {
  try {
    const c = headerCredential(header, [{ kind: 'bearer' }, { kind: 'basic-token' }]);
    if (c && 'token' in c) return c;
    return { problem: howTo([{ kind: 'bearer' }, { kind: 'basic-token' }]) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

function orgOf(req: FastifyRequest, org: OrgSource | undefined): string | undefined {
  const parse = org?.parse ?? ((v: string) => v);
  if (org?.pathParam) {
    const v = (req.params as Record<string, unknown> | undefined)?.[org.pathParam];
    if (typeof v === 'string' && v !== '') return parse(v);
  }
  for (const name of org?.headers ?? ['x-organization-id']) {
    const v = req.headers[name.toLowerCase()];
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined && one !== '') return parse(one);
  }
  return undefined;
}

async function resolve(auth: CompatAuthenticators, c: Credential, org: string | undefined) {
  return 'token' in c ? auth.token(c.token, org) : auth.password(c.email, c.password, org);
}

/**
 * Authenticates every route of a surface's scope with the surface's declared forms. Header and query forms
 * are read in `onRequest` (before the body is parsed); a body token in `preValidation`, where the field is
 * taken out of the body so the surface's schema never sees it (and it is never echoed or logged).
 * Failures are AppErrors, rendered by the surface's own error handler in its envelope.
 */
export function installSurfaceAuth(
  app: FastifyInstance,
  spec: SurfaceAuth,
  authenticators: CompatAuthenticators,
): void {
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', null);
  const queryForms = spec.forms.filter((f) => f.kind === 'query-token');
  const bodyForms = spec.forms.filter((f) => f.kind === 'body-token');
  addSecretParams(queryForms.map((f) => f.param));
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.routeOptions.config?.public) return;
    let cred = headerCredential(req.headers.authorization, spec.forms);
    const query = req.query as Record<string, unknown>;
    for (const f of queryForms) {
      const v = query?.[f.param];
      if (!cred && typeof v === 'string' && v !== '') cred = { token: v };
      if (query && f.param in query) delete query[f.param];
    }
    if (cred) req.auth = await resolve(authenticators, cred, orgOf(req, spec.org));
    else if (bodyForms.length === 0) throw new AppError('unauthorized', howTo(spec.forms));
  });
  if (bodyForms.length) {
    app.addHook('preValidation', async (req: FastifyRequest) => {
      if (req.routeOptions.config?.public) return;
      const body = req.body as Record<string, unknown> | null;
      let token: string | undefined;
      for (const f of bodyForms) {
        if (body && typeof body === 'object' && !Array.isArray(body) && f.field in body) {
          if (typeof body[f.field] === 'string' && token === undefined) token = body[f.field] as string;
          delete body[f.field];
        }
      }
      if (req.auth) return;
      if (!token) throw new AppError('unauthorized', howTo(spec.forms));
      req.auth = await resolve(authenticators, { token }, orgOf(req, spec.org));
    });
  }
}

/** The pre-kit hook: Bearer or Basic with the token, organization from X-Organization-Id. */
export function installCompatAuth(app: FastifyInstance, authenticate: CompatAuthenticator): void {
  installSurfaceAuth(
    app,
    { forms: [{ kind: 'bearer' }, { kind: 'basic-token' }] },
    {
      token: authenticate,
      password: () => Promise.reject(new AppError('unauthorized', 'Password sign-in is not accepted here.')),
    },
  );
}

export function compatAuth(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new AppError('unauthorized', 'Authentication required.');
  return req.auth;
}
