import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LeadContactPointsTable } from './lead-parts.tables.js';
import { precompiled } from '../db/precompiled.js';
import { precompiledInsert } from '../db/precompiled-insert.js';

type Q = Kysely<Database>;
export type ContactPointRow = Selectable<LeadContactPointsTable>;
export type ContactPointInsert = Insertable<LeadContactPointsTable>;

/** The points of some leads (of one kind, or all), in the order every reader expects. */
function pointsOf(q: Q, orgId: number, leadIds: readonly number[], kind?: 'email' | 'phone') {
  let sel = q
    .selectFrom('lead_contact_points')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('lead_id', 'in', leadIds);
  if (kind) sel = sel.where('kind', '=', kind);
  return sel.orderBy('lead_id').orderBy('kind').orderBy('position').orderBy('id');
}

/** A lead's emails and phones, and the lead columns that mirror the primary ones. */
export function createContactPointRepository(db: Q) {
  // Every point of a page of leads, read with every lead response: built once per number of leads.
  const all = precompiled((q, orgId: number, leadIds: readonly number[]) => pointsOf(q, orgId, leadIds));
  // Written with every new lead that has an email or phone, inside its transaction: built once per column list.
  const insertPoint = precompiledInsert((q, rows: ContactPointInsert[]) =>
    q.insertInto('lead_contact_points').values(rows).returningAll(),
  );
  return {
    async of(
      orgId: number,
      leadIds: number[],
      kind?: 'email' | 'phone',
      trx: Q = db,
    ): Promise<ContactPointRow[]> {
      if (!leadIds.length) return [];
      return kind ? pointsOf(trx, orgId, leadIds, kind).execute() : all(trx, orgId, leadIds);
    },
    async insert(trx: Q, rows: ContactPointInsert[]): Promise<void> {
      if (rows.length) await trx.insertInto('lead_contact_points').values(rows).execute();
    },
    async insertOne(trx: Q, row: ContactPointInsert): Promise<ContactPointRow> {
      return (await insertPoint(trx, [row]))[0];
    },
    async update(trx: Q, orgId: number, id: number, set: Updateable<LeadContactPointsTable>): Promise<void> {
      await trx
        .updateTable('lead_contact_points')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute();
    },
    async remove(trx: Q, orgId: number, id: number): Promise<void> {
      await trx.deleteFrom('lead_contact_points').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    async removeAll(trx: Q, orgId: number, leadId: number, kind: 'email' | 'phone'): Promise<void> {
      await trx
        .deleteFrom('lead_contact_points')
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('kind', '=', kind)
        .execute();
    },
  };
}

export type ContactPointRepository = ReturnType<typeof createContactPointRepository>;
