import type { Kysely, Selectable } from 'kysely';
import type { Database, StatusHistoryTable } from '../db/schema.js';

type Q = Kysely<Database>;
export type HistoryRow = Selectable<StatusHistoryTable>;

/** Reads of the append-only status log (rows are only ever inserted, by the lead and pipeline services). */
export function createHistoryRepository(db: Q) {
  return {
    /**
     * In the order the changes were applied (so each entry starts where the previous one ended), keyset-paged
     * by id. Backdated entries keep their place in that chain and carry their own `at`.
     */
    async listForLead(
      orgId: number,
      leadId: number,
      limit: number,
      afterId?: number,
      trx: Kysely<Database> = db,
    ): Promise<HistoryRow[]> {
      let q = trx
        .selectFrom('status_history')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId);
      if (afterId !== undefined) q = q.where('id', '>', afterId);
      return q.orderBy('id').limit(limit).execute();
    },
    /** The whole log of several leads in one query (batched views), in applied order per lead. */
    async listForLeads(orgId: number, leadIds: number[], trx: Q = db): Promise<HistoryRow[]> {
      if (leadIds.length === 0) return [];
      return trx
        .selectFrom('status_history')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', [...new Set(leadIds)])
        .orderBy('lead_id')
        .orderBy('id')
        .execute();
    },
    /**
     * The same, with the names a view shows (status key and category, sub-status name, reason text) joined
     * in, so a page of leads costs one query for all their logs.
     */
    async listNamedForLeads(orgId: number, leadIds: number[], trx: Q = db) {
      if (leadIds.length === 0) return [];
      return trx
        .selectFrom('status_history as h')
        .leftJoin('statuses as f', 'f.id', 'h.from_status_id')
        .leftJoin('statuses as t', 't.id', 'h.to_status_id')
        .leftJoin('sub_statuses as ss', 'ss.id', 'h.sub_status_id')
        .leftJoin('reasons as r', 'r.id', 'h.reason_id')
        .selectAll('h')
        .select([
          'f.key as from_key',
          't.key as to_key',
          't.category as to_category',
          'ss.name as sub_status_name',
          'r.text as reason_text',
          'r.number as reason_number',
        ])
        .where('h.org_id', '=', orgId)
        .where('h.lead_id', 'in', [...new Set(leadIds)])
        .orderBy('h.lead_id')
        .orderBy('h.id')
        .execute();
    },
    async byIds(orgId: number, ids: number[], trx: Kysely<Database> = db): Promise<HistoryRow[]> {
      if (ids.length === 0) return [];
      return trx
        .selectFrom('status_history')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },
  };
}

export type HistoryRepository = ReturnType<typeof createHistoryRepository>;
