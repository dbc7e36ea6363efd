import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CatalogEntriesTable, LeadTypesTable } from './catalog.tables.js';
import { DEFAULT_CATALOG_ENTRIES } from './catalog.tables.js';

type Q = Kysely<Database>;
export type CatalogEntryRow = Selectable<CatalogEntriesTable>;
export type LeadTypeRow = Selectable<LeadTypesTable>;

/** All SQL of the catalogs. Every function takes the connection to use and the organization first. */
export const catalogRepository = {
  async insertDefaults(trx: Q, orgId: number, now: string) {
    await trx
      .insertInto('catalog_entries')
      .values(
        DEFAULT_CATALOG_ENTRIES.map((e, i) => ({
          org_id: orgId,
          ...e,
          position: (i + 1) * 10,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  },
  list(trx: Q, orgId: number, kind: string) {
    return trx
      .selectFrom('catalog_entries')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('kind', '=', kind)
      .orderBy('position')
      .orderBy('id')
      .execute();
  },
  find(trx: Q, orgId: number, kind: string, id: number) {
    return trx
      .selectFrom('catalog_entries')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('kind', '=', kind)
      .where('id', '=', id)
      .executeTakeFirst();
  },
  findByCode(trx: Q, orgId: number, kind: string, code: string) {
    return trx
      .selectFrom('catalog_entries')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('kind', '=', kind)
      .where('alternative_code', '=', code)
      .executeTakeFirst();
  },
  async maxPosition(trx: Q, orgId: number, kind: string): Promise<number> {
    const r = await trx
      .selectFrom('catalog_entries')
      .select((eb) => eb.fn.max('position').as('m'))
      .where('org_id', '=', orgId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return Number(r?.m ?? 0);
  },
  insert(trx: Q, row: Insertable<CatalogEntriesTable>) {
    return trx.insertInto('catalog_entries').values(row).returningAll().executeTakeFirstOrThrow();
  },
  update(trx: Q, orgId: number, id: number, set: Updateable<CatalogEntriesTable>) {
    return trx
      .updateTable('catalog_entries')
      .set(set)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  async remove(trx: Q, orgId: number, id: number) {
    await trx.deleteFrom('catalog_entries').where('org_id', '=', orgId).where('id', '=', id).execute();
  },
  /** How many leads (trash included) point at `id` through `column`. */
  async countLeads(trx: Q, orgId: number, column: string, id: number): Promise<number> {
    const r = await trx
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where(column as 'category_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  listLeadTypes(trx: Q, orgId: number) {
    return trx.selectFrom('lead_types').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
  },
  findLeadType(trx: Q, orgId: number, id: number) {
    return trx
      .selectFrom('lead_types')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
  },
  findLeadTypeByCode(trx: Q, orgId: number, code: string) {
    return trx
      .selectFrom('lead_types')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('alternative_code', '=', code)
      .executeTakeFirst();
  },
  insertLeadType(trx: Q, row: Insertable<LeadTypesTable>) {
    return trx.insertInto('lead_types').values(row).returningAll().executeTakeFirstOrThrow();
  },
  updateLeadType(trx: Q, orgId: number, id: number, set: Updateable<LeadTypesTable>) {
    return trx
      .updateTable('lead_types')
      .set(set)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  async removeLeadType(trx: Q, orgId: number, id: number) {
    await trx.deleteFrom('lead_types').where('org_id', '=', orgId).where('id', '=', id).execute();
  },
};
export type CatalogRepository = typeof catalogRepository;
