import type {
  DoneFuncWithErrOrRes,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A page other sites may embed in a frame (the web-to-lead form): frame-ancestors * instead of 'none'. */
    embeddable?: boolean;
  }
}

/**
 * One policy for the web app, the API and /docs (docs/security.md, "Headers"): scripts and styles only from this
 * origin (the built web app and Swagger UI load no inline script), no plugins, no framing by other sites.
 * `style-src` allows no inline <style> either; React sets styles through the DOM, which CSP does not restrict.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The embeddable form snippet: any site may frame it and post it (it only creates a lead through its key). */
const EMBEDDABLE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action *; frame-ancestors *; base-uri 'none'";

/** Swagger UI (/docs) sets inline styles at run time; scripts stay 'self' only there too. */
const DOCS_CSP = Object.entries({ ...CONTENT_SECURITY_POLICY, 'style-src': ["'self'", "'unsafe-inline'"] })
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join('; ');

function isHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/** Helmet's options: the policy above, nosniff, Referrer-Policy, X-Frame-Options DENY, no HSTS (added per request). */
const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  crossOriginEmbedderPolicy: false,
  // The web-to-lead API is posted to from other sites' pages; their fetch must be able to read the answer.
  crossOriginResourcePolicy: { policy: 'same-site' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
};

/**
 * What helmet does to a response with these options, in its order: they depend on no request (no CSP nonce, no
 * directive computed per request), so they are worked out once. @fastify/helmet ran helmet(options) again on every
 * request (parsing the policy each time) in two onRequest hooks, one of them async.
 */
export function helmetEffects(options: HelmetOptions = HELMET_OPTIONS) {
  const effects: Array<[name: string, value: string | null]> = [];
  const res = {
    setHeader: (name: string, value: string) => void effects.push([name, String(value)]),
    removeHeader: (name: string) => void effects.push([name, null]),
  };
  let failed: unknown;
  helmet(options)({} as never, res as never, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed;
  return effects;
}

/**
 * Helmet's headers (above); HSTS only when the server sits behind a TLS proxy it trusts (TRUST_PROXY) and the
 * request came over https, so a plain-http install on a LAN is never told to insist on https. Authenticated API
 * responses are `Cache-Control: no-store`: they carry personal data that no browser or proxy cache should keep.
 * Both hooks are synchronous (no promise per request).
 */
export async function installSecurityHeaders(app: FastifyInstance, opts: { trustProxy: boolean }) {
  const effects = helmetEffects();
  app.addHook('onRequest', (_req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const res = reply.raw;
    for (const [name, value] of effects) {
      if (value === null) res.removeHeader(name);
      else res.setHeader(name, value);
    }
    done();
  });
  app.addHook(
    'onSend',
    (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: DoneFuncWithErrOrRes) => {
      if (req.routeOptions.config?.embeddable) {
        reply.header('content-security-policy', EMBEDDABLE_CSP);
        reply.removeHeader('x-frame-options');
      }
      if (req.url === '/docs' || req.url.startsWith('/docs/'))
        reply.header('content-security-policy', DOCS_CSP);
      if (opts.trustProxy && isHttps(req)) {
        reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      }
      const credentialed = !!(req.auth || req.headers.authorization || req.headers['x-csrf-token']);
      if (credentialed && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    },
  );
}
