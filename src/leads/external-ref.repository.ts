import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Q = Kysely<Database>;

/** All SQL for external references; org id first in every query. */
export function createExternalRefRepository(db: Q) {
  return {
    async listFor(orgId: number, surface: string, entity: string, ids: number[], trx: Q = db) {
      if (ids.length === 0) return [];
      return trx
        .selectFrom('external_refs')
        .select(['entity_id', 'name', 'value'])
        .where('org_id', '=', orgId)
        .where('surface', '=', surface)
        .where('entity', '=', entity)
        .where('entity_id', 'in', [...new Set(ids)])
        .execute();
    },
    /** Ids of the records of one kind whose value `name` is `value` (JSON-encoded). */
    async findEntityIds(
      orgId: number,
      surface: string,
      entity: string,
      name: string,
      value: string,
      trx: Q = db,
    ) {
      const rows = await trx
        .selectFrom('external_refs')
        .select('entity_id')
        .where('org_id', '=', orgId)
        .where('surface', '=', surface)
        .where('entity', '=', entity)
        .where('name', '=', name)
        .where('value', '=', value)
        .execute();
      return rows.map((r) => r.entity_id);
    },
    /** The values of leads and of their status-log entries and follow-ups, in one query (batched views). */
    async listForLeadsAndChildren(orgId: number, surface: string, leadIds: number[], trx: Q = db) {
      if (leadIds.length === 0) return [];
      const ids = [...new Set(leadIds)];
      return trx
        .selectFrom('external_refs')
        .select(['entity', 'entity_id', 'name', 'value'])
        .where('org_id', '=', orgId)
        .where('surface', '=', surface)
        .where((eb) =>
          eb.or([
            eb.and([eb('entity', '=', 'lead'), eb('entity_id', 'in', ids)]),
            eb.and([
              eb('entity', '=', 'status_history'),
              eb(
                'entity_id',
                'in',
                eb
                  .selectFrom('status_history')
                  .select('id')
                  .where('org_id', '=', orgId)
                  .where('lead_id', 'in', ids),
              ),
            ]),
            eb.and([
              eb('entity', '=', 'follow_up'),
              eb(
                'entity_id',
                'in',
                eb
                  .selectFrom('follow_ups')
                  .select('id')
                  .where('org_id', '=', orgId)
                  .where('lead_id', 'in', ids),
              ),
            ]),
          ]),
        )
        .execute();
    },
    /** Values of several kinds of record in one query: `[{ entity, ids }]` (batched views). */
    async listForMany(
      orgId: number,
      surface: string,
      wanted: Array<{ entity: string; ids: number[] }>,
      trx: Q = db,
    ) {
      const parts = wanted.filter((w) => w.ids.length > 0);
      if (parts.length === 0) return [];
      return trx
        .selectFrom('external_refs')
        .select(['entity', 'entity_id', 'name', 'value'])
        .where('org_id', '=', orgId)
        .where('surface', '=', surface)
        .where((eb) =>
          eb.or(
            parts.map((w) =>
              eb.and([eb('entity', '=', w.entity), eb('entity_id', 'in', [...new Set(w.ids)])]),
            ),
          ),
        )
        .execute();
    },
    /** Inserts or replaces one value (the unique key is org, entity, id, name). */
    async upsert(
      trx: Q,
      row: {
        org_id: number;
        surface: string;
        entity: string;
        entity_id: number;
        name: string;
        value: string;
        created_at: string;
      },
    ) {
      await trx
        .insertInto('external_refs')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'surface', 'entity', 'entity_id', 'name'])
            .doUpdateSet({ value: row.value, created_at: row.created_at }),
        )
        .execute();
    },
    /** Inserts or replaces many values in one statement. */
    async upsertMany(
      trx: Q,
      rows: Array<{
        org_id: number;
        surface: string;
        entity: string;
        entity_id: number;
        name: string;
        value: string;
        created_at: string;
      }>,
    ) {
      if (rows.length === 0) return;
      await trx
        .insertInto('external_refs')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['org_id', 'surface', 'entity', 'entity_id', 'name']).doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            created_at: eb.ref('excluded.created_at'),
          })),
        )
        .execute();
    },
  };
}

export type ExternalRefRepository = ReturnType<typeof createExternalRefRepository>;
