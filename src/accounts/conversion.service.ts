import type { Insertable, Kysely } from 'kysely';
import type { Database, StatusHistoryTable } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow, LeadUpdate } from '../leads/lead.repository.js';
import type { LeadDto } from '../leads/lead.schema.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import type { CompanyRepository, CompanyRow } from './company.repository.js';
import type { ContactRepository, ContactRow } from './contact.repository.js';
import type { CompanyService } from './company.service.js';
import type { ContactService } from './contact.service.js';
import type { OpportunityService } from './opportunity.service.js';
import type { OpportunityRow } from './opportunity.repository.js';
import type { LeadLinkRepository } from './lead-link.repository.js';
import type { LeadLinkService } from './lead-link.service.js';
import type { ConvertInput } from './conversion.schema.js';
import { toOpportunityResponse } from './opportunity.schema.js';
import { createConversionPlanner, type ConversionPlan } from './conversion.plan.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { emitLeadEvent } from '../webhooks/events.js';

export type { ConversionPlan };

/** The pipeline's status rules (src/pipeline/status-rules.ts `plan`): what a status change sets and logs. */
export type PlanStatus = (
  trx: Kysely<Database>,
  orgId: number,
  userId: number | null,
  current: LeadRow,
  target: { status: string; note?: string | null; reason_id?: number | null },
) => Promise<{ set: LeadUpdate; history: Insertable<StatusHistoryTable> } | null>;

export interface ConversionDeps {
  db: Kysely<Database>;
  leads: LeadRepository;
  statuses: StatusRepository;
  links: LeadLinkRepository;
  linkService: LeadLinkService;
  companies: CompanyRepository;
  contacts: ContactRepository;
  companyService: CompanyService;
  contactService: ContactService;
  opportunityService: OpportunityService;
  planStatus: PlanStatus;
  presentLead: (orgId: number, rows: LeadRow[], opts?: TxOptions) => Promise<LeadDto[]>;
  /** 404 unless the caller may write this lead (agents reach only their own and their teams'). */
  assertLeadAccess: (auth: AuthContext, leadId: number, mode: 'write', opts?: TxOptions) => Promise<void>;
}

export interface ConversionResult {
  lead: LeadRow;
  company: CompanyRow | null;
  contact: ContactRow | null;
  opportunity: OpportunityRow | null;
  created: { company: boolean; contact: boolean; opportunity: boolean };
}

