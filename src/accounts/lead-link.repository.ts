import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/precompiled.js';

type Q = Kysely<Database>;

/** The links between leads and contacts, and the lead's company column (both owned by accounts). */
export function createLeadLinkRepository(db: Q) {
  // Read with every lead response: built once per number of leads (src/db/precompiled.ts).
  const contactLinks = precompiled((q, orgId: number, leadIds: readonly number[]) =>
    q
      .selectFrom('lead_contacts')
      .select(['lead_id', 'contact_id'])
      .where('org_id', '=', orgId)
      .where('lead_id', 'in', leadIds)
      .orderBy('lead_id')
      .orderBy('created_at')
      .orderBy('contact_id'),
  );
  return {
    async contactIdsFor(orgId: number, leadIds: number[], trx: Q = db): Promise<Map<number, number[]>> {
      const out = new Map<number, number[]>();
      if (leadIds.length === 0) return out;
      const rows = await contactLinks(trx, orgId, leadIds);
      for (const r of rows) out.set(r.lead_id, [...(out.get(r.lead_id) ?? []), r.contact_id]);
      return out;
    },

    async replaceContacts(
      trx: Q,
      orgId: number,
      leadId: number,
      contactIds: number[],
      now: string,
      /** A new lead: it has no links to remove. */
      created = false,
    ): Promise<void> {
      if (!created)
        await trx
          .deleteFrom('lead_contacts')
          .where('org_id', '=', orgId)
          .where('lead_id', '=', leadId)
          .execute();
      if (contactIds.length) {
        await trx
          .insertInto('lead_contacts')
          .values(
            contactIds.map((contact_id) => ({ org_id: orgId, lead_id: leadId, contact_id, created_at: now })),
          )
          .execute();
      }
    },

    async addContact(trx: Q, orgId: number, leadId: number, contactId: number, now: string): Promise<void> {
      await trx
        .insertInto('lead_contacts')
        .values({ org_id: orgId, lead_id: leadId, contact_id: contactId, created_at: now })
        .onConflict((oc) => oc.columns(['org_id', 'lead_id', 'contact_id']).doNothing())
        .execute();
    },

    /** Sets the company of a lead being created (same transaction, so no new version). */
    async setCompanyOnNewLead(trx: Q, orgId: number, leadId: number, companyId: number): Promise<void> {
      await trx
        .updateTable('leads')
        .set({ company_id: companyId })
        .where('org_id', '=', orgId)
        .where('id', '=', leadId)
        .execute();
    },
  };
}

export type LeadLinkRepository = ReturnType<typeof createLeadLinkRepository>;
