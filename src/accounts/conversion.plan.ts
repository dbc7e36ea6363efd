import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fieldError, type FieldError } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRow } from '../leads/lead.repository.js';
import type { CompanyRepository, CompanyRow } from './company.repository.js';
import type { ContactRepository } from './contact.repository.js';
import type { CompanyService, PreparedCompany } from './company.service.js';
import type { ContactService, PreparedContact } from './contact.service.js';
import type { OpportunityService } from './opportunity.service.js';
import type { OpportunityUpdate } from './opportunity.repository.js';
import type { LeadLinkRepository } from './lead-link.repository.js';
import type { LeadLinkService } from './lead-link.service.js';
import type { ConvertInput } from './conversion.schema.js';
import { throwIfErrors } from './fields.js';
import { nameKey } from './normalize.js';

/** A conversion validated before its transaction opens (lookups outside it keep SQLite's one connection free). */
export interface ConversionPlan {
  input: ConvertInput;
  company?: PreparedCompany;
  contact?: PreparedContact;
  opportunity?: OpportunityUpdate;
}

export interface ConversionPlannerDeps {
  links: LeadLinkRepository;
  linkService: LeadLinkService;
  companies: CompanyRepository;
  contacts: ContactRepository;
  companyService: CompanyService;
  contactService: ContactService;
  opportunityService: OpportunityService;
}

/** Validating a conversion request, and deciding (inside the transaction) which company and contact it yields. */
export function createConversionPlanner({
  links,
  linkService,
  companies,
  contacts,
  companyService,
  contactService,
  opportunityService,
}: ConversionPlannerDeps) {
  async function prepare(
    orgId: number,
    input: ConvertInput,
    trx?: Kysely<Database>,
  ): Promise<ConversionPlan> {
    const errors: FieldError[] = [];
    const plan: ConversionPlan = { input };
    if (input.company_id !== undefined && input.create_company !== undefined) {
      errors.push({ field: 'create_company', message: 'send company_id or create_company, not both' });
    } else if (
      input.company_id !== undefined &&
      (await companies.findLive(orgId, [input.company_id], trx)).length === 0
    ) {
      errors.push({
        field: 'company_id',
        message: `company ${input.company_id} does not exist in this organization`,
      });
    }
    if (input.contact_id !== undefined && input.create_contact !== undefined) {
      errors.push({ field: 'create_contact', message: 'send contact_id or create_contact, not both' });
    } else if (
      input.contact_id !== undefined &&
      (await contacts.findLive(orgId, [input.contact_id], trx)).length === 0
    ) {
      errors.push({
        field: 'contact_id',
        message: `contact ${input.contact_id} does not exist in this organization`,
      });
    }
    if (input.create_company)
      plan.company = await companyService.prepare(orgId, input.create_company, errors, 'create_company', trx);
    if (input.create_contact)
      plan.contact = await contactService.prepare(orgId, input.create_contact, errors, 'create_contact', trx);
    if (input.create_opportunity)
      plan.opportunity = await opportunityService.prepare(
        orgId,
        input.create_opportunity,
        errors,
        'create_opportunity',
        trx,
      );
    throwIfErrors(errors);
    return plan;
  }

  async function resolveCompany(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    plan: ConversionPlan,
  ) {
    const { input } = plan;
    if (input.company_id !== undefined) {
      const [c] = await companies.findLive(auth.orgId, [input.company_id], trx);
      if (!c)
        throw fieldError('company_id', `company ${input.company_id} does not exist in this organization`);
      return { row: c, created: false };
    }
    if (plan.company) {
      const cols = plan.company.cols;
      const name = (cols.name as string | undefined) ?? lead.company_name;
      if (!name)
        throw fieldError('create_company.name', 'is required: the lead has no company_name to take it from');
      const row = await linkService.createCompanyFromLead(
        trx,
        auth,
        lead,
        { ...cols, name, name_key: nameKey(name) } as Partial<CompanyRow>,
        plan.company.tags,
      );
      return { row, created: true };
    }
    if (lead.company_id) {
      const [linked] = await companies.findLive(auth.orgId, [lead.company_id], trx);
      if (linked) return { row: linked, created: false };
    }
    const matched = await linkService.matchCompany(trx, auth.orgId, lead);
    if (matched) return { row: matched, created: false };
    if (lead.company_name)
      return { row: await linkService.createCompanyFromLead(trx, auth, lead), created: true };
    return { row: null, created: false };
  }

  async function resolveContact(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    companyId: number | null,
    plan: ConversionPlan,
  ) {
    const { input } = plan;
    if (input.contact_id !== undefined) {
      const [c] = await contacts.findLive(auth.orgId, [input.contact_id], trx);
      if (!c)
        throw fieldError('contact_id', `contact ${input.contact_id} does not exist in this organization`);
      return { row: c, created: false };
    }
    if (plan.contact) {
      const row = await linkService.createContactFromLead(
        trx,
        auth,
        lead,
        companyId,
        plan.contact,
        input.create_contact ?? {},
        'create_contact',
      );
      return { row, created: true };
    }
    const linkedIds = (await links.contactIdsFor(auth.orgId, [lead.id], trx)).get(lead.id) ?? [];
    if (linkedIds.length) {
      const live = await contacts.findLive(auth.orgId, linkedIds, trx);
      const first = linkedIds.map((id) => live.find((c) => c.id === id)).find(Boolean);
      if (first) return { row: first, created: false };
    }
    const matched = lead.email
      ? await contactService.findByIdentifier(auth.orgId, 'email', lead.email, trx)
      : undefined;
    if (matched) return { row: matched, created: false };
    if (linkService.hasPerson(lead))
      return { row: await linkService.createContactFromLead(trx, auth, lead, companyId), created: true };
    return { row: null, created: false };
  }

  return { prepare, resolveCompany, resolveContact };
}
