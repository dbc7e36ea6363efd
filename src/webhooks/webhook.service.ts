import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inTransaction, type TxOptions } from '../db/unit-of-work.js';
import { AppError, fieldError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { DeliveryRow, EndpointRow, WebhookRepository } from './webhook.repository.js';
import { WEBHOOK_EVENTS } from './events.js';
import { checkWebhookUrl } from './url-guard.js';
import { signatureHeader, SIGNATURE_HEADER } from './signature.js';
import { postWebhook, type SendResult } from './sender.js';

/** Retries run for 24 hours after the event. */
export const RETRY_WINDOW_MS = 24 * 3600_000;
/** A delivery that gives up with this many consecutive failed attempts on its endpoint disables the endpoint. */
export const DISABLE_AFTER_FAILURES = 10;

/**
 * Exponential backoff with jitter: 10 s, 20 s, 40 s ... capped at one hour, each drawn uniformly between half
 * and all of that (so endpoints that failed together do not all come back at the same second).
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(3600_000, 10_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface EndpointInput {
  url: string;
  description?: string | null;
  events?: string[];
  enabled?: boolean;
}

export interface WebhookDeps {
  db: Kysely<Database>;
  repo: WebhookRepository;
  clock?: () => Date;
  random?: () => number;
  timeoutMs?: number;
  /** Allows private addresses for every organization (WEBHOOK_ALLOW_PRIVATE: development and tests). */
  allowPrivate?: boolean;
  send?: typeof postWebhook;
  /** In the transaction that disables an endpoint: tells the organization's admins. */
  onDisabled?(trx: Kysely<Database>, orgId: number, endpoint: EndpointRow, reason: string): Promise<void>;
  /** After a redelivery was queued (wakes the job worker). */
  wake?(): void;
  enqueue(trx: Kysely<Database>, orgId: number, deliveryId: number): Promise<void>;
}

export function toEndpointDto(e: EndpointRow, opts: { secret?: boolean } = {}) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: JSON.parse(e.events) as string[],
    enabled: e.enabled === 1,
    consecutive_failures: e.consecutive_failures,
    disabled_at: e.disabled_at,
    disabled_reason: e.disabled_reason,
    secret_hint: `…${e.secret.slice(-4)}`,
    ...(opts.secret ? { secret: e.secret } : {}),
    created_at: e.created_at,
    updated_at: e.updated_at,
  };
}

