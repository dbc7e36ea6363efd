import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from './webhook.tables.js';

type Q = Kysely<Database>;
export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export function createWebhookRepository(db: Q) {
  return {
    async listEndpoints(orgId: number, trx: Q = db): Promise<EndpointRow[]> {
      return trx
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('id')
        .execute();
    },
    async findEndpoint(orgId: number, id: number, trx: Q = db): Promise<EndpointRow | undefined> {
      return trx
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insertEndpoint(trx: Q, row: Insertable<WebhookEndpointsTable>): Promise<EndpointRow> {
      return trx.insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async updateEndpoint(trx: Q, orgId: number, id: number, set: Updateable<WebhookEndpointsTable>) {
      return trx
        .updateTable('webhook_endpoints')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    async removeEndpoint(trx: Q, orgId: number, id: number): Promise<boolean> {
      const deliveries = trx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('org_id', '=', orgId)
        .where('endpoint_id', '=', id);
      await trx
        .deleteFrom('webhook_attempts')
        .where('org_id', '=', orgId)
        .where('delivery_id', 'in', deliveries)
        .execute();
      await trx
        .deleteFrom('webhook_deliveries')
        .where('org_id', '=', orgId)
        .where('endpoint_id', '=', id)
        .execute();
      const r = await trx
        .deleteFrom('webhook_endpoints')
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    /** Counts a failed attempt on the endpoint; returns the run of consecutive failures. */
    async countFailure(trx: Q, orgId: number, id: number): Promise<number> {
      const r = await trx
        .updateTable('webhook_endpoints')
        .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1) }))
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returning('consecutive_failures')
        .executeTakeFirst();
      return Number(r?.consecutive_failures ?? 0);
    },
    async resetFailures(trx: Q, orgId: number, id: number) {
      await trx
        .updateTable('webhook_endpoints')
        .set({ consecutive_failures: 0 })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('consecutive_failures', '>', 0)
        .execute();
    },
    async deliveryWithEvent(orgId: number, id: number, trx: Q = db) {
      return trx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_events as e', (j) =>
          j.onRef('e.id', '=', 'd.event_id').onRef('e.org_id', '=', 'd.org_id'),
        )
        .selectAll('d')
        .select(['e.type as event_type', 'e.payload as payload'])
        .where('d.org_id', '=', orgId)
        .where('d.id', '=', id)
        .executeTakeFirst();
    },
    async listDeliveries(
      orgId: number,
      endpointId: number,
      f: { status?: string; before?: number; limit: number },
      trx: Q = db,
    ) {
      let q = trx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_events as e', (j) =>
          j.onRef('e.id', '=', 'd.event_id').onRef('e.org_id', '=', 'd.org_id'),
        )
        .selectAll('d')
        .select(['e.type as event_type', 'e.payload as payload'])
        .where('d.org_id', '=', orgId)
        .where('d.endpoint_id', '=', endpointId);
      if (f.status) q = q.where('d.status', '=', f.status);
      if (f.before) q = q.where('d.id', '<', f.before);
      return q.orderBy('d.id', 'desc').limit(f.limit).execute();
    },
    async updateDelivery(trx: Q, orgId: number, id: number, set: Updateable<WebhookDeliveriesTable>) {
      await trx
        .updateTable('webhook_deliveries')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute();
    },
    async failedDeliveryIds(trx: Q, orgId: number, endpointId: number): Promise<number[]> {
      const rows = await trx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('org_id', '=', orgId)
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'failed')
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    },
    async insertAttempt(trx: Q, row: Insertable<WebhookAttemptsTable>) {
      await trx.insertInto('webhook_attempts').values(row).execute();
    },
    async attempts(orgId: number, deliveryIds: number[], trx: Q = db): Promise<AttemptRow[]> {
      if (!deliveryIds.length) return [];
      return trx
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('delivery_id', 'in', deliveryIds)
        .orderBy('id')
        .execute();
    },
    async allowPrivate(orgId: number, trx: Q = db): Promise<boolean> {
      const r = await trx
        .selectFrom('organizations')
        .select('webhooks_allow_private')
        .where('id', '=', orgId)
        .executeTakeFirst();
      return r?.webhooks_allow_private === 1;
    },
    async setAllowPrivate(trx: Q, orgId: number, allow: boolean) {
      await trx
        .updateTable('organizations')
        .set({ webhooks_allow_private: allow ? 1 : 0 })
        .where('id', '=', orgId)
        .execute();
    },
    /** Owners and admins of the organization (told when an endpoint is disabled). */
    async admins(trx: Q, orgId: number) {
      return trx
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.email', 'u.name'])
        .where('m.org_id', '=', orgId)
        .where('m.role', 'in', ['owner', 'admin'])
        .where('m.deactivated_at', 'is', null)
        .execute();
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
