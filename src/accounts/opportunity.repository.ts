import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { OpportunitiesTable } from './accounts.tables.js';
import { applyKeyset, applySearch, type KeysetPage } from './keyset.js';

type Q = Kysely<Database>;
export type OpportunityRow = Selectable<OpportunitiesTable>;
export type OpportunityInsert = Insertable<OpportunitiesTable>;
export type OpportunityUpdate = Updateable<OpportunitiesTable>;

export interface OpportunityFilter {
  /** Agent visibility from the access policy (src/access/policy.ts); absent: the whole organization. */
  visible?: (eb: ExpressionBuilder<Database, 'opportunities'>) => Expression<SqlBool>;
  stages?: string[];
  companyId?: number;
  contactId?: number;
  leadId?: number;
  ownerId?: number;
  terms?: string[];
}

export function createOpportunityRepository(db: Q) {
  return {
    /** Throws the driver's unique violation when the lead already has a live opportunity. */
    async insert(trx: Q, row: OpportunityInsert): Promise<OpportunityRow> {
      return trx.insertInto('opportunities').values(row).returningAll().executeTakeFirstOrThrow();
    },

    async findById(orgId: number, id: number, trx: Q = db): Promise<OpportunityRow | undefined> {
      return trx
        .selectFrom('opportunities')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async findLiveByLead(orgId: number, leadId: number, trx: Q = db): Promise<OpportunityRow | undefined> {
      return trx
        .selectFrom('opportunities')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    async updateVersioned(
      trx: Q,
      orgId: number,
      id: number,
      version: number,
      set: OpportunityUpdate,
    ): Promise<OpportunityRow | undefined> {
      return trx
        .updateTable('opportunities')
        .set({ ...set, version: version + 1 })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
    },

    async list(orgId: number, f: OpportunityFilter, page: KeysetPage): Promise<OpportunityRow[]> {
      let q = db
        .selectFrom('opportunities')
        .selectAll('opportunities')
        .where('opportunities.org_id', '=', orgId)
        .where('opportunities.deleted_at', 'is', null);
      if (f.visible) q = q.where(f.visible);
      if (f.stages) q = q.where('opportunities.stage', 'in', f.stages);
      if (f.companyId !== undefined) q = q.where('opportunities.company_id', '=', f.companyId);
      if (f.contactId !== undefined) q = q.where('opportunities.contact_id', '=', f.contactId);
      if (f.leadId !== undefined) q = q.where('opportunities.lead_id', '=', f.leadId);
      if (f.ownerId !== undefined) q = q.where('opportunities.owner_id', '=', f.ownerId);
      if (f.terms) q = applySearch(q, 'opportunities', f.terms);
      return applyKeyset(q, 'opportunities', page).execute();
    },
  };
}

export type OpportunityRepository = ReturnType<typeof createOpportunityRepository>;
