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
