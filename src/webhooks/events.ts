import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { createJobRepository } from '../jobs/job.repository.js';
import { cachedOrgRead } from '../db/org-cache.js';

/** Every event a webhook endpoint may subscribe to (docs/api.md#webhooks). */
export const WEBHOOK_EVENTS = [
  'lead.created',
  'lead.updated',
  'lead.status_changed',
  'lead.converted',
  'lead.deleted',
  'lead.merged',
  'follow_up.created',
  'follow_up.updated',
  'follow_up.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const DELIVER_JOB = 'webhook.deliver';

/** The lead as an event shows it: what a receiver needs to act, plus its id to fetch the rest. */
export function leadSnapshot(row: Record<string, unknown> & { id: number }) {
  const pick = [
    'id',
    'first_name',
    'last_name',
    'email',
    'phone',
    'mobile',
    'company_name',
    'source',
    'status_id',
    'owner_id',
    'team_id',
    'assignment_rule_id',
    'country',
    'state',
    'created_at',
    'updated_at',
    'converted_at',
    'deleted_at',
    'version',
  ];
  return Object.fromEntries(pick.filter((k) => k in row).map((k) => [k, row[k] ?? null]));
}

/**
 * The outbox: writes the event and one pending delivery (plus its job) per enabled endpoint that subscribes to
 * it, in the caller's transaction, so that an event exists if and only if its change committed. Nothing is
 * written when no endpoint listens. Stateless on purpose: any service can call it with its `trx`.
 */
export async function emitEvent(
  trx: Kysely<Database>,
  orgId: number,
  type: WebhookEvent,
  data: unknown,
): Promise<void> {
  await emitEvents(trx, orgId, type, [data]);
}

/** Many events of one type (an import's new leads): the endpoints are read once. */
export async function emitEvents(
  trx: Kysely<Database>,
  orgId: number,
  type: WebhookEvent,
  items: unknown[],
): Promise<void> {
  if (!items.length) return;
  // From the organization's settings cache (src/db/org-cache.ts): no read per lead when nothing changed.
  const endpoints = await cachedOrgRead(trx, orgId, 'webhook_endpoints', () =>
    trx
      .selectFrom('webhook_endpoints')
      .select(['id', 'events'])
      .where('org_id', '=', orgId)
      .where('enabled', '=', 1)
      .execute(),
  );
  const targets = endpoints.filter((e) => {
    const events = JSON.parse(e.events) as string[];
    return events.length === 0 || events.includes(type);
  });
  if (!targets.length) return;
  const jobs = createJobRepository(trx);
  for (const data of items) await writeEvent(trx, jobs, orgId, type, data, targets);
}

async function writeEvent(
  trx: Kysely<Database>,
  jobs: ReturnType<typeof createJobRepository>,
  orgId: number,
  type: WebhookEvent,
  data: unknown,
  targets: Array<{ id: number }>,
): Promise<void> {
  const now = nowIso();
  const event = await trx
    .insertInto('webhook_events')
    .values({ org_id: orgId, type, payload: '{}', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The body is fixed once, so every attempt sends the same bytes (receivers dedupe on `id`).
  const payload = JSON.stringify({ id: `evt_${event.id}`, type, created_at: now, data });
  await trx.updateTable('webhook_events').set({ payload }).where('id', '=', event.id).execute();
  for (const t of targets) {
    const d = await trx
      .insertInto('webhook_deliveries')
      .values({
        org_id: orgId,
        endpoint_id: t.id,
        event_id: event.id,
        status: 'pending',
        attempts: 0,
        // null: due at once (the first attempt does not wait for any clock).
        next_attempt_at: null,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await jobs.insert(trx, {
      org_id: orgId,
      kind: DELIVER_JOB,
      payload: JSON.stringify({ delivery_id: d.id }),
      now,
    });
  }
}

/** For lead events: the lead's snapshot plus anything the event adds. */
export async function emitLeadEvent(
  trx: Kysely<Database>,
  orgId: number,
  type: WebhookEvent,
  row: Record<string, unknown> & { id: number },
  extra: Record<string, unknown> = {},
): Promise<void> {
  await emitEvent(trx, orgId, type, { lead: leadSnapshot(row), ...extra });
}

/**
 * For the merge (issue 23 part 2): call in the merge's transaction once the merged leads are folded into the
 * primary. Endpoints subscribed to `lead.merged` receive `{ lead, merged_ids }`.
 */
export async function emitLeadMerged(
  trx: Kysely<Database>,
  orgId: number,
  primary: Record<string, unknown> & { id: number },
  mergedIds: number[],
): Promise<void> {
  await emitLeadEvent(trx, orgId, 'lead.merged', primary, { merged_ids: mergedIds });
}