export function createWebhookService(deps: WebhookDeps) {
  const { db, repo } = deps;
  const clock = deps.clock ?? (() => new Date());
  const send = deps.send ?? postWebhook;
  const timeoutMs = deps.timeoutMs ?? 10_000;

  async function allowPrivate(orgId: number, trx: Kysely<Database> = db) {
    return deps.allowPrivate === true || (await repo.allowPrivate(orgId, trx));
  }

  async function check(orgId: number, input: Partial<EndpointInput>, errors: FieldError[]) {
    if (input.url !== undefined) {
      const problem = await checkWebhookUrl(input.url, await allowPrivate(orgId));
      if (problem) errors.push({ field: 'url', message: problem });
    }
    for (const [i, e] of (input.events ?? []).entries())
      if (!(WEBHOOK_EVENTS as readonly string[]).includes(e))
        errors.push({
          field: `events[${i}]`,
          message: `"${e}" is not an event (one of: ${WEBHOOK_EVENTS.join(', ')})`,
        });
  }

  function fail(errors: FieldError[]) {
    if (errors.length)
      throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  }

  async function endpointOf(orgId: number, id: number, trx: Kysely<Database> = db) {
    const e = await repo.findEndpoint(orgId, id, trx);
    if (!e) throw notFound('Webhook', id);
    return e;
  }

  function toDeliveryDto(d: DeliveryRow & { event_type: string; payload: string }) {
    const event = JSON.parse(d.payload) as { id: string };
    return {
      id: d.id,
      endpoint_id: d.endpoint_id,
      event_id: event.id,
      event_type: d.event_type,
      status: d.status,
      attempts: d.attempts,
      next_attempt_at: d.status === 'pending' ? d.next_attempt_at : null,
      last_attempt_at: d.last_attempt_at,
      response_status: d.response_status,
      last_error: d.last_error,
      duration_ms: d.duration_ms,
      created_at: d.created_at,
      delivered_at: d.delivered_at,
      request_body: d.payload,
    };
  }

  async function requeue(trx: Kysely<Database>, orgId: number, deliveryId: number) {
    await repo.updateDelivery(trx, orgId, deliveryId, {
      status: 'pending',
      next_attempt_at: null,
      // A redelivery gets a fresh 24-hour window.
      created_at: clock().toISOString(),
    });
    await deps.enqueue(trx, orgId, deliveryId);
  }

  /**
   * One delivery attempt (the job's work). Claims the attempt first (compare-and-set on `attempts`) so that two
   * workers never send the same attempt; the HTTP call runs outside any transaction. Answers when to try again,
   * or null when the delivery is settled (sent, given up, or nothing to do).
   */
  async function attempt(orgId: number, deliveryId: number): Promise<{ retryInMs: number } | null> {
    const d = await repo.deliveryWithEvent(orgId, deliveryId);
    if (!d || d.status !== 'pending') return null;
    const endpoint = await repo.findEndpoint(orgId, d.endpoint_id);
    const now = clock();
    if (!endpoint || endpoint.enabled !== 1) {
      await repo.updateDelivery(db, orgId, d.id, {
        status: 'failed',
        last_error: endpoint ? 'endpoint disabled' : 'endpoint removed',
      });
      return null;
    }
    const due = d.next_attempt_at === null ? 0 : Date.parse(d.next_attempt_at);
    if (due > now.getTime()) return { retryInMs: due - now.getTime() };
    const n = d.attempts + 1;
    const claimed = await db
      .updateTable('webhook_deliveries')
      .set({ attempts: n, last_attempt_at: now.toISOString() })
      .where('org_id', '=', orgId)
      .where('id', '=', d.id)
      .where('attempts', '=', d.attempts)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return null;
    const timestamp = Math.floor(now.getTime() / 1000);
    const headers = {
      [SIGNATURE_HEADER]: signatureHeader(endpoint.secret, timestamp, d.payload),
      'leadflow-event': d.event_type,
      'leadflow-delivery': String(d.id),
      'user-agent': 'Leadflow-Webhooks/1',
    };
    const started = performance.now();
    let result: SendResult | null = null;
    let error: string | null = null;
    try {
      result = await send(endpoint.url, headers, d.payload, {
        allowPrivate: await allowPrivate(orgId),
        timeoutMs,
      });
      if (result.status < 200 || result.status >= 300) error = `answered ${result.status}`;
    } catch (err) {
      error = (err as Error).message || String(err);
    }
    const duration = Math.round(performance.now() - started);
    const at = clock();
    return inTransaction(db, {}, async (trx) => {
      await repo.insertAttempt(trx, {
        org_id: orgId,
        delivery_id: d.id,
        attempt: n,
        request_headers: JSON.stringify(headers),
        response_status: result?.status ?? null,
        response_body: result?.body ?? null,
        error,
        duration_ms: duration,
        started_at: now.toISOString(),
      });
      const base = { response_status: result?.status ?? null, duration_ms: duration, last_error: error };
      if (!error) {
        await repo.updateDelivery(trx, orgId, d.id, {
          ...base,
          status: 'succeeded',
          delivered_at: at.toISOString(),
          next_attempt_at: null,
        });
        await repo.resetFailures(trx, orgId, endpoint.id);
        return null;
      }
      const failures = await repo.countFailure(trx, orgId, endpoint.id);
      if (at.getTime() - Date.parse(d.created_at) >= RETRY_WINDOW_MS) {
        await repo.updateDelivery(trx, orgId, d.id, { ...base, status: 'failed', next_attempt_at: null });
        if (failures >= DISABLE_AFTER_FAILURES) {
          const reason = `${failures} failed attempts in a row, the last: ${error}`;
          const off = await repo.updateEndpoint(trx, orgId, endpoint.id, {
            enabled: 0,
            disabled_at: at.toISOString(),
            disabled_reason: reason,
            updated_at: at.toISOString(),
          });
          await deps.onDisabled?.(trx, orgId, off!, reason);
        }
        return null;
      }
      const wait = backoffMs(n, deps.random);
      await repo.updateDelivery(trx, orgId, d.id, {
        ...base,
        next_attempt_at: new Date(at.getTime() + wait).toISOString(),
      });
      return { retryInMs: wait };
    });
  }

  return {
    attempt,

    async list(auth: AuthContext) {
      assertCan(auth, 'settings:write');
      return (await repo.listEndpoints(auth.orgId)).map((e) => toEndpointDto(e));
    },
    async get(auth: AuthContext, id: number) {
      assertCan(auth, 'settings:write');
      return toEndpointDto(await endpointOf(auth.orgId, id));
    },
    /** The secret is shown once, in this answer. */
    async create(auth: AuthContext, input: EndpointInput, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      const errors: FieldError[] = [];
      await check(auth.orgId, input, errors);
      fail(errors);
      const at = clock().toISOString();
      const row = await inTransaction(db, opts, (trx) =>
        repo.insertEndpoint(trx, {
          org_id: auth.orgId,
          url: input.url,
          description: input.description ?? null,
          events: JSON.stringify([...new Set(input.events ?? [])]),
          secret: `whsec_${randomBytes(24).toString('base64url')}`,
          enabled: input.enabled === false ? 0 : 1,
          consecutive_failures: 0,
          created_at: at,
          updated_at: at,
        }),
      );
      return toEndpointDto(row, { secret: true });
    },
    async update(auth: AuthContext, id: number, input: Partial<EndpointInput>, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await endpointOf(auth.orgId, id);
      const errors: FieldError[] = [];
      await check(auth.orgId, input, errors);
      fail(errors);
      const at = clock().toISOString();
      const row = await inTransaction(db, opts, (trx) =>
        repo.updateEndpoint(trx, auth.orgId, id, {
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.events !== undefined ? { events: JSON.stringify([...new Set(input.events)]) } : {}),
          // Turning an endpoint back on clears its failure run.
          ...(input.enabled !== undefined
            ? input.enabled
              ? { enabled: 1, disabled_at: null, disabled_reason: null, consecutive_failures: 0 }
              : { enabled: 0 }
            : {}),
          updated_at: at,
        }),
      );
      if (!row) throw notFound('Webhook', id);
      return toEndpointDto(row);
    },
    async rotateSecret(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await endpointOf(auth.orgId, id);
      const row = await inTransaction(db, opts, (trx) =>
        repo.updateEndpoint(trx, auth.orgId, id, {
          secret: `whsec_${randomBytes(24).toString('base64url')}`,
          updated_at: clock().toISOString(),
        }),
      );
      return toEndpointDto(row!, { secret: true });
    },
    async remove(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        if (!(await repo.removeEndpoint(trx, auth.orgId, id))) throw notFound('Webhook', id);
      });
    },

    /** The delivery log, newest first, each with its attempts (request headers, status, timing). */
    async deliveries(auth: AuthContext, id: number, q: { status?: string; before?: number; limit?: number }) {
      assertCan(auth, 'settings:write');
      await endpointOf(auth.orgId, id);
      const limit = q.limit ?? 50;
      const rows = await repo.listDeliveries(auth.orgId, id, { ...q, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const attempts = await repo.attempts(
        auth.orgId,
        page.map((d) => d.id),
      );
      return {
        data: page.map((d) => ({
          ...toDeliveryDto(d),
          attempt_log: attempts
            .filter((a) => a.delivery_id === d.id)
            .map((a) => ({
              attempt: a.attempt,
              started_at: a.started_at,
              request_headers: JSON.parse(a.request_headers) as Record<string, string>,
              response_status: a.response_status,
              response_body: a.response_body,
              error: a.error,
              duration_ms: a.duration_ms,
            })),
        })),
        next_before: rows.length > limit ? page[page.length - 1].id : null,
      };
    },

    /** Sends one delivery again (whatever its state), as a new pending delivery of the same event bytes. */
    async redeliver(auth: AuthContext, id: number, deliveryId: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      const e = await endpointOf(auth.orgId, id);
      const d = await repo.deliveryWithEvent(auth.orgId, deliveryId);
      if (!d || d.endpoint_id !== id) throw notFound('Delivery', deliveryId);
      if (e.enabled !== 1) throw fieldError('id', 'the webhook is disabled: enable it first');
      await inTransaction(db, opts, (trx) => requeue(trx, auth.orgId, deliveryId));
      deps.wake?.();
      return { queued: [deliveryId] };
    },
    async redeliverFailed(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      const e = await endpointOf(auth.orgId, id);
      if (e.enabled !== 1) throw fieldError('id', 'the webhook is disabled: enable it first');
      const ids = await inTransaction(db, opts, async (trx) => {
        const failed = await repo.failedDeliveryIds(trx, auth.orgId, id);
        for (const d of failed) await requeue(trx, auth.orgId, d);
        return failed;
      });
      deps.wake?.();
      return { queued: ids };
    },

    async settings(auth: AuthContext) {
      assertCan(auth, 'settings:read');
      return { allow_private_networks: await repo.allowPrivate(auth.orgId) };
    },
    async setSettings(auth: AuthContext, allow: boolean, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      if (auth.role !== 'owner' && auth.role !== 'admin')
        throw new AppError('forbidden', 'Only an owner or admin may allow private network addresses.');
      await inTransaction(db, opts, (trx) => repo.setAllowPrivate(trx, auth.orgId, allow));
      return { allow_private_networks: allow };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
