import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import type { FieldError } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow } from '../leads/lead.repository.js';
import type { CompanyRepository, CompanyRow } from './company.repository.js';
import type { ContactRepository, ContactRow } from './contact.repository.js';
import type { CompanyService } from './company.service.js';
import type { ContactService } from './contact.service.js';
import type { LeadContactSummary, LeadCompanySummary } from './lead-link.types.js';
import type { LeadLinkRepository } from './lead-link.repository.js';
import { companyDomainFromEmail, domainFromWebsite, nameKey } from './normalize.js';

export interface LeadLinkDeps {
  db: Kysely<Database>;
  links: LeadLinkRepository;
  companies: CompanyRepository;
  contacts: ContactRepository;
  leads: LeadRepository;
  companyService: CompanyService;
  contactService: ContactService;
}

/** The link fields a lead accepts on create (all) and PATCH (company_id, contact_ids). */
export interface LeadLinkInput {
  company_id?: number | null;
  contact_ids?: number[];
  link?: 'match' | 'create' | 'contact' | 'none';
}

export type LinkMode = 'match' | 'create';

/** Lead <-> company/contact links: validation, matching on normalized email and domain, and the response view. */
export function createLeadLinkService({
  db,
  links,
  companies,
  contacts,
  leads,
  companyService,
  contactService,
}: LeadLinkDeps) {
  /** The oldest live company with the lead's email domain or website domain, else with its company name. */
  async function matchCompany(
    trx: Kysely<Database>,
    orgId: number,
    lead: LeadRow,
  ): Promise<CompanyRow | undefined> {
    const domain = companyDomainFromEmail(lead.email) ?? domainFromWebsite(lead.website);
    const key = lead.company_name ? nameKey(lead.company_name) : null;
    if (!domain && !key) return undefined;
    return companies.findMatch(orgId, domain, key, trx);
  }

  /** A company from the lead's company fields, tags and owner (remembering the lead it came from). */
  async function createCompanyFromLead(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    overrides: Partial<CompanyRow> = {},
    tags?: string[],
  ) {
    const name = (overrides.name ?? lead.company_name)!;
    const website = overrides.website !== undefined ? overrides.website : lead.website;
    return companyService.insertPrepared(
      trx,
      auth,
      {
        cols: {
          address_line1: lead.address_line1,
          address_line2: lead.address_line2,
          city: lead.city,
          state: lead.state,
          postal_code: lead.postal_code,
          country: lead.country,
          owner_id: lead.owner_id,
          website,
          domain: domainFromWebsite(website) ?? companyDomainFromEmail(lead.email),
          ...overrides,
          name,
          name_key: nameKey(name),
        },
        tags: tags ?? (await leads.tagsFor(auth.orgId, [lead.id], trx)).get(lead.id) ?? [],
      },
      lead.id,
    );
  }

  /** True when the lead names a person (or an email) a contact can be made of. */
  function hasPerson(lead: LeadRow): boolean {
    return !!(lead.first_name || lead.last_name || lead.email);
  }

  /** A contact from the lead's person fields, tags and owner; `patch` holds explicit create_contact fields. */
  async function createContactFromLead(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    companyId: number | null,
    patch: Awaited<ReturnType<ContactService['prepare']>> = { cols: {} },
    consent: Parameters<ContactService['insertPrepared']>[3] = {},
    field = '',
  ): Promise<ContactRow> {
    const phones = [
      ...(lead.phone ? [{ phone: lead.phone, label: 'work' }] : []),
      ...(lead.mobile ? [{ phone: lead.mobile, label: 'mobile' }] : []),
    ];
    return contactService.insertPrepared(
      trx,
      auth,
      {
        cols: {
          first_name: lead.first_name,
          last_name: lead.last_name,
          civility: lead.civility,
          job_title: lead.job_title,
          phones: JSON.stringify(phones),
          address_line1: lead.address_line1,
          address_line2: lead.address_line2,
          city: lead.city,
          state: lead.state,
          postal_code: lead.postal_code,
          country: lead.country,
          owner_id: lead.owner_id,
          company_id: companyId,
          ...patch.cols,
        },
        emails: patch.emails ?? (lead.email ? [{ email: lead.email, label: null }] : []),
        tags: patch.tags ?? (await leads.tagsFor(auth.orgId, [lead.id], trx)).get(lead.id) ?? [],
      },
      consent,
      lead.id,
      field,
    );
  }

  return {
    matchCompany,
    createCompanyFromLead,
    createContactFromLead,
    hasPerson,

    /**
     * Another organization's ids read as unknown ones: a 422 naming the field, never a 403. On create
     * (`creating`): a contact that is already a customer of a company (its accounts receivable, seed 003) books
     * its leads against that company, so `company_id` must be given and be that company.
     */
    async check(
      orgId: number,
      input: LeadLinkInput,
      errors: FieldError[],
      trx: Kysely<Database> = db,
      creating = false,
    ): Promise<void> {
      if (input.company_id !== undefined && input.company_id !== null) {
        if ((await companies.findLive(orgId, [input.company_id], trx)).length === 0) {
          errors.push({
            field: 'company_id',
            message: `company ${input.company_id} does not exist in this organization`,
          });
        }
      }
      if (input.contact_ids !== undefined && input.contact_ids.length) {
        const wanted = [...new Set(input.contact_ids)];
        const rows = await contacts.findLive(orgId, wanted, trx);
        const found = new Set(rows.map((c) => c.id));
        const missing = wanted.filter((id) => !found.has(id));
        if (missing.length)
          errors.push({
            field: 'contact_ids',
            message: `contact ${missing.join(', ')} does not exist in this organization`,
          });
        if (creating)
          for (const c of rows) {
            if (c.customer_status !== 'customer' || c.company_id === null) continue;
            if (input.company_id === undefined || input.company_id === null)
              errors.push({
                field: 'company_id',
                message: `is required: contact ${c.id} is already a customer of company ${c.company_id} (give that company)`,
              });
            else if (input.company_id !== c.company_id)
              errors.push({
                field: 'company_id',
                message: `must be company ${c.company_id}: contact ${c.id} is a customer of that company`,
              });
          }
      }
    },

    /**
     * Inside the create transaction: explicit links, then `link: "match"` (existing company by email domain,
     * website or name; contact by email) or `"create"` (match, else create from the lead).
     */
    async linkNewLead(
      trx: Kysely<Database>,
      auth: AuthContext,
      lead: LeadRow,
      input: LeadLinkInput,
    ): Promise<LeadRow> {
      const now = nowIso();
      const mode = input.link && input.link !== 'none' ? input.link : null;
      let row = lead;
      if (row.company_id === null && mode) {
        let company = await matchCompany(trx, auth.orgId, row);
        if (!company && mode === 'create' && row.company_name)
          company = await createCompanyFromLead(trx, auth, row);
        if (company) {
          await links.setCompanyOnNewLead(trx, auth.orgId, row.id, company.id);
          row = { ...row, company_id: company.id };
        }
      }
      const contactIds = [...new Set(input.contact_ids ?? [])];
      if (mode && contactIds.length === 0) {
        // "contact" (web-to-lead): match the company, but create only the person (a form names a company loosely).
        const creates = (mode === 'create' || mode === 'contact') && hasPerson(row);
        const lead = row;
        // By email on its unique key (find-or-create, race-free); without an email only a new person is made.
        const contact = !row.email
          ? creates
            ? await createContactFromLead(trx, auth, row, row.company_id)
            : undefined
          : creates
            ? (
                await contactService.resolveIdentifier(trx, auth, 'email', row.email, () =>
                  createContactFromLead(trx, auth, lead, lead.company_id),
                )
              )?.row
            : await contactService.findByIdentifier(auth.orgId, 'email', row.email, trx);
        if (contact) contactIds.push(contact.id);
      }
      if (contactIds.length) await links.replaceContacts(trx, auth.orgId, row.id, contactIds, now, true);
      return row;
    },

    /** Inside the PATCH transaction: replaces the linked contacts when sent; true when they changed. */
    async relinkContacts(
      trx: Kysely<Database>,
      auth: AuthContext,
      lead: LeadRow,
      input: LeadLinkInput,
    ): Promise<{ old: number[]; new: number[] } | null> {
      if (input.contact_ids === undefined) return null;
      const next = [...new Set(input.contact_ids)];
      const old = (await links.contactIdsFor(auth.orgId, [lead.id], trx)).get(lead.id) ?? [];
      if (old.length === next.length && old.every((id, i) => id === next[i])) return null;
      await links.replaceContacts(trx, auth.orgId, lead.id, next, nowIso());
      return { old, new: next };
    },

    /** What a lead response shows of its company and contacts (deleted ones no longer show). */
    async describe(orgId: number, rows: LeadRow[], trx: Kysely<Database> = db) {
      const out = new Map<number, { company: LeadCompanySummary | null; contacts: LeadContactSummary[] }>();
      if (rows.length === 0) return out;
      const contactIds = await links.contactIdsFor(
        orgId,
        rows.map((r) => r.id),
        trx,
      );
      const companyIds = [...new Set(rows.flatMap((r) => (r.company_id ? [r.company_id] : [])))];
      const allContactIds = [...new Set([...contactIds.values()].flat())];
      const [companyRows, contactRows, emails] = await Promise.all([
        companies.findLive(orgId, companyIds, trx),
        contacts.findLive(orgId, allContactIds, trx),
        contacts.emailsFor(orgId, allContactIds, trx),
      ]);
      const companyById = new Map(
        companyRows.map((c) => [
          c.id,
          { id: c.id, name: c.name, domain: c.domain, customer_status: c.customer_status ?? 'prospect' },
        ]),
      );
      const contactById = new Map(
        contactRows.map((c) => [
          c.id,
          {
            id: c.id,
            first_name: c.first_name,
            last_name: c.last_name,
            email: emails.get(c.id)?.[0]?.email ?? null,
            customer_status: c.customer_status ?? 'prospect',
          },
        ]),
      );
      for (const r of rows) {
        out.set(r.id, {
          company: r.company_id ? (companyById.get(r.company_id) ?? null) : null,
          contacts: (contactIds.get(r.id) ?? []).flatMap((id) =>
            contactById.has(id) ? [contactById.get(id)!] : [],
          ),
        });
      }
      return out;
    },
  };
}

export type LeadLinkService = ReturnType<typeof createLeadLinkService>;
