import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { Policy } from '../access/policy.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { CompanyRepository, CompanyRow, CompanyUpdate } from './company.repository.js';
import {
  toCompanyResponse,
  type CompanyCreateInput,
  type CompanyDto,
  type CompanyListQueryInput,
  type CompanyPatchInput,
} from './company.schema.js';
import { addressColumns, checkIfMatch, checkOwner, throwIfErrors, undelete } from './fields.js';
import {
  blankToNull,
  domainFromWebsite,
  nameKey,
  normalizeDomain,
  normalizeTagList,
  queryTerms,
  searchText,
} from './normalize.js';
import { finishPage, pageFrom } from './keyset.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

export interface CompanyServiceDeps {
  db: Kysely<Database>;
  companies: CompanyRepository;
  access: AccessRepository;
  /** Agent visibility (required: without it an agent would see every company). */
  policy: Policy;
}

const TEXT = ['industry', 'website', 'phone', 'description'] as const;

/** A company ready to insert: validated columns and tags (built before any transaction opens). */
export interface PreparedCompany {
  cols: CompanyUpdate;
  /** Undefined when none were sent (a conversion then copies the lead's). */
  tags?: string[];
}

export function createCompanyService({ db, companies, access, policy }: CompanyServiceDeps) {
  function searchOf(row: Pick<CompanyRow, 'name' | 'domain' | 'website' | 'phone' | 'email'>) {
    return searchText([
      row.name,
      row.domain,
      row.website,
      row.phone,
      row.phone?.replace(/\D/g, ''),
      row.email,
    ]);
  }

  /** Input to columns, collecting every problem; `field` prefixes error names (e.g. "create_company"). */
  async function toColumns(
    orgId: number,
    input: CompanyPatchInput,
    errors: FieldError[],
    field = '',
    trx: Kysely<Database> = db,
  ): Promise<CompanyUpdate> {
    const p = field ? `${field}.` : '';
    const set: CompanyUpdate = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) errors.push({ field: `${p}name`, message: 'must not be blank' });
      set.name = name;
      set.name_key = nameKey(name);
    }
    for (const f of TEXT) if (input[f] !== undefined) set[f] = blankToNull(input[f]);
    if (input.email !== undefined) set.email = input.email === null ? null : input.email.trim().toLowerCase();
    if (input.domain !== undefined) {
      if (input.domain === null || input.domain.trim() === '') set.domain = null;
      else {
        const d = normalizeDomain(input.domain);
        if (!d) errors.push({ field: `${p}domain`, message: 'must be a host name such as "acme.com"' });
        else set.domain = d;
      }
    } else if (input.website !== undefined) {
      // The domain follows the website unless given: it is what lead emails are matched on.
      set.domain = domainFromWebsite(input.website);
    }
    Object.assign(set, addressColumns(input.address, errors, `${p}address`));
    if (input.owner_id !== undefined) set.owner_id = input.owner_id;
    if (input.customer_status !== undefined) set.customer_status = input.customer_status;
    if (input.custom_fields !== undefined) set.custom_fields = JSON.stringify(input.custom_fields);
    await checkOwner(access, orgId, input.owner_id, `${p}owner_id`, errors, trx);
    return set;
  }

  async function present(
    orgId: number,
    rows: CompanyRow[],
    trx: Kysely<Database> = db,
  ): Promise<CompanyDto[]> {
    const tags = await companies.tagsFor(
      orgId,
      rows.map((r) => r.id),
      trx,
    );
    return rows.map((r) => toCompanyResponse(r, tags.get(r.id) ?? []));
  }

  async function loadLive(orgId: number, id: number, trx: Kysely<Database> = db): Promise<CompanyRow> {
    const row = await companies.findById(orgId, id, trx);
    if (!row || row.deleted_at) throw notFound('Company', id);
    return row;
  }

  /**
   * Validates a company to create later inside someone else's transaction (conversion, lead links); the name
   * may be left for the caller to fill in (from the lead).
   */
  async function prepare(
    orgId: number,
    input: CompanyPatchInput,
    errors: FieldError[],
    field = '',
    trx: Kysely<Database> = db,
  ): Promise<PreparedCompany> {
    const cols = await toColumns(orgId, input, errors, field, trx);
    return { cols, tags: input.tags !== undefined ? normalizeTagList(input.tags) : undefined };
  }

  async function insertPrepared(
    trx: Kysely<Database>,
    auth: AuthContext,
    p: PreparedCompany,
    fromLeadId: number | null = null,
  ): Promise<CompanyRow> {
    const now = nowIso();
    const c = p.cols;
    const row = await companies.insert(trx, {
      ...c,
      org_id: auth.orgId,
      name: c.name!,
      name_key: c.name_key!,
      custom_fields: (c.custom_fields as string | undefined) ?? '{}',
      search_text: searchOf({
        name: c.name!,
        domain: c.domain ?? null,
        website: c.website ?? null,
        phone: c.phone ?? null,
        email: c.email ?? null,
      }),
      created_from_lead_id: fromLeadId,
      created_at: now,
      updated_at: now,
      created_by: auth.userId,
      updated_by: auth.userId,
      version: 1,
    } as Parameters<CompanyRepository['insert']>[1]);
    await companies.replaceTags(trx, auth.orgId, row.id, p.tags ?? [], true);
    return row;
  }

  const visibleFor = (auth: AuthContext) => {
    const u = policy.restrictedTo(auth);
    return u === undefined
      ? undefined
      : (eb: Parameters<typeof policy.accountVisible<'company'>>[1]) =>
          policy.accountVisible('company', eb, auth.orgId, u);
  };

  return {
    present,

    prepare,
    insertPrepared,

    async create(auth: AuthContext, input: CompanyCreateInput, opts: TxOptions = {}): Promise<CompanyDto> {
      assertCan(auth, 'leads:write');
      const errors: FieldError[] = [];
      const prepared = await prepare(auth.orgId, input, errors, '', runner(db, opts));
      throwIfErrors(errors);
      const row = await inTransaction(db, opts, (trx) => insertPrepared(trx, auth, prepared));
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    async get(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<CompanyDto> {
      const q = runner(db, opts);
      await policy.assertVisible(auth, 'leads:read', 'company', id, q);
      return (await present(auth.orgId, [await loadLive(auth.orgId, id, q)], q))[0];
    },

    async update(
      auth: AuthContext,
      id: number,
      input: CompanyPatchInput,
      ifMatch?: string,
      opts: TxOptions = {},
    ): Promise<CompanyDto> {
      await policy.assertVisible(auth, 'leads:write', 'company', id, runner(db, opts));
      const errors: FieldError[] = [];
      const cols = await toColumns(auth.orgId, input, errors, '', runner(db, opts));
      throwIfErrors(errors);
      const row = await inTransaction(db, opts, async (trx) => {
        const current = await loadLive(auth.orgId, id, trx);
        checkIfMatch('Company', current, ifMatch);
        const merged = { ...current, ...cols };
        const updated = await companies.updateVersioned(trx, auth.orgId, id, current.version, {
          ...cols,
          search_text: searchOf(merged),
          updated_at: nowIso(),
          updated_by: auth.userId,
        });
        if (!updated)
          throw new AppError(
            'conflict',
            `Company ${id} was changed by another request at the same time; try again.`,
          );
        if (input.tags !== undefined)
          await companies.replaceTags(trx, auth.orgId, id, normalizeTagList(input.tags));
        return updated;
      });
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    /** Soft delete: leads, contacts and opportunities keep their link for history, but it no longer shows. */
    async remove(auth: AuthContext, id: number, ifMatch?: string, opts: TxOptions = {}): Promise<void> {
      await inTransaction(db, opts, async (trx) => {
        await policy.assertVisible(auth, 'leads:delete', 'company', id, trx);
        const current = await loadLive(auth.orgId, id, trx);
        checkIfMatch('Company', current, ifMatch);
        const now = nowIso();
        const ok = await companies.updateVersioned(trx, auth.orgId, id, current.version, {
          deleted_at: now,
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!ok)
          throw new AppError(
            'conflict',
            `Company ${id} was changed by another request at the same time; try again.`,
          );
      });
    },

    /** Undoes a delete: the company shows again in lists and wherever it was linked (its links were kept). */
    async restore(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<CompanyDto> {
      const row = await inTransaction(db, opts, async (trx) => {
        await policy.assertVisible(auth, 'leads:delete', 'company', id, trx);
        const current = await companies.findById(auth.orgId, id, trx);
        return undelete('Company', id, current, auth.userId, (version, set) =>
          companies.updateVersioned(trx, auth.orgId, id, version, set),
        );
      });
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    async list(auth: AuthContext, query: CompanyListQueryInput) {
      assertCan(auth, 'leads:read');
      const page = pageFrom(query, { created_at: 'created_at', updated_at: 'updated_at', name: 'name_key' });
      const terms = query.q !== undefined && query.q.trim() !== '' ? queryTerms(query.q) : undefined;
      const domain =
        query.domain !== undefined
          ? (normalizeDomain(query.domain) ?? query.domain.trim().toLowerCase())
          : undefined;
      const rows = await companies.list(
        auth.orgId,
        {
          industry: query.industry,
          ownerId: query.owner_id,
          domain,
          tag: query.tag,
          terms,
          visible: visibleFor(auth),
        },
        page,
      );
      const { items, next_cursor } = finishPage(rows, page);
      return { data: await present(auth.orgId, items), next_cursor };
    },
  };
}

export type CompanyService = ReturnType<typeof createCompanyService>;
