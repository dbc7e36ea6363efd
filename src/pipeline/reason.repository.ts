import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CustomFieldDefsTable, ReasonsTable } from './pipeline.tables.js';
import { cachedOrgRead } from '../db/org-cache.js';

type Q = Kysely<Database>;
export type ReasonRow = Selectable<ReasonsTable>;
export type CustomFieldDefRow = Selectable<CustomFieldDefsTable>;

/** Reasons catalog and custom field definitions: the organization's small pipeline vocabularies. */
export function createReasonRepository(db: Q) {
  /**
   * One UPDATE of the organization's row: it hands out numbers in order and, on PostgreSQL, holds the row until
   * commit, so concurrent inserts of one organization never take the same number.
   */
  async function takeNumbers(trx: Q, orgId: number, count: number): Promise<number> {
    const r = await trx
      .updateTable('organizations')
      .set((eb) => ({ reason_numbers: eb('reason_numbers', '+', count) }))
      .where('id', '=', orgId)
      .returning('reason_numbers')
      .executeTakeFirstOrThrow();
    return Number(r.reason_numbers) - count + 1;
  }

  return {
    async list(orgId: number, trx: Q = db): Promise<ReasonRow[]> {
      return cachedOrgRead(trx, orgId, 'reasons', () =>
        trx
          .selectFrom('reasons')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('deleted_at', 'is', null)
          .orderBy('position')
          .orderBy('id')
          .execute(),
      );
    },
    /** Includes deleted reasons: history rows keep showing their text. */
    async byIds(orgId: number, ids: number[], trx: Q = db): Promise<Map<number, ReasonRow>> {
      if (ids.length === 0) return new Map();
      const rows = await trx
        .selectFrom('reasons')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', [...new Set(ids)])
        .execute();
      return new Map(rows.map((r) => [r.id, r]));
    },
    async findLive(orgId: number, id: number, trx: Q = db) {
      return trx
        .selectFrom('reasons')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },
    async findByText(orgId: number, text: string, trx: Q = db) {
      return trx
        .selectFrom('reasons')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('text', '=', text)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },
    async maxPosition(orgId: number, trx: Q = db): Promise<number> {
      const r = await trx
        .selectFrom('reasons')
        .select((eb) => eb.fn.max('position').as('m'))
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return Number(r?.m ?? 0);
    },
    /** The next `count` reason numbers of the organization (migration 0062); the first is returned. */
    takeNumbers,
    async insert(trx: Q, row: Insertable<ReasonsTable>) {
      const number = await takeNumbers(trx, row.org_id, 1);
      return trx
        .insertInto('reasons')
        .values({ ...row, number })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Inserts unless a live reason has this text (unique key, migration 0060): undefined then. */
    async insertIfNew(trx: Q, row: Insertable<ReasonsTable>) {
      // A number a conflicting insert took stays unused: numbers may have gaps, never repeats.
      const number = await takeNumbers(trx, row.org_id, 1);
      return trx
        .insertInto('reasons')
        .values({ ...row, number })
        .onConflict((oc) => oc.columns(['org_id', 'text']).where('deleted_at', 'is', null).doNothing())
        .returningAll()
        .executeTakeFirst();
    },
    async update(trx: Q, orgId: number, id: number, set: Updateable<ReasonsTable>) {
      return trx
        .updateTable('reasons')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    // Custom field definitions
    async listFields(orgId: number, trx: Q = db): Promise<CustomFieldDefRow[]> {
      return cachedOrgRead(trx, orgId, 'custom_field_defs', () =>
        trx
          .selectFrom('custom_field_defs')
          .selectAll()
          .where('org_id', '=', orgId)
          .orderBy('position')
          .orderBy('id')
          .execute(),
      );
    },
    async findField(orgId: number, key: string, trx: Q = db) {
      return trx
        .selectFrom('custom_field_defs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('key', '=', key)
        .executeTakeFirst();
    },
    async maxFieldPosition(orgId: number, trx: Q = db): Promise<number> {
      const r = await trx
        .selectFrom('custom_field_defs')
        .select((eb) => eb.fn.max('position').as('m'))
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return Number(r?.m ?? 0);
    },
    async insertField(trx: Q, row: Insertable<CustomFieldDefsTable>) {
      return trx.insertInto('custom_field_defs').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async updateField(trx: Q, orgId: number, id: number, set: Updateable<CustomFieldDefsTable>) {
      return trx
        .updateTable('custom_field_defs')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async deleteField(trx: Q, orgId: number, id: number) {
      await trx.deleteFrom('custom_field_defs').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
  };
}

export type ReasonRepository = ReturnType<typeof createReasonRepository>;
