import type { Compilable, Kysely } from 'kysely';
import type { Database } from './schema.js';
import { precompiled } from './precompiled.js';
import { precompiledInsert } from './precompiled-insert.js';

type Q = Kysely<Database>;

/** Each tag table is (org_id, <owner>_id, tag); this is the owner column of each. */
const OWNER_COLUMN = {
  lead_tags: 'lead_id',
  company_tags: 'company_id',
  contact_tags: 'contact_id',
} as const;
export type TagTable = keyof typeof OWNER_COLUMN;

/**
 * Reading and replacing the tags of one kind of record. Leads, companies and contacts keep tags in tables of the
 * same shape; the table is chosen at run time, which Kysely cannot type, so the queries are built untyped here.
 */
export function createTagStore(db: Q, table: TagTable) {
  const owner = OWNER_COLUMN[table];
  const untyped = (q: Q) => q as unknown as Kysely<Record<string, Record<string, unknown>>>;
  // Read with every lead response: built once per number of ids (src/db/precompiled.ts).
  const read = precompiled(
    (q, orgId: number, ids: readonly number[]) =>
      untyped(q)
        .selectFrom(table)
        .select([`${owner} as id`, 'tag'])
        .where('org_id', '=', orgId)
        .where(owner, 'in', ids)
        .orderBy(owner)
        .orderBy('tag') as unknown as Compilable<{ id: number; tag: string }>,
  );
  // Written with every new tagged record, inside its transaction: built once per number of tags.
  const insert = precompiledInsert(
    (q, rows: Record<string, unknown>[]) =>
      untyped(q).insertInto(table).values(rows) as unknown as Compilable<unknown>,
  );
  return {
    /** Tags per record id, sorted; ids without tags are absent from the map. */
    async tagsFor(orgId: number, ids: number[], trx: Q = db): Promise<Map<number, string[]>> {
      const out = new Map<number, string[]>();
      if (ids.length === 0) return out;
      const rows = await read(trx, orgId, ids);
      for (const r of rows) {
        const list = out.get(r.id);
        if (list) list.push(r.tag);
        else out.set(r.id, [r.tag]);
      }
      return out;
    },

    /** `fresh`: the record was just inserted, so there is nothing to delete first. */
    async replaceTags(trx: Q, orgId: number, id: number, tags: string[], fresh = false): Promise<void> {
      const t = untyped(trx);
      if (!fresh) await t.deleteFrom(table).where('org_id', '=', orgId).where(owner, '=', id).execute();
      if (tags.length) {
        await insert(
          trx,
          tags.map((tag) => ({ org_id: orgId, [owner]: id, tag })),
        );
      }
    },
  };
}
