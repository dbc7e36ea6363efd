import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Q = Kysely<Database>;

/** All SQL for external references; org id first in every query. */
export function createExternalRefRepository(db: Q) {
  return {
    async listFor(orgId: number, entity: string, ids: number[], trx: Q = db) {
      if (ids.length === 0) return [];
      return trx
        .selectFrom('external_refs')
        .select(['entity_id', 'name', 'value'])
        .where('org_id', '=', orgId)
        .where('entity', '=', entity)
        .where('entity_id', 'in', [...new Set(ids)])
        .execute();
    },
    /** Inserts or replaces one value (the unique key is org, entity, id, name). */
    async upsert(
      trx: Q,
      row: {
        org_id: number;
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
            .columns(['org_id', 'entity', 'entity_id', 'name'])
            .doUpdateSet({ value: row.value, created_at: row.created_at }),
        )
        .execute();
    },
  };
}

export type ExternalRefRepository = ReturnType<typeof createExternalRefRepository>;
