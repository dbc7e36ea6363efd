import { createHash } from 'node:crypto';
import type {
  DoneFuncWithErrOrRes,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The response holds a secret shown once (an API key): it is never stored, a retry gets 409 instead. */
    sensitiveResponse?: boolean;
  }
}

/** What the plugin needs from storage (the access feature's audit repository provides it). */
export interface IdempotencyStore {
  findIdempotency(
    orgId: number,
    principal: string,
    key: string,
  ): Promise<
    | {
        request_hash: string;
        status_code: number | null;
        response_body: string | null;
        response_headers: string | null;
        created_at: string;
        expires_at: string;
      }
    | undefined
  >;
  claimIdempotency(row: {
    org_id: number;
    principal: string;
    key: string;
    request_hash: string;
    created_at: string;
    expires_at: string;
  }): Promise<boolean>;
  completeIdempotency(
    orgId: number,
    principal: string,
    key: string,
    statusCode: number,
    body: string,
    headers: string,
  ): Promise<void>;
  releaseIdempotency(orgId: number, principal: string, key: string): Promise<void>;
  purgeExpiredIdempotency(orgId: number, now: string): Promise<void>;
}

const TTL_MS = 24 * 3600_000;
// A claim whose request never answered (the process died) stops blocking retries after this long.
const ABANDONED_MS = 60_000;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface Pending {
  orgId: number;
  principal: string;
  key: string;
}

function requestHash(req: FastifyRequest): string {
  const h = createHash('sha256').update(`${req.method} ${req.url}\n`);
  const ct = req.headers['content-type'] ?? '';
  // Multipart bodies are read later by the handler: their length stands in for them (boundaries change per try).
  if (ct.startsWith('multipart/')) h.update(`multipart:${req.headers['content-length'] ?? ''}`);
  else h.update(JSON.stringify(req.body ?? null));
  return h.digest('hex');
}

/**
 * `Idempotency-Key` on authenticated POSTs: the first response (status, body, Location/ETag) is stored for 24 hours
 * and replayed for a retry with the same key and body; the same key with another body is a 422.
 * Keys are private to the credential that sent them. Install after the auth hook.
 */
export function installIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  const pending = new WeakMap<FastifyRequest, Pending>();
  let calls = 0;

  // Synchronous for the requests without a key (every read): no promise per request; the others as before.
  app.addHook('preHandler', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (req.method !== 'POST' || req.headers['idempotency-key'] === undefined || !req.auth) return done();
    return claim(req, reply);
  });
  async function claim(req: FastifyRequest, reply: FastifyReply) {
    const raw = req.headers['idempotency-key'];
    if (raw === undefined || !req.auth) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY_PATTERN.test(key)) {
      throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', [
        {
          field: 'Idempotency-Key',
          message: 'must be 1 to 255 visible ASCII characters (a UUID is a good choice)',
        },
      ]);
    }
    const orgId = req.auth.orgId;
    const principal = req.auth.apiKeyId ? `k:${req.auth.apiKeyId}` : `u:${req.auth.userId}`;
    const hash = requestHash(req);
    const now = Date.now();
    if (++calls % 100 === 0) await store.purgeExpiredIdempotency(orgId, new Date(now).toISOString());
    let found = await store.findIdempotency(orgId, principal, key);
    if (
      found &&
      (Date.parse(found.expires_at) <= now ||
        (found.status_code === null && now - Date.parse(found.created_at) > ABANDONED_MS))
    ) {
      await store.releaseIdempotency(orgId, principal, key);
      found = undefined;
    }
    if (found) {
      if (found.request_hash !== hash) {
        throw new AppError(
          'unprocessable',
          'This Idempotency-Key was used with a different request; use a new key for a new request.',
          [{ field: 'Idempotency-Key', message: 'was already used with a different body or URL' }],
        );
      }
      if (found.status_code === null) {
        throw new AppError(
          'conflict',
          'A request with this Idempotency-Key is still being processed; retry in a moment.',
        );
      }
      if (req.routeOptions.config?.sensitiveResponse && found.status_code < 300) {
        throw new AppError(
          'conflict',
          'This request was already processed; its secret is shown only once, so list the resources to find it.',
        );
      }
      const headers = JSON.parse(found.response_headers ?? '{}') as Record<string, string>;
      reply.code(found.status_code).headers(headers).header('idempotent-replayed', 'true');
      return reply.send(found.response_body ?? '');
    }
    const claimed = await store.claimIdempotency({
      org_id: orgId,
      principal,
      key,
      request_hash: hash,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + TTL_MS).toISOString(),
    });
    if (!claimed)
      throw new AppError(
        'conflict',
        'A request with this Idempotency-Key is still being processed; retry in a moment.',
      );
    pending.set(req, { orgId, principal, key });
  }

  app.addHook(
    'onSend',
    (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: DoneFuncWithErrOrRes) => {
      const p = pending.get(req);
      if (!p) return done(null, payload);
      pending.delete(req);
      return complete(req, reply, payload, p);
    },
  );
  async function complete(req: FastifyRequest, reply: FastifyReply, payload: unknown, p: Pending) {
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    // Server errors and streamed bodies are not remembered: a retry should run again.
    if (reply.statusCode >= 500 || body === null) {
      await store.releaseIdempotency(p.orgId, p.principal, p.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const h of REPLAYED_HEADERS) {
      const v = reply.getHeader(h);
      if (v !== undefined) headers[h] = String(v);
    }
    // Secrets never rest in this table: a sensitive success is remembered without its body.
    const keep = req.routeOptions.config?.sensitiveResponse && reply.statusCode < 300 ? '' : body;
    await store.completeIdempotency(
      p.orgId,
      p.principal,
      p.key,
      reply.statusCode,
      keep,
      JSON.stringify(headers),
    );
    return payload;
  }
}
