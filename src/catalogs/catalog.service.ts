import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import type { CatalogEntryRow, CatalogRepository, LeadTypeRow } from './catalog.repository.js';
import { CATALOG_KINDS, type CatalogKind } from './catalog.tables.js';
import { completionDate, estimateFor, type EstimatedCompletion } from './estimated-completion.js';
import { findOrgTimeZone } from './time-zone.js';

export interface CatalogEntryDto {
  id: number;
  name: string;
  alternative_code: string | null;
  position: number;
}
export interface CatalogEntryInput {
  name?: string;
  alternative_code?: string | null;
  position?: number;
}
export interface LeadTypeDto {
  id: number;
  name: string;
  alternative_code: string | null;
  default_status: string | null;
  default_category_id: number | null;
  allowed_statuses: string[] | null;
  communication: { email_required: boolean; phone_required: boolean };
  lock_when_closed: boolean;
}
export interface LeadTypeInput {
  name?: string;
  alternative_code?: string | null;
  default_status?: string | null;
  default_category_id?: number | null;
  allowed_statuses?: string[] | null;
  communication?: { email_required?: boolean; phone_required?: boolean };
  lock_when_closed?: boolean;
}

/** The catalog fields of a lead write (lead.schema.ts CatalogLeadFields). */
export interface LeadCatalogInput {
  lead_type_id?: number | null;
  category_id?: number | null;
  source_id?: number | null;
  privacy_level_id?: number | null;
  importance_level_id?: number | null;
  product_category_id?: number | null;
  project_id?: number | null;
  status?: string;
  email?: string | null;
  phone?: string | null;
  mobile?: string | null;
  estimated_completion?: EstimatedCompletion | null;
  expected_close_date?: string | null;
}
export type LeadCatalogColumns = Partial<
  Record<
    | 'lead_type_id'
    | 'category_id'
    | 'source_id'
    | 'privacy_level_id'
    | 'importance_level_id'
    | 'product_category_id'
    | 'project_id',
    number | null
  >
> & {
  estimated_completion_value?: number | null;
  estimated_completion_unit?: string | null;
  expected_close_date?: string | null;
};

/** The estimate and the expected date, each computed from the other when only one is sent. */
async function applyEstimate(
  trx: Kysely<Database>,
  orgId: number,
  input: LeadCatalogInput,
  fromMs: number,
  set: LeadCatalogColumns,
) {
  if (input.estimated_completion === undefined && input.expected_close_date === undefined) return;
  const zone = await findOrgTimeZone(trx, orgId);
  if (input.estimated_completion) {
    set.estimated_completion_value = input.estimated_completion.value;
    set.estimated_completion_unit = input.estimated_completion.unit;
    if (input.expected_close_date === undefined)
      set.expected_close_date = completionDate(input.estimated_completion, fromMs, zone);
  } else if (input.estimated_completion === null) {
    set.estimated_completion_value = null;
    set.estimated_completion_unit = null;
  } else if (input.expected_close_date) {
    const e = estimateFor(input.expected_close_date, fromMs, zone);
    set.estimated_completion_value = e.value;
    set.estimated_completion_unit = e.unit;
  } else {
    set.estimated_completion_value = null;
    set.estimated_completion_unit = null;
  }
}

const toEntryDto = (r: CatalogEntryRow): CatalogEntryDto => ({
  id: r.id,
  name: r.name,
  alternative_code: r.alternative_code,
  position: r.position,
});

const unprocessable = (errors: FieldError[]) =>
  new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);

const blank = (v: string | null | undefined) => v === null || v === undefined || v.trim() === '';

