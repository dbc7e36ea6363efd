import type { LeadContactSummary } from './lead-link.types.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { Policy } from '../access/policy.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { CompanyRepository } from './company.repository.js';
import type {
  ContactEmail,
  ContactRepository,
  ContactRow,
  ContactUpdate,
  IdentifierKind,
} from './contact.repository.js';
import {
  toContactResponse,
  type ContactCreateInput,
  type ContactDto,
  type ContactListQueryInput,
  type ContactPatchInput,
} from './contact.schema.js';
import { addressColumns, checkIfMatch, checkOwner, throwIfErrors, undelete } from './fields.js';
import { blankToNull, normalizeEmail, normalizeTagList, queryTerms, searchText } from './normalize.js';
import { finishPage, pageFrom } from './keyset.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

export interface ContactServiceDeps {
  db: Kysely<Database>;
  contacts: ContactRepository;
  companies: CompanyRepository;
  access: AccessRepository;
  /** Agent visibility (required: without it an agent would see every contact). */
  policy: Policy;
}

const TEXT = ['first_name', 'last_name', 'civility', 'job_title', 'description'] as const;
const CONSENTS = ['do_not_email', 'do_not_call', 'do_not_sms', 'do_not_contact'] as const;

/** A contact ready to insert inside another transaction; emails/tags undefined = unchanged (PATCH). */
export interface PreparedContact {
  cols: ContactUpdate;
  emails?: ContactEmail[];
  tags?: string[];
}

