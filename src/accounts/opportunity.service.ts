import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { Policy } from '../access/policy.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { LeadRepository } from '../leads/lead.repository.js';
import { parseMoney } from '../lib/money.js';
import type { CompanyRepository } from './company.repository.js';
import type { ContactRepository } from './contact.repository.js';
import type { OpportunityRepository, OpportunityRow, OpportunityUpdate } from './opportunity.repository.js';
import {
  STAGES,
  toOpportunityResponse,
  type OpportunityCreateInput,
  type OpportunityDto,
  type OpportunityListQueryInput,
  type OpportunityPatchInput,
} from './opportunity.schema.js';
import { checkIfMatch, checkOwner, throwIfErrors, undelete } from './fields.js';
import { blankToNull, isUniqueViolation, queryTerms, searchText } from './normalize.js';
import { finishPage, pageFrom } from './keyset.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

export interface OpportunityServiceDeps {
  db: Kysely<Database>;
  opportunities: OpportunityRepository;
  companies: CompanyRepository;
  contacts: ContactRepository;
  leads: LeadRepository;
  access: AccessRepository;
  /** Agent visibility (required: without it an agent would see every opportunity and its amount). */
  policy: Policy;
}

export function createOpportunityService({
  db,
  opportunities,
  companies,
  contacts,
  leads,
  access,
  policy,
}: OpportunityServiceDeps) {
  /** Input to columns, collecting every problem; `field` prefixes error names (e.g. "create_opportunity"). */
  async function prepare(
    orgId: number,
    input: OpportunityPatchInput,
    errors: FieldError[],
    field = '',
    trx: Kysely<Database> = db,
  ): Promise<OpportunityUpdate> {
    const p = field ? `${field}.` : '';
    const set: OpportunityUpdate = {};
    if (input.name !== undefined) {
      set.name = input.name.trim();
      if (!set.name) errors.push({ field: `${p}name`, message: 'must not be blank' });
    }
    if (input.amount !== undefined) {
      if (input.amount === null || input.amount === '') set.amount_cents = null;
      else {
        const cents = parseMoney(input.amount);
        if (cents === null)
          errors.push({
            field: `${p}amount`,
            message: 'must be a decimal amount with at most 2 decimals, e.g. "75000.00"',
          });
        else set.amount_cents = cents;
      }
    }
    if (input.currency !== undefined)
      set.currency = input.currency === null ? null : input.currency.toUpperCase();
    if (input.stage !== undefined) {
      if ((STAGES as readonly string[]).includes(input.stage)) set.stage = input.stage;
      else errors.push({ field: `${p}stage`, message: `must be one of: ${STAGES.join(', ')}` });
    }
    if (input.probability !== undefined) set.probability = input.probability;
    if (input.close_date !== undefined) set.close_date = input.close_date;
    if (input.description !== undefined) set.description = blankToNull(input.description);
    if (input.owner_id !== undefined) set.owner_id = input.owner_id;
    await checkOwner(access, orgId, input.owner_id, `${p}owner_id`, errors, trx);
    // Another organization's id reads as "does not exist": never a 403, never a hint that it exists.
    if (input.company_id !== undefined) {
      set.company_id = input.company_id;
      if (
        input.company_id !== null &&
        (await companies.findLive(orgId, [input.company_id], trx)).length === 0
      ) {
        errors.push({
          field: `${p}company_id`,
          message: `company ${input.company_id} does not exist in this organization`,
        });
      }
    }
    if (input.contact_id !== undefined) {
      set.contact_id = input.contact_id;
      if (
        input.contact_id !== null &&
        (await contacts.findLive(orgId, [input.contact_id], trx)).length === 0
      ) {
        errors.push({
          field: `${p}contact_id`,
          message: `contact ${input.contact_id} does not exist in this organization`,
        });
      }
    }
    if (input.lead_id !== undefined) {
      set.lead_id = input.lead_id;
      if (input.lead_id !== null) {
        const lead = await leads.findById(orgId, input.lead_id, trx);
        if (!lead || lead.deleted_at)
          errors.push({
            field: `${p}lead_id`,
            message: `lead ${input.lead_id} does not exist in this organization`,
          });
      }
    }
    return set;
  }

  function leadTaken(leadId: number | null | undefined): AppError {
    return new AppError(
      'conflict',
      `Lead ${leadId} already has an opportunity; a lead becomes at most one opportunity.`,
      [{ field: 'lead_id', message: 'already has an opportunity' }],
    );
  }

  /** Inserts inside the caller's transaction; the unique index on (org_id, lead_id) answers races with a 409. */
  async function insertPrepared(
    trx: Kysely<Database>,
    auth: AuthContext,
    cols: OpportunityUpdate,
  ): Promise<OpportunityRow> {
    const now = nowIso();
    try {
      return await opportunities.insert(trx, {
        ...cols,
        org_id: auth.orgId,
        name: cols.name!,
        stage: (cols.stage as string | undefined) ?? STAGES[0],
        search_text: searchText([cols.name as string]),
        created_at: now,
        updated_at: now,
        created_by: auth.userId,
        updated_by: auth.userId,
        version: 1,
      } as Parameters<OpportunityRepository['insert']>[1]);
    } catch (err) {
      if (isUniqueViolation(err)) throw leadTaken(cols.lead_id as number | null);
      throw err;
    }
  }

  const visibleFor = (auth: AuthContext) => {
    const u = policy.restrictedTo(auth);
    return u === undefined
      ? undefined
      : (eb: Parameters<typeof policy.accountVisible<'opportunity'>>[1]) =>
          policy.accountVisible('opportunity', eb, auth.orgId, u);
  };

  /**
   * A lead, company or contact the agent may not see reads as one that does not exist (the same message as
   * prepare's), so attaching to it tells nothing about it.
   */
  async function hideLinks(
    auth: AuthContext,
    input: OpportunityPatchInput,
    errors: FieldError[],
    trx: Kysely<Database>,
  ) {
    if (policy.restrictedTo(auth) === undefined) return;
    const checks = [
      ['lead_id', 'lead', input.lead_id],
      ['company_id', 'company', input.company_id],
      ['contact_id', 'contact', input.contact_id],
    ] as const;
    for (const [field, kind, id] of checks) {
      if (id === undefined || id === null || errors.some((e) => e.field === field)) continue;
      const hidden =
        kind === 'lead'
          ? await policy.hiddenLeads(auth, [id], trx)
          : await policy.hiddenAccounts(auth, kind, [id], trx);
      if (hidden.length) errors.push({ field, message: `${kind} ${id} does not exist in this organization` });
    }
  }

  async function loadLive(orgId: number, id: number, trx: Kysely<Database> = db): Promise<OpportunityRow> {
    const row = await opportunities.findById(orgId, id, trx);
    if (!row || row.deleted_at) throw notFound('Opportunity', id);
    return row;
  }

  return {
    prepare,
    insertPrepared,

    async create(
      auth: AuthContext,
      input: OpportunityCreateInput,
      opts: TxOptions = {},
    ): Promise<OpportunityDto> {
      assertCan(auth, 'leads:write');
      const errors: FieldError[] = [];
      const cols = await prepare(auth.orgId, input, errors, '', runner(db, opts));
      await hideLinks(auth, input, errors, runner(db, opts));
      throwIfErrors(errors);
      return toOpportunityResponse(await inTransaction(db, opts, (trx) => insertPrepared(trx, auth, cols)));
    },

    async get(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<OpportunityDto> {
      await policy.assertVisible(auth, 'leads:read', 'opportunity', id, runner(db, opts));
      return toOpportunityResponse(await loadLive(auth.orgId, id, runner(db, opts)));
    },

    async update(
      auth: AuthContext,
      id: number,
      input: OpportunityPatchInput,
      ifMatch?: string,
      opts: TxOptions = {},
    ): Promise<OpportunityDto> {
      await policy.assertVisible(auth, 'leads:write', 'opportunity', id, runner(db, opts));
      const errors: FieldError[] = [];
      const cols = await prepare(auth.orgId, input, errors, '', runner(db, opts));
      await hideLinks(auth, input, errors, runner(db, opts));
      throwIfErrors(errors);
      const row = await inTransaction(db, opts, async (trx) => {
        const current = await loadLive(auth.orgId, id, trx);
        checkIfMatch('Opportunity', current, ifMatch);
        try {
          const updated = await opportunities.updateVersioned(trx, auth.orgId, id, current.version, {
            ...cols,
            search_text: searchText([(cols.name as string | undefined) ?? current.name]),
            updated_at: nowIso(),
            updated_by: auth.userId,
          });
          if (!updated)
            throw new AppError(
              'conflict',
              `Opportunity ${id} was changed by another request at the same time; try again.`,
            );
          return updated;
        } catch (err) {
          if (isUniqueViolation(err)) throw leadTaken(cols.lead_id as number | null);
          throw err;
        }
      });
      return toOpportunityResponse(row);
    },

    async remove(auth: AuthContext, id: number, ifMatch?: string, opts: TxOptions = {}): Promise<void> {
      await inTransaction(db, opts, async (trx) => {
        await policy.assertVisible(auth, 'leads:delete', 'opportunity', id, trx);
        const current = await loadLive(auth.orgId, id, trx);
        checkIfMatch('Opportunity', current, ifMatch);
        const now = nowIso();
        const ok = await opportunities.updateVersioned(trx, auth.orgId, id, current.version, {
          deleted_at: now,
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!ok)
          throw new AppError(
            'conflict',
            `Opportunity ${id} was changed by another request at the same time; try again.`,
          );
      });
    },

    /** Undoes a delete: the opportunity shows again in lists and wherever it was linked (its links were kept). */
    async restore(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<OpportunityDto> {
      const row = await inTransaction(db, opts, async (trx) => {
        await policy.assertVisible(auth, 'leads:delete', 'opportunity', id, trx);
        const current = await opportunities.findById(auth.orgId, id, trx);
        return undelete('Opportunity', id, current, auth.userId, async (version, set) => {
          try {
            return await opportunities.updateVersioned(trx, auth.orgId, id, version, set);
          } catch (err) {
            // The lead became another opportunity meanwhile: a lead is at most one live opportunity.
            if (isUniqueViolation(err)) throw leadTaken(current!.lead_id);
            throw err;
          }
        });
      });
      return toOpportunityResponse(row);
    },

    async list(auth: AuthContext, query: OpportunityListQueryInput) {
      assertCan(auth, 'leads:read');
      let stages: string[] | undefined;
      if (query.stage !== undefined) {
        stages = query.stage
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        // `?stage=` (empty) means no filter: `IN ()` is a syntax error on PostgreSQL.
        if (stages.length === 0) stages = undefined;
        const unknown = (stages ?? []).filter((s) => !(STAGES as readonly string[]).includes(s));
        if (unknown.length)
          throwIfErrors([
            {
              field: 'stage',
              message: `unknown stage ${unknown.map((s) => `"${s}"`).join(', ')} (one of: ${STAGES.join(', ')})`,
            },
          ]);
      }
      const page = pageFrom(query, { created_at: 'created_at', updated_at: 'updated_at' });
      const terms = query.q !== undefined && query.q.trim() !== '' ? queryTerms(query.q) : undefined;
      const rows = await opportunities.list(
        auth.orgId,
        {
          stages,
          companyId: query.company_id,
          contactId: query.contact_id,
          leadId: query.lead_id,
          visible: visibleFor(auth),
          ownerId: query.owner_id,
          terms,
        },
        page,
      );
      const { items, next_cursor } = finishPage(rows, page);
      return { data: items.map(toOpportunityResponse), next_cursor };
    },
  };
}

export type OpportunityService = ReturnType<typeof createOpportunityService>;