/** Per-organization catalogs and lead types, and the rules a lead type puts on the leads that have it. */
export function createCatalogService({
  db,
  repo,
  statuses,
}: {
  db: Kysely<Database>;
  repo: CatalogRepository;
  statuses: StatusRepository;
}) {
  async function loadEntry(trx: Kysely<Database>, orgId: number, kind: CatalogKind, id: number) {
    const r = await repo.find(trx, orgId, kind, id);
    if (!r) throw notFound(CATALOG_KINDS[kind].label, id);
    return r;
  }

  async function presentLeadTypes(trx: Kysely<Database>, orgId: number, rows: LeadTypeRow[]) {
    const all = await statuses.listAllByOrg(orgId, trx);
    const keyOf = new Map(all.map((s) => [s.id, s.key]));
    return rows.map((r): LeadTypeDto => ({
      id: r.id,
      name: r.name,
      alternative_code: r.alternative_code,
      default_status: r.default_status_id ? (keyOf.get(r.default_status_id) ?? null) : null,
      default_category_id: r.default_category_id,
      allowed_statuses: r.allowed_status_ids
        ? (JSON.parse(r.allowed_status_ids) as number[]).map((id) => keyOf.get(id) ?? String(id))
        : null,
      communication: { email_required: r.email_required === 1, phone_required: r.phone_required === 1 },
      lock_when_closed: r.lock_when_closed === 1,
    }));
  }

  /** Checks a lead type's input against the organization's statuses and categories; collects every fault. */
  async function leadTypeColumns(
    trx: Kysely<Database>,
    orgId: number,
    input: LeadTypeInput,
    current: LeadTypeRow | undefined,
    errors: FieldError[],
  ) {
    const live = await statuses.listByOrg(orgId, trx);
    const byKey = new Map(live.map((s) => [s.key, s]));
    const set: Partial<LeadTypeRow> = {};
    if (input.name !== undefined) {
      if (blank(input.name)) errors.push({ field: 'name', message: 'must not be blank' });
      else set.name = input.name.trim();
    }
    if (input.alternative_code !== undefined) {
      const code = blank(input.alternative_code) ? null : input.alternative_code!.trim();
      if (code !== null) {
        const other = await repo.findLeadTypeByCode(trx, orgId, code);
        if (other && other.id !== current?.id)
          errors.push({
            field: 'alternative_code',
            message: `"${code}" is already used by lead type ${other.id}`,
          });
      }
      set.alternative_code = code;
    }
    if (input.allowed_statuses !== undefined) {
      if (input.allowed_statuses === null) set.allowed_status_ids = null;
      else {
        const ids: number[] = [];
        input.allowed_statuses.forEach((k, i) => {
          const s = byKey.get(k);
          if (!s)
            errors.push({
              field: `allowed_statuses.${i}`,
              message: `"${k}" is not a status of this organization`,
            });
          else ids.push(s.id);
        });
        set.allowed_status_ids = JSON.stringify([...new Set(ids)]);
      }
    }
    if (input.default_status !== undefined) {
      if (input.default_status === null) set.default_status_id = null;
      else {
        const s = byKey.get(input.default_status);
        if (!s)
          errors.push({
            field: 'default_status',
            message: `"${input.default_status}" is not a status of this organization`,
          });
        else set.default_status_id = s.id;
      }
    }
    const allowed =
      set.allowed_status_ids !== undefined ? set.allowed_status_ids : (current?.allowed_status_ids ?? null);
    const def =
      set.default_status_id !== undefined ? set.default_status_id : (current?.default_status_id ?? null);
    if (
      allowed &&
      def &&
      !(JSON.parse(allowed) as number[]).includes(def) &&
      !errors.some((e) => e.field === 'default_status')
    )
      errors.push({
        field: 'default_status',
        message: 'must be one of the allowed_statuses of the lead type',
      });
    if (input.default_category_id !== undefined) {
      if (
        input.default_category_id !== null &&
        !(await repo.find(trx, orgId, 'categories', input.default_category_id))
      )
        errors.push({ field: 'default_category_id', message: 'is not a lead category of this organization' });
      set.default_category_id = input.default_category_id;
    }
    if (input.communication?.email_required !== undefined)
      set.email_required = input.communication.email_required ? 1 : 0;
    if (input.communication?.phone_required !== undefined)
      set.phone_required = input.communication.phone_required ? 1 : 0;
    if (input.lock_when_closed !== undefined) set.lock_when_closed = input.lock_when_closed ? 1 : 0;
    return set;
  }

  /** Every catalog id of a lead write must be an entry of this organization (a 422 naming the field). */
  async function checkLeadRefs(
    trx: Kysely<Database>,
    orgId: number,
    input: LeadCatalogInput,
    errors: FieldError[],
  ): Promise<LeadCatalogColumns> {
    const set: LeadCatalogColumns = {};
    for (const [kind, def] of Object.entries(CATALOG_KINDS) as Array<
      [CatalogKind, (typeof CATALOG_KINDS)[CatalogKind]]
    >) {
      const col = def.column;
      if (!col) continue;
      const v = input[col];
      if (v === undefined) continue;
      if (v !== null && !(await repo.find(trx, orgId, kind, v)))
        errors.push({ field: col, message: `is not a ${def.label} of this organization` });
      set[col] = v;
    }
    if (input.lead_type_id !== undefined) {
      if (input.lead_type_id !== null && !(await repo.findLeadType(trx, orgId, input.lead_type_id)))
        errors.push({ field: 'lead_type_id', message: 'is not a lead type of this organization' });
      set.lead_type_id = input.lead_type_id;
    }
    return set;
  }

  return {
    async listEntries(auth: AuthContext, kind: CatalogKind, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      return (await repo.list(runner(db, opts), auth.orgId, kind)).map(toEntryDto);
    },
    async getEntry(auth: AuthContext, kind: CatalogKind, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      return toEntryDto(await loadEntry(runner(db, opts), auth.orgId, kind, id));
    },
    async createEntry(auth: AuthContext, kind: CatalogKind, input: CatalogEntryInput, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const errors = await checkEntry(trx, auth.orgId, kind, input, undefined);
        if (errors.length) throw unprocessable(errors);
        const now = nowIso();
        const row = await repo.insert(trx, {
          org_id: auth.orgId,
          kind,
          name: input.name!.trim(),
          alternative_code: blank(input.alternative_code) ? null : input.alternative_code!.trim(),
          position: input.position ?? (await repo.maxPosition(trx, auth.orgId, kind)) + 10,
          created_at: now,
          updated_at: now,
        });
        return toEntryDto(row);
      });
    },
    async updateEntry(
      auth: AuthContext,
      kind: CatalogKind,
      id: number,
      input: CatalogEntryInput,
      opts: TxOptions = {},
    ) {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const current = await loadEntry(trx, auth.orgId, kind, id);
        const errors = await checkEntry(trx, auth.orgId, kind, input, current);
        if (errors.length) throw unprocessable(errors);
        const row = await repo.update(trx, auth.orgId, id, {
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.alternative_code !== undefined
            ? { alternative_code: blank(input.alternative_code) ? null : input.alternative_code!.trim() }
            : {}),
          ...(input.position !== undefined ? { position: input.position } : {}),
          updated_at: nowIso(),
        });
        return toEntryDto(row);
      });
    },
    /** Refused (409) while leads or lead types point at the entry: history and filters would lose it. */
    async removeEntry(auth: AuthContext, kind: CatalogKind, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        await loadEntry(trx, auth.orgId, kind, id);
        const col = CATALOG_KINDS[kind].column;
        const used = col ? await repo.countLeads(trx, auth.orgId, col, id) : 0;
        if (used > 0)
          throw new AppError(
            'conflict',
            `${used} lead(s) use ${CATALOG_KINDS[kind].label} ${id}; change them first.`,
          );
        if (
          kind === 'categories' &&
          (await repo.listLeadTypes(trx, auth.orgId)).some((t) => t.default_category_id === id)
        )
          throw new AppError('conflict', `A lead type has category ${id} as its default; change it first.`);
        await repo.remove(trx, auth.orgId, id);
      });
    },

    async listLeadTypes(auth: AuthContext, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      const trx = runner(db, opts);
      return presentLeadTypes(trx, auth.orgId, await repo.listLeadTypes(trx, auth.orgId));
    },
    async getLeadType(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      const trx = runner(db, opts);
      const row = await repo.findLeadType(trx, auth.orgId, id);
      if (!row) throw notFound('Lead type', id);
      return (await presentLeadTypes(trx, auth.orgId, [row]))[0];
    },
    async createLeadType(auth: AuthContext, input: LeadTypeInput, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const errors: FieldError[] = [];
        if (input.name === undefined) errors.push({ field: 'name', message: 'is required' });
        const set = await leadTypeColumns(trx, auth.orgId, input, undefined, errors);
        if (errors.length) throw unprocessable(errors);
        const now = nowIso();
        const row = await repo.insertLeadType(trx, {
          org_id: auth.orgId,
          name: set.name!,
          alternative_code: set.alternative_code ?? null,
          default_status_id: set.default_status_id ?? null,
          default_category_id: set.default_category_id ?? null,
          allowed_status_ids: set.allowed_status_ids ?? null,
          email_required: set.email_required ?? 0,
          phone_required: set.phone_required ?? 0,
          lock_when_closed: set.lock_when_closed ?? 0,
          created_at: now,
          updated_at: now,
        });
        return (await presentLeadTypes(trx, auth.orgId, [row]))[0];
      });
    },
    async updateLeadType(auth: AuthContext, id: number, input: LeadTypeInput, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const current = await repo.findLeadType(trx, auth.orgId, id);
        if (!current) throw notFound('Lead type', id);
        const errors: FieldError[] = [];
        const set = await leadTypeColumns(trx, auth.orgId, input, current, errors);
        if (errors.length) throw unprocessable(errors);
        const row = await repo.updateLeadType(trx, auth.orgId, id, { ...set, updated_at: nowIso() });
        return (await presentLeadTypes(trx, auth.orgId, [row]))[0];
      });
    },
    async removeLeadType(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        if (!(await repo.findLeadType(trx, auth.orgId, id))) throw notFound('Lead type', id);
        const used = await repo.countLeads(trx, auth.orgId, 'lead_type_id', id);
        if (used > 0)
          throw new AppError('conflict', `${used} lead(s) have lead type ${id}; change them first.`);
        await repo.removeLeadType(trx, auth.orgId, id);
      });
    },

    /**
     * A new lead's catalog columns, with its lead type applied: the type's default category and default status
     * when the lead names none, its allowed statuses, and the contact fields its communication settings make
     * mandatory. Faults go to `errors` with the field the client sent; returns the status key to use, if any.
     */
    async prepareLeadCreate(
      orgId: number,
      input: LeadCatalogInput,
      errors: FieldError[],
      opts: TxOptions & { at?: string } = {},
    ): Promise<{ set: LeadCatalogColumns; status?: string }> {
      const trx = runner(db, opts);
      const set = await checkLeadRefs(trx, orgId, input, errors);
      // On create only an estimate sets the date: a bare date is kept as is, so imports (which write leads
      // directly) and the API store the same lead and an export round-trips unchanged. A backdated lead
      // (`opts.at`) counts its estimate from when it came in, as an update does.
      const from =
        opts.at !== undefined && !Number.isNaN(Date.parse(opts.at)) ? Date.parse(opts.at) : Date.now();
      if (input.estimated_completion) await applyEstimate(trx, orgId, input, from, set);
      if (!input.lead_type_id) return { set };
      const type = await repo.findLeadType(trx, orgId, input.lead_type_id);
      if (!type) return { set };
      if (input.category_id === undefined && type.default_category_id)
        set.category_id = type.default_category_id;
      const all = await statuses.listByOrg(orgId, trx);
      let status = input.status;
      if (status === undefined && type.default_status_id)
        status = all.find((s) => s.id === type.default_status_id)?.key;
      if (type.allowed_status_ids) {
        const allowed = JSON.parse(type.allowed_status_ids) as number[];
        const key = status ?? (await statuses.findDefault(orgId, trx))?.key;
        const chosen = all.find((s) => s.key === key);
        if (chosen && !allowed.includes(chosen.id))
          errors.push({
            field: 'status',
            message: `"${chosen.key}" is not allowed for lead type ${type.id} (allowed: ${all
              .filter((s) => allowed.includes(s.id))
              .map((s) => s.key)
              .join(', ')})`,
          });
      }
      if (type.email_required && blank(input.email))
        errors.push({ field: 'email', message: `is required for lead type ${type.id}` });
      if (type.phone_required && blank(input.phone) && blank(input.mobile))
        errors.push({ field: 'phone', message: `a phone or mobile is required for lead type ${type.id}` });
      return { set, status };
    },

    /**
     * Checks a lead update: catalog ids, and the lead type's rules. A lead whose type locks it once won or lost
     * cannot be changed any more (409).
     */
    async prepareLeadUpdate(
      orgId: number,
      current: { id: number; lead_type_id: number | null; status_id: number; created_at: string },
      input: LeadCatalogInput,
      errors: FieldError[],
      opts: TxOptions = {},
    ): Promise<LeadCatalogColumns> {
      const trx = runner(db, opts);
      const set = await checkLeadRefs(trx, orgId, input, errors);
      // An estimate counts from when the lead came in.
      await applyEstimate(trx, orgId, input, Date.parse(current.created_at), set);
      if (current.lead_type_id) {
        const type = await repo.findLeadType(trx, orgId, current.lead_type_id);
        if (type?.lock_when_closed) {
          const st = (await statuses.listAllByOrg(orgId, trx)).find((s) => s.id === current.status_id);
          if (st && (st.category === 'won' || st.category === 'lost'))
            throw new AppError(
              'conflict',
              `Lead ${current.id} is ${st.category} and its lead type ${type.id} locks it; it can no longer be changed.`,
            );
        }
        const typeId = set.lead_type_id !== undefined ? set.lead_type_id : current.lead_type_id;
        const t = typeId ? await repo.findLeadType(trx, orgId, typeId) : undefined;
        if (t?.allowed_status_ids && input.status !== undefined) {
          const s = await statuses.findByKey(orgId, input.status, trx);
          if (s && !(JSON.parse(t.allowed_status_ids) as number[]).includes(s.id))
            errors.push({ field: 'status', message: `"${s.key}" is not allowed for lead type ${t.id}` });
        }
      }
      return set;
    },
  };

  async function checkEntry(
    trx: Kysely<Database>,
    orgId: number,
    kind: CatalogKind,
    input: CatalogEntryInput,
    current: CatalogEntryRow | undefined,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    if (!current && input.name === undefined) errors.push({ field: 'name', message: 'is required' });
    if (input.name !== undefined && blank(input.name))
      errors.push({ field: 'name', message: 'must not be blank' });
    if (!blank(input.alternative_code)) {
      const code = input.alternative_code!.trim();
      const other = await repo.findByCode(trx, orgId, kind, code);
      if (other && other.id !== current?.id)
        errors.push({
          field: 'alternative_code',
          message: `"${code}" is already used by ${CATALOG_KINDS[kind].label} ${other.id}`,
        });
    }
    return errors;
  }
}

export type CatalogService = ReturnType<typeof createCatalogService>;