export function createContactService({ db, contacts, companies, access, policy }: ContactServiceDeps) {
  function searchOf(
    row: Pick<ContactRow, 'first_name' | 'last_name' | 'job_title' | 'phones'>,
    emails: ContactEmail[],
  ) {
    const phones = (JSON.parse(row.phones || '[]') as Array<{ phone: string }>).map((p) => p.phone);
    return searchText([
      row.first_name,
      row.last_name,
      row.job_title,
      ...emails.map((e) => e.email),
      ...phones,
      // Digits alone too, so "5550100" finds "+1 555-0100".
      ...phones.map((p) => p.replace(/\D/g, '')),
    ]);
  }

  /** Input to columns, collecting every problem; `field` prefixes error names (e.g. "create_contact"). */
  async function prepare(
    orgId: number,
    input: ContactPatchInput,
    errors: FieldError[],
    field = '',
    trx: Kysely<Database> = db,
  ): Promise<PreparedContact> {
    const p = field ? `${field}.` : '';
    const cols: ContactUpdate = {};
    for (const f of TEXT) if (input[f] !== undefined) cols[f] = blankToNull(input[f]);
    if (input.phones !== undefined) {
      cols.phones = JSON.stringify(
        input.phones.map((ph) => ({ phone: ph.phone.trim(), label: blankToNull(ph.label) })),
      );
    }
    Object.assign(cols, addressColumns(input.address, errors, `${p}address`));
    if (input.owner_id !== undefined) cols.owner_id = input.owner_id;
    if (input.customer_status !== undefined) cols.customer_status = input.customer_status;
    if (input.custom_fields !== undefined) cols.custom_fields = JSON.stringify(input.custom_fields);
    if (input.company_id !== undefined) {
      cols.company_id = input.company_id;
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
    await checkOwner(access, orgId, input.owner_id, `${p}owner_id`, errors, trx);
    let emails: ContactEmail[] | undefined;
    if (input.emails !== undefined) {
      const seen = new Set<string>();
      emails = [];
      for (const e of input.emails) {
        const email = normalizeEmail(e.email);
        if (!seen.has(email)) emails.push({ email, label: blankToNull(e.label) });
        seen.add(email);
      }
    }
    return { cols, emails, tags: input.tags !== undefined ? normalizeTagList(input.tags) : undefined };
  }

  /** Consent flags remember when each was turned on; turning one off clears its date. */
  function consentColumns(input: ContactPatchInput, current: ContactRow | null, now: string): ContactUpdate {
    const out: ContactUpdate = {};
    for (const f of CONSENTS) {
      // A date the client writes (seed 000 unsubscribe_*_date) turns the flag on from then; null turns it off.
      const at = input[`${f}_at`];
      if (at !== undefined && input[f] === undefined) {
        out[f] = at === null ? 0 : 1;
        out[`${f}_at`] = at === null ? null : new Date(at).toISOString();
        continue;
      }
      const v = input[f];
      if (v === undefined) continue;
      if (v && at) {
        out[f] = 1;
        out[`${f}_at`] = new Date(at).toISOString();
        continue;
      }
      const was = current ? current[f] === 1 : false;
      out[f] = v ? 1 : 0;
      if (v && !was) out[`${f}_at`] = now;
      if (!v) out[`${f}_at`] = null;
    }
    return out;
  }

  function checkIdentity(
    row: { first_name?: string | null; last_name?: string | null },
    emails: ContactEmail[],
    field = '',
  ) {
    if (!row.first_name && !row.last_name && emails.length === 0) {
      const f = field ? `${field}.first_name` : 'first_name';
      throw new AppError('unprocessable', 'A contact needs a first name, a last name or an email address.', [
        { field: f, message: 'a name or an email address is required' },
      ]);
    }
  }

  async function insertPrepared(
    trx: Kysely<Database>,
    auth: AuthContext,
    p: PreparedContact,
    consent: ContactPatchInput,
    fromLeadId: number | null = null,
    field = '',
  ): Promise<ContactRow> {
    const now = nowIso();
    const emails = p.emails ?? [];
    checkIdentity(p.cols, emails, field);
    const cols = { ...p.cols, ...consentColumns(consent, null, now) };
    const phones = (cols.phones as string | undefined) ?? '[]';
    const row = await contacts.insert(trx, {
      ...cols,
      org_id: auth.orgId,
      phones,
      custom_fields: (cols.custom_fields as string | undefined) ?? '{}',
      search_text: searchOf(
        {
          first_name: cols.first_name ?? null,
          last_name: cols.last_name ?? null,
          job_title: cols.job_title ?? null,
          phones,
        },
        emails,
      ),
      created_from_lead_id: fromLeadId,
      created_at: now,
      updated_at: now,
      created_by: auth.userId,
      updated_by: auth.userId,
      version: 1,
    } as Parameters<ContactRepository['insert']>[1]);
    await contacts.replaceEmails(trx, auth.orgId, row.id, emails, true);
    await contacts.replacePhones(trx, auth.orgId, row.id, JSON.parse(phones), true);
    await contacts.replaceTags(trx, auth.orgId, row.id, p.tags ?? [], true);
    return row;
  }

  async function present(
    orgId: number,
    rows: ContactRow[],
    trx: Kysely<Database> = db,
  ): Promise<ContactDto[]> {
    const ids = rows.map((r) => r.id);
    const [emails, tags] = await Promise.all([
      contacts.emailsFor(orgId, ids, trx),
      contacts.tagsFor(orgId, ids, trx),
    ]);
    return rows.map((r) => toContactResponse(r, emails.get(r.id) ?? [], tags.get(r.id) ?? []));
  }

  async function loadLive(orgId: number, id: number, trx: Kysely<Database> = db): Promise<ContactRow> {
    const row = await contacts.findById(orgId, id, trx);
    if (!row || row.deleted_at) throw notFound('Contact', id);
    return row;
  }

  const visibleFor = (auth: AuthContext) => {
    const u = policy.restrictedTo(auth);
    return u === undefined
      ? undefined
      : (eb: Parameters<typeof policy.accountVisible<'contact'>>[1]) =>
          policy.accountVisible('contact', eb, auth.orgId, u);
  };

  /** A company the agent may not see reads as one that does not exist (same message as prepare's). */
  async function hideCompany(
    auth: AuthContext,
    companyId: number | null | undefined,
    errors: FieldError[],
    trx: Kysely<Database>,
  ) {
    if (companyId === undefined || companyId === null || errors.some((e) => e.field === 'company_id')) return;
    if ((await policy.hiddenAccounts(auth, 'company', [companyId], trx)).length)
      errors.push({
        field: 'company_id',
        message: `company ${companyId} does not exist in this organization`,
      });
  }

  const identifierValue = (kind: IdentifierKind, value: string) =>
    kind === 'email' ? normalizeEmail(value) : value.replace(/\D/g, '');

  /**
   * Find-or-create by identifier, race-free (docs/decisions.md, "Unique keys instead of check-then-create"):
   * inside `trx`, claim the identifier (an upsert on its unique key), then return the contact it is settled on,
   * else the oldest live contact with it, else the one `create` makes (none: null, nothing settled).
   */
  async function resolveIdentifier(
    trx: Kysely<Database>,
    auth: AuthContext,
    kind: IdentifierKind,
    value: string,
    create?: () => Promise<ContactRow | null>,
  ): Promise<{ row: ContactRow; created: boolean } | null> {
    const v = identifierValue(kind, value);
    if (v === '') return null;
    const claimed = await contacts.claimIdentifier(trx, auth.orgId, kind, v);
    if (claimed !== null) {
      const [live] = await contacts.findLive(auth.orgId, [claimed], trx);
      if (live) return { row: live, created: false };
    }
    const found =
      kind === 'email'
        ? await contacts.findByEmail(auth.orgId, v, trx)
        : await contacts.findByPhoneDigits(auth.orgId, v, trx);
    const row = found ?? (create ? await create() : null);
    if (!row) return null;
    await contacts.settleIdentifier(trx, auth.orgId, kind, v, row.id);
    return { row, created: !found };
  }

  /** A read, no claim: the contact find-or-create would return now, if any. */
  async function findByIdentifier(
    orgId: number,
    kind: IdentifierKind,
    value: string,
    trx: Kysely<Database> = db,
  ): Promise<ContactRow | undefined> {
    const v = identifierValue(kind, value);
    if (v === '') return undefined;
    return (
      (await contacts.findClaimed(orgId, kind, v, trx)) ??
      (kind === 'email'
        ? await contacts.findByEmail(orgId, v, trx)
        : await contacts.findByPhoneDigits(orgId, v, trx))
    );
  }

  return {
    present,
    prepare,
    insertPrepared,
    resolveIdentifier,
    findByIdentifier,

    /**
     * The customer behind an identifier, created when there is none (a customer known only by a number gets it
     * as their last name, since a contact needs a name or an email), in the caller's unit of work.
     */
    async findOrCreateByIdentifier(
      auth: AuthContext,
      kind: IdentifierKind,
      value: string,
      opts: TxOptions = {},
    ): Promise<{ id: number; created: boolean; summary: LeadContactSummary | null }> {
      assertCan(auth, 'leads:write');
      const v = value.trim();
      const out = await inTransaction(db, opts, (trx) =>
        resolveIdentifier(trx, auth, kind, v, () =>
          insertPrepared(
            trx,
            auth,
            kind === 'email'
              ? { cols: {}, emails: [{ email: normalizeEmail(v), label: null }] }
              : { cols: { last_name: v, phones: JSON.stringify([{ phone: v, label: 'mobile' }]) } },
            {},
          ),
        ),
      );
      if (!out)
        throw new AppError('unprocessable', `"${v}" is not a usable ${kind}.`, [
          { field: kind, message: 'is empty' },
        ]);
      // A contact made here is known as written (a lead linking it shows it without reading it back).
      const summary: LeadContactSummary | null = out.created
        ? {
            id: out.row.id,
            first_name: out.row.first_name,
            last_name: out.row.last_name,
            email: kind === 'email' ? normalizeEmail(v) : null,
            customer_status: out.row.customer_status ?? 'prospect',
          }
        : null;
      return { id: out.row.id, created: out.created, summary };
    },

    async create(auth: AuthContext, input: ContactCreateInput, opts: TxOptions = {}): Promise<ContactDto> {
      assertCan(auth, 'leads:write');
      const errors: FieldError[] = [];
      const prepared = await prepare(auth.orgId, input, errors, '', runner(db, opts));
      await hideCompany(auth, input.company_id, errors, runner(db, opts));
      throwIfErrors(errors);
      const row = await inTransaction(db, opts, (trx) => insertPrepared(trx, auth, prepared, input));
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    async get(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<ContactDto> {
      const q = runner(db, opts);
      await policy.assertVisible(auth, 'leads:read', 'contact', id, q);
      return (await present(auth.orgId, [await loadLive(auth.orgId, id, q)], q))[0];
    },

    async update(
      auth: AuthContext,
      id: number,
      input: ContactPatchInput,
      ifMatch?: string,
      opts: TxOptions = {},
    ): Promise<ContactDto> {
      await policy.assertVisible(auth, 'leads:write', 'contact', id, runner(db, opts));
      const errors: FieldError[] = [];
      const p = await prepare(auth.orgId, input, errors, '', runner(db, opts));
      await hideCompany(auth, input.company_id, errors, runner(db, opts));
      throwIfErrors(errors);
      const row = await inTransaction(db, opts, async (trx) => {
        const current = await loadLive(auth.orgId, id, trx);
        checkIfMatch('Contact', current, ifMatch);
        const now = nowIso();
        const emails = p.emails ?? (await contacts.emailsFor(auth.orgId, [id], trx)).get(id) ?? [];
        const merged = { ...current, ...p.cols };
        checkIdentity(merged, emails);
        const updated = await contacts.updateVersioned(trx, auth.orgId, id, current.version, {
          ...p.cols,
          ...consentColumns(input, current, now),
          search_text: searchOf(merged, emails),
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!updated)
          throw new AppError(
            'conflict',
            `Contact ${id} was changed by another request at the same time; try again.`,
          );
        if (p.emails !== undefined) await contacts.replaceEmails(trx, auth.orgId, id, p.emails);
        if (p.cols.phones !== undefined)
          await contacts.replacePhones(trx, auth.orgId, id, JSON.parse(p.cols.phones as string));
        if (p.tags !== undefined) await contacts.replaceTags(trx, auth.orgId, id, p.tags);
        return updated;
      });
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    async remove(auth: AuthContext, id: number, ifMatch?: string, opts: TxOptions = {}): Promise<void> {
      await inTransaction(db, opts, async (trx) => {
        await policy.assertVisible(auth, 'leads:delete', 'contact', id, trx);
        const current = await loadLive(auth.orgId, id, trx);
        checkIfMatch('Contact', current, ifMatch);
        const now = nowIso();
        const ok = await contacts.updateVersioned(trx, auth.orgId, id, current.version, {
          deleted_at: now,
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!ok)
          throw new AppError(
            'conflict',
            `Contact ${id} was changed by another request at the same time; try again.`,
          );
      });
    },

    /** Undoes a delete: the contact shows again in lists and wherever it was linked (its links were kept). */
    async restore(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<ContactDto> {
      const row = await inTransaction(db, opts, async (trx) => {
        await policy.assertVisible(auth, 'leads:delete', 'contact', id, trx);
        const current = await contacts.findById(auth.orgId, id, trx);
        return undelete('Contact', id, current, auth.userId, (version, set) =>
          contacts.updateVersioned(trx, auth.orgId, id, version, set),
        );
      });
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    async list(auth: AuthContext, query: ContactListQueryInput) {
      assertCan(auth, 'leads:read');
      const page = pageFrom(query, { created_at: 'created_at', updated_at: 'updated_at' });
      const terms = query.q !== undefined && query.q.trim() !== '' ? queryTerms(query.q) : undefined;
      const rows = await contacts.list(
        auth.orgId,
        {
          companyId: query.company_id,
          ownerId: query.owner_id,
          email: query.email !== undefined ? normalizeEmail(query.email) : undefined,
          phoneDigits: query.phone !== undefined ? query.phone.replace(/\D/g, '') : undefined,
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

export type ContactService = ReturnType<typeof createContactService>;
