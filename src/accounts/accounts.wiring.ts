import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../db/schema.js';
import type { TxOptions } from '../db/unit-of-work.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { AuthContext } from '../access/roles.js';
import type { Policy } from '../access/policy.js';
import type { LeadRepository, LeadRow } from '../leads/lead.repository.js';
import type { LeadDto } from '../leads/lead.schema.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import { createCompanyRepository } from './company.repository.js';
import { createContactRepository } from './contact.repository.js';
import { createOpportunityRepository } from './opportunity.repository.js';
import { createLeadLinkRepository } from './lead-link.repository.js';
import { createCompanyService } from './company.service.js';
import { createContactService } from './contact.service.js';
import { createOpportunityService } from './opportunity.service.js';
import { createLeadLinkService } from './lead-link.service.js';
import { createConversionService, type PlanStatus } from './conversion.service.js';
import { createLeadHooks } from './lead-hooks.js';
import { companyRoutes } from './company.routes.js';
import { contactRoutes } from './contact.routes.js';
import { opportunityRoutes } from './opportunity.routes.js';
import { conversionRoutes } from './conversion.routes.js';
import { CompanyResponse } from './company.schema.js';
import { ContactResponse } from './contact.schema.js';
import { OpportunityResponse } from './opportunity.schema.js';

export interface AccountsDeps {
  db: Kysely<Database>;
  leads: LeadRepository;
  statuses: StatusRepository;
  access: AccessRepository;
  planStatus: PlanStatus;
  /** The one access policy (src/access/policy.ts): agent visibility of companies, contacts, opportunities. */
  policy: Policy;
}

/** What conversion needs of leads: values built before it (src/leads/lead-presenter.ts, lead-guard.ts). */
export interface AccountsLeadDeps {
  presentLead: (orgId: number, rows: LeadRow[], opts?: TxOptions) => Promise<LeadDto[]>;
  assertLeadAccess: (auth: AuthContext, leadId: number, mode: 'write', opts?: TxOptions) => Promise<void>;
}

/**
 * Companies, contacts, opportunities and conversion, wired by hand like the rest of buildApp, in two steps with
 * no late binding: `buildAccounts` makes the account services and the link describer (which the lead presenter
 * takes), then `withLeads({ presentLead, assertLeadAccess })` makes conversion and the lead hooks (which the lead
 * service takes).
 */
export function buildAccounts({ db, leads, statuses, access, planStatus, policy }: AccountsDeps) {
  const companies = createCompanyRepository(db);
  const contacts = createContactRepository(db);
  const opportunities = createOpportunityRepository(db);
  const links = createLeadLinkRepository(db);
  const companyService = createCompanyService({ db, companies, access, policy });
  const contactService = createContactService({ db, contacts, companies, access, policy });
  const opportunityService = createOpportunityService({
    db,
    opportunities,
    companies,
    contacts,
    leads,
    access,
    policy,
  });
  const linkService = createLeadLinkService({
    db,
    links,
    companies,
    contacts,
    leads,
    companyService,
    contactService,
  });
  function withLeads({ presentLead, assertLeadAccess }: AccountsLeadDeps) {
    const conversion = createConversionService({
      db,
      leads,
      statuses,
      links,
      linkService,
      companies,
      contacts,
      companyService,
      contactService,
      opportunityService,
      planStatus,
      presentLead,
      assertLeadAccess,
    });
    const routes: FastifyPluginAsyncTypebox = async (app) => {
      app.addSchema(CompanyResponse);
      app.addSchema(ContactResponse);
      app.addSchema(OpportunityResponse);
      await app.register(companyRoutes(companyService));
      await app.register(contactRoutes(contactService));
      await app.register(opportunityRoutes(opportunityService));
      await app.register(conversionRoutes(conversion));
    };
    return {
      companyService,
      contactService,
      opportunityService,
      conversion,
      leadHooks: createLeadHooks(linkService, conversion, leads),
      routes,
    };
  }
  return {
    companyService,
    contactService,
    opportunityService,
    /** What a lead response shows of its company and contacts: the lead presenter's input. */
    describeLinks: (orgId: number, rows: LeadRow[], trx: Kysely<Database>) =>
      linkService.describe(orgId, rows, trx),
    withLeads,
  };
}