export function createConversionService(deps: ConversionDeps) {
  const { db, leads, statuses, links, companyService, contactService, opportunityService } = deps;
  const { prepare, resolveCompany, resolveContact } = createConversionPlanner(deps);

  function personName(lead: LeadRow): string | null {
    return [lead.first_name, lead.last_name].filter(Boolean).join(' ') || null;
  }

  /**
   * Converts inside the caller's transaction: company, contact, opportunity, then the lead itself. Any failure
   * (including the database refusing a second opportunity for the lead) rolls all of it back.
   */
  async function convertInTrx(
    trx: Kysely<Database>,
    auth: AuthContext,
    leadId: number,
    plan: ConversionPlan,
  ): Promise<ConversionResult> {
    const current = await leads.findById(auth.orgId, leadId, trx, true);
    if (!current || current.deleted_at) throw notFound('Lead', leadId);
    if (current.converted_at) {
      const into = [
        current.converted_company_id ? `company ${current.converted_company_id}` : null,
        current.converted_contact_id ? `contact ${current.converted_contact_id}` : null,
        current.converted_opportunity_id ? `opportunity ${current.converted_opportunity_id}` : null,
      ].filter(Boolean);
      throw new AppError(
        'conflict',
        `Lead ${leadId} was already converted at ${current.converted_at}${into.length ? ` into ${into.join(', ')}` : ''}.`,
      );
    }
    const company = await resolveCompany(trx, auth, current, plan);
    const contact = await resolveContact(trx, auth, current, company.row?.id ?? null, plan);
    let opportunity: OpportunityRow | null = null;
    if (plan.opportunity) {
      const o = plan.opportunity;
      opportunity = await opportunityService.insertPrepared(trx, auth, {
        name:
          o.name ??
          current.title ??
          `${company.row?.name ?? personName(current) ?? `Lead ${current.id}`} opportunity`,
        amount_cents: o.amount_cents !== undefined ? o.amount_cents : current.value_cents,
        currency: o.currency !== undefined ? o.currency : current.currency,
        probability: o.probability !== undefined ? o.probability : current.probability,
        close_date: o.close_date !== undefined ? o.close_date : current.expected_close_date,
        owner_id: o.owner_id !== undefined ? o.owner_id : current.owner_id,
        stage: o.stage,
        description: o.description ?? null,
        company_id: company.row?.id ?? null,
        contact_id: contact.row?.id ?? null,
        lead_id: current.id,
      });
    }

    const now = nowIso();
    const convertedStatus = (await statuses.listByOrg(auth.orgId, trx)).find(
      (s) => s.category === 'converted',
    );
    if (!convertedStatus) {
      throw new AppError(
        'unprocessable',
        'This organization has no status in the "converted" category; add one to convert leads.',
        [{ field: 'status', message: 'no status of category "converted" exists' }],
      );
    }
    // The pipeline's rules decide what the move sets and log it in the status history.
    const statusPlan = await deps.planStatus(trx, auth.orgId, auth.userId, current, {
      status: convertedStatus.key,
      note: plan.input.note ?? null,
      reason_id: plan.input.reason_id ?? null,
    });
    const set: LeadUpdate = {
      ...(statusPlan?.set ?? {}),
      company_id: company.row?.id ?? current.company_id,
      converted_at: now,
      converted_by: auth.userId,
      converted_company_id: company.row?.id ?? null,
      converted_contact_id: contact.row?.id ?? null,
      converted_opportunity_id: opportunity?.id ?? null,
      updated_at: now,
      updated_by: auth.userId,
    };
    const updated = await leads.updateVersioned(trx, auth.orgId, current.id, current.version, set);
    if (!updated)
      throw new AppError(
        'conflict',
        `Lead ${leadId} was changed by another request at the same time; try again.`,
      );
    if (statusPlan)
      await leads.insertStatusHistory(
        trx,
        statusPlan.history as Parameters<LeadRepository['insertStatusHistory']>[1],
      );
    if (contact.row) await links.addContact(trx, auth.orgId, current.id, contact.row.id, now);
    const changed = (['status_id', 'company_id', 'converted_at'] as const).filter(
      (k) => set[k] !== undefined && set[k] !== current[k],
    );
    await leads.insertFieldChanges(
      trx,
      changed.map((k) => ({
        org_id: auth.orgId,
        lead_id: current.id,
        field: k,
        old_value: JSON.stringify(current[k] ?? null),
        new_value: JSON.stringify(set[k] ?? null),
        changed_by: auth.userId,
        changed_at: now,
      })),
    );
    await emitLeadEvent(trx, auth.orgId, 'lead.converted', updated, {
      company_id: company.row?.id ?? null,
      contact_id: contact.row?.id ?? null,
      opportunity_id: opportunity?.id ?? null,
    });
    return {
      lead: updated,
      company: company.row,
      contact: contact.row,
      opportunity,
      created: { company: company.created, contact: contact.created, opportunity: opportunity !== null },
    };
  }

  return {
    prepare,
    convertInTrx,

    /** POST /leads/:id/convert: one transaction; a second conversion is a 409. */
    async convert(auth: AuthContext, leadId: number, input: ConvertInput, opts: TxOptions = {}) {
      await deps.assertLeadAccess(auth, leadId, 'write', opts);
      const q = runner(db, opts);
      const plan = await prepare(auth.orgId, input, q);
      const r = await inTransaction(db, opts, (trx) => convertInTrx(trx, auth, leadId, plan));
      const [lead, company, contact] = await Promise.all([
        deps.presentLead(auth.orgId, [r.lead], opts),
        r.company ? companyService.present(auth.orgId, [r.company], q) : Promise.resolve([null]),
        r.contact ? contactService.present(auth.orgId, [r.contact], q) : Promise.resolve([null]),
      ]);
      return {
        lead: lead[0],
        company: company[0],
        contact: contact[0],
        opportunity: r.opportunity ? toOpportunityResponse(r.opportunity) : null,
        created: r.created,
      };
    },
  };
}

export type ConversionService = ReturnType<typeof createConversionService>;
