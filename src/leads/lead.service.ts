import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound, type FieldError } from '../http/errors.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { assertCan, seesOnlyOwnLeads, type AuthContext } from '../access/roles.js';
import type { AuditEvent, AuditService } from '../access/audit.service.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import { createStatusRules, type StatusRules, type StatusTarget } from '../pipeline/status-rules.js';
import type { CatalogSnapshot } from '../pipeline/catalog-snapshot.js';
import type { HistoryRow } from '../pipeline/history.repository.js';
import { parseInstant } from '../pipeline/instant.js';
import { createReasonRepository } from '../pipeline/reason.repository.js';
import {
  createCustomFieldService,
  expandFieldChanges,
  type CustomFieldService,
} from '../pipeline/custom-field.service.js';
import { normalizeCountry } from '../lib/countries.js';
import { parseMoney } from '../lib/money.js';
import {
  RANGE_OPS,
  TEXT_FILTERS,
  searchTerms,
  type RangeOp,
  type LeadFilter,
  type LeadRepository,
  type BulkLeadRow,
  type LeadRow,
  type LeadUpdate,
  type SortKey,
  EXTRA_SORTS,
} from './lead.repository.js';
import {
  RANGE_FIELDS,
  parseLeadFields,
  projectLead,
  type LeadExtras,
  type LeadCreateInput,
  type LeadDto,
  type LeadListQueryInput,
  type LeadPatchInput,
} from './lead.schema.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import type { LeadPart } from './lead-parts.js';
import { createLeadGuard, type LeadGuard } from './lead-guard.js';
import { createLeadPresenter, type LeadPresenter } from './lead-presenter.js';
import { LEAD_USER_ROLES } from './lead-users.schema.js';
import type { CatalogService } from '../catalogs/catalog.service.js';
import { findOrgTimeZone, withZoneOffset } from '../catalogs/time-zone.js';
import { emitEvents, emitLeadEvent, leadSnapshot } from '../webhooks/events.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CF_SUFFIXES = ['gt', 'gte', 'lt', 'lte', 'or_absent'] as const;

/** `cf.<key>` or `cf.<key>.<gt|gte|lt|lte|or_absent>` (custom field keys may hold dots: the last part decides). */
export function splitCfParam(param: string): { key: string; suffix?: RangeOp | 'or_absent' } {
  const rest = param.slice(3);
  const dot = rest.lastIndexOf('.');
  const last = dot > 0 ? rest.slice(dot + 1) : '';
  return (CF_SUFFIXES as readonly string[]).includes(last)
    ? { key: rest.slice(0, dot), suffix: last as RangeOp | 'or_absent' }
    : { key: rest };
}

/** The text filters of a list query: comma-separated alternatives, blanks dropped; phones as digits (and `*`). */
function textFilters(query: Record<string, unknown>): NonNullable<LeadFilter['text']> {
  const out: NonNullable<LeadFilter['text']> = [];
  for (const field of TEXT_FILTERS) {
    const raw = query[field];
    if (typeof raw !== 'string') continue;
    let values = raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (field === 'phone') values = values.map((v) => v.replace(/[^\d*]/g, '')).filter((v) => /\d/.test(v));
    else if (field === 'email') values = values.map((v) => v.toLowerCase());
    if (values.length) out.push({ field, values });
    // A phone with no digit matches nothing (no stored digits hold an "x").
    else if (field === 'phone' && raw.trim() !== '') out.push({ field, values: ['x'] });
  }
  return out;
}

export interface LeadServiceDeps {
  db: Kysely<Database>;
  leads: LeadRepository;
  statuses: StatusRepository;
  access: AccessRepository;
  /** Status change rules (one place for POST /status, PATCH and create); built from the repositories if absent. */
  statusRules?: StatusRules;
  /** Custom field validation; built from the database if absent. */
  customFields?: CustomFieldService;
  /** Records deletions in the audit log when given. */
  audit?: AuditService;
  /** Company/contact links and conversion (src/accounts), when wired. */
  links?: LeadLinkHooks;
  /** Lead responses (src/leads/lead-presenter.ts); made from `links` and `parts` when not given. */
  presenter?: LeadPresenter;
  /** Existence and visibility of a lead (src/leads/lead-guard.ts); made from `leads` when not given. */
  guard?: LeadGuard;
  /** In the write's transaction, when a lead gets a new owner (src/email tells them). */
  onOwnerChanged?: (
    trx: Kysely<Database>,
    orgId: number,
    row: LeadRow,
    byUserId: number | null,
  ) => Promise<void>;
  /** Parts kept in their own tables (users with roles, teams, contact points, items...): src/leads/lead-parts.ts. */
  parts?: LeadPart[];
  /** Catalog references and lead-type rules (src/catalogs), when wired. */
  catalogs?: Pick<CatalogService, 'prepareLeadCreate' | 'prepareLeadUpdate'>;
  /**
   * The type of a custom field that has no definition row but is declared in code (a compatible surface's owned
   * fields, src/compat/shared/owned-fields.ts), so list ranges (`cf.<key>.gte`) work on it too.
   */
  declaredFieldType?: (key: string) => string | undefined;
  /**
   * Assignment rules (src/assignment), in the create's transaction: `assign` may set owner_id, team_id and
   * assignment_rule_id on a new lead's columns (only when the create named no owner), `record` keeps the history.
   */
  assignment?: {
    begin(
      trx: Kysely<Database>,
      orgId: number,
    ): {
      assign(cols: Record<string, unknown>): Promise<void>;
      record(items: Array<{ cols: Record<string, unknown>; leadId: number }>): Promise<void>;
    };
  };
}

/** How src/accounts plugs into leads without leads importing it. */
export interface LeadLinkHooks {
  /**
   * Validates company_id / contact_ids before any write (another organization's ids are field errors); on create
   * (`creating`), a contact that is already a customer of a company needs that company as `company_id`.
   */
  check(
    orgId: number,
    input: LeadPatchInput,
    errors: FieldError[],
    trx?: Kysely<Database>,
    creating?: boolean,
  ): Promise<void>;
  /** In the create transaction, after the lead, its tags and first status: `link`, then `auto_convert`. */
  afterCreate(
    trx: Kysely<Database>,
    auth: AuthContext,
    row: LeadRow,
    input: LeadCreateInput,
  ): Promise<LeadRow>;
  /** In the update transaction, before the version bump: true when the linked contacts changed. */
  afterUpdate(
    trx: Kysely<Database>,
    auth: AuthContext,
    current: LeadRow,
    input: LeadPatchInput,
  ): Promise<boolean>;
  describe(
    orgId: number,
    rows: LeadRow[],
    trx: Kysely<Database>,
  ): Promise<Map<number, NonNullable<LeadExtras['links']>>>;
}

/** Simple text columns that map 1:1 from the API to the table. */
const TEXT_FIELDS = [
  'first_name',
  'last_name',
  'civility',
  'title',
  'job_title',
  'phone',
  'mobile',
  'company_name',
  'website',
  'source',
  'description',
  'external_id',
] as const;
const INT_FIELDS = ['probability', 'rating', 'priority', 'importance', 'owner_id'] as const;
const DATE_FIELDS = ['birth_date', 'expected_close_date'] as const;
const ADDRESS_COLUMNS = {
  line1: 'address_line1',
  line2: 'address_line2',
  city: 'city',
  state: 'state',
  postal_code: 'postal_code',
  country: 'country',
} as const;
/** A lead must be identifiable by at least one of these. */
export const IDENTITY_COLUMNS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'mobile',
  'company_name',
  'external_id',
] as const;

export function blankToNull(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return v.trim() === '' ? null : v;
}

export function normalizeTags(tags: string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of tags) {
    const t = raw.trim();
    if (t && !seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  }
  return [...seen.values()].sort();
}

/** The range parameters of a list (`created_at.gte`...), spelled once rather than on every list request. */
const RANGE_PARAMS = RANGE_FIELDS.flatMap((field) =>
  (Object.keys(RANGE_OPS) as RangeOp[]).map((op) => [field, op, `${field}.${op}`] as const),
);

export function createLeadService({ db, leads, statuses, access, ...deps }: LeadServiceDeps) {
  const statusRules =
    deps.statusRules ?? createStatusRules({ statuses, reasons: createReasonRepository(db) });
  const customFields =
    deps.customFields ?? createCustomFieldService({ db, repo: createReasonRepository(db) });
  const parts = deps.parts ?? [];
  // Given by the wiring (built before accounts and this service), or made here from the same dependencies.
  const { statusMap, present } =
    deps.presenter ??
    createLeadPresenter({
      db,
      leads,
      statuses,
      describeLinks: deps.links && ((orgId, rows, trx) => deps.links!.describe(orgId, rows, trx)),
      parts,
    });
  type StatusMap = Awaited<ReturnType<typeof statusMap>>;
  const guard = deps.guard ?? createLeadGuard({ db, leads });
  const { loadLive, checkVisible } = guard;

  /** Converts API input into column values, collecting every problem before failing. */
  async function toColumns(
    orgId: number,
    input: LeadPatchInput,
    errors: FieldError[],
    trx: Kysely<Database> = db,
    creating = false,
  ): Promise<LeadUpdate> {
    const set: LeadUpdate = {};
    for (const f of TEXT_FIELDS) if (input[f] !== undefined) set[f] = blankToNull(input[f]);
    for (const f of INT_FIELDS) if (input[f] !== undefined) set[f] = input[f];
    for (const f of DATE_FIELDS) if (input[f] !== undefined) set[f] = input[f];
    if (input.email !== undefined) set.email = input.email === null ? null : input.email.trim().toLowerCase();
    if (input.currency !== undefined)
      set.currency = input.currency === null ? null : input.currency.toUpperCase();
    if (input.locale !== undefined)
      set.locale = input.locale === null ? null : input.locale.replace('_', '-');
    if (input.value !== undefined) {
      if (input.value === null || input.value === '') set.value_cents = null;
      else {
        const cents = parseMoney(input.value);
        if (cents === null)
          errors.push({
            field: 'value',
            message: 'must be a decimal amount with at most 2 decimals, e.g. "1500.00"',
          });
        else set.value_cents = cents;
      }
    }
    if (input.address) {
      for (const [k, col] of Object.entries(ADDRESS_COLUMNS) as Array<
        [keyof typeof ADDRESS_COLUMNS, (typeof ADDRESS_COLUMNS)[keyof typeof ADDRESS_COLUMNS]]
      >) {
        const v = input.address[k];
        if (v === undefined) continue;
        if (k === 'country' && v !== null && v.trim() !== '') {
          const c = normalizeCountry(v);
          if (!c)
            errors.push({
              field: 'address.country',
              message: 'must be an ISO 3166-1 alpha-2 country code such as "US" or "FR"',
            });
          else set.country = c;
        } else set[col] = blankToNull(v);
      }
    }
    if (input.team_id !== undefined) {
      set.team_id = input.team_id;
      if (input.team_id !== null && !(await access.findTeam(orgId, input.team_id, trx))) {
        errors.push({ field: 'team_id', message: 'is not a team of this organization' });
      }
    }
    if (input.company_id !== undefined) set.company_id = input.company_id;
    await deps.links?.check(orgId, input, errors, trx, creating);
    for (const p of parts) await p.check(orgId, input as Record<string, unknown>, errors, trx);
    if (input.owner_id !== undefined && input.owner_id !== null) {
      const m = await access.findMembership(orgId, input.owner_id, trx);
      if (!m || m.deactivated_at)
        errors.push({ field: 'owner_id', message: 'is not an active user of this organization' });
    }
    return set;
  }

  function checkIdentity(row: Record<string, unknown>) {
    if (!IDENTITY_COLUMNS.some((c) => row[c] !== null && row[c] !== undefined && row[c] !== '')) {
      throw new AppError(
        'unprocessable',
        'A lead needs at least one of: first_name, last_name, email, phone, mobile, company_name or external_id.',
        [{ field: 'first_name', message: 'a name, email, phone, company name or external id is required' }],
      );
    }
  }

  function checkIfMatch(row: LeadRow, ifMatch: string | undefined) {
    if (ifMatch === undefined || ifMatch === '*') return;
    const versions = ifMatch.split(',').map((s) => s.trim().replace(/^W\//, ''));
    if (!versions.includes(`"${row.id}-${row.version}"`)) {
      throw new AppError(
        'precondition_failed',
        `Lead ${row.id} has changed since you read it (now version ${row.version}); fetch it again.`,
      );
    }
  }

  const fieldDefs = createReasonRepository(db);

  /** The organization's time zone, read once per query and only when a date-only value needs it. */
  function lazyZone(orgId: number) {
    let p: Promise<string | null> | undefined;
    return () => (p ??= findOrgTimeZone(db, orgId));
  }

  /** The start of a calendar day in `zone` (UTC when none), as stored instants are written. */
  function startOfDay(day: string, zone: string | null): string {
    return new Date(
      Date.parse(zone ? withZoneOffset(`${day}T00:00:00`, zone) : `${day}T00:00:00Z`),
    ).toISOString();
  }

  /**
   * A range bound on an instant as a stored-instant comparison. A date alone covers that whole day in the
   * organization's zone: `gt`/`lte` a day mean after/up to its end, `gte`/`lt` from/before its start.
   */
  async function instantBound(
    param: string,
    op: RangeOp,
    raw: string,
    zone: () => Promise<string | null>,
  ): Promise<{ op: RangeOp; value: string }> {
    const v = raw.trim();
    if (DATE_ONLY.test(v)) {
      const d = new Date(`${v}T00:00:00Z`);
      if (!Number.isFinite(d.getTime()) || !d.toISOString().startsWith(v))
        throw fieldError(param, `"${raw}" is not a real calendar date`);
      const z = await zone();
      if (op === 'gte' || op === 'lt') return { op, value: startOfDay(v, z) };
      const next = new Date(d.getTime() + 86_400_000).toISOString().slice(0, 10);
      return { op: op === 'gt' ? 'gte' : 'lt', value: startOfDay(next, z) };
    }
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(v)) {
      // A local time: in the organization's zone, which it needs.
      const z = await zone();
      if (!z)
        throw fieldError(
          param,
          `"${raw}" has no time zone and the organization has none set (PUT /api/v1/organization/time-zone)`,
        );
      return { op, value: parseInstant(param, withZoneOffset(v, z)) };
    }
    return { op, value: parseInstant(param, v) };
  }

  async function rangeFilters(query: Record<string, unknown>, zone: () => Promise<string | null>) {
    const out: NonNullable<LeadFilter['ranges']> = [];
    for (const [field, op, param] of RANGE_PARAMS) {
      const raw = query[param];
      if (raw === undefined) continue;
      if (field === 'value') {
        const cents = parseMoney(String(raw).trim());
        if (cents === null)
          throw fieldError(param, `"${String(raw)}" is not a decimal amount such as "1500.00"`);
        out.push({ column: 'value_cents', op, value: cents });
      } else {
        const b = await instantBound(param, op, String(raw), zone);
        out.push({ column: field, ...b });
      }
    }
    return out;
  }

  /** `sort=cf.<key>`: the field must exist; number fields sort as numbers, the others as folded text. */
  async function customSortIsNumeric(orgId: number, key: string): Promise<boolean> {
    const declared = deps.declaredFieldType?.(key);
    const def = (await fieldDefs.findField(orgId, key)) ?? (declared ? { type: declared } : undefined);
    if (!def) throw fieldError('sort', `"${key}" is not a custom field of this organization`);
    return def.type === 'number' || def.type === 'int_enum';
  }

  /** `cf.<key>.gte` on a number, date or datetime field; anything else is a 422 naming the parameter. */
  async function customRange(
    orgId: number,
    param: string,
    key: string,
    op: RangeOp,
    raw: string,
    zone: () => Promise<string | null>,
  ): Promise<NonNullable<LeadFilter['customRanges']>[number]> {
    const declared = deps.declaredFieldType?.(key);
    const def = (await fieldDefs.findField(orgId, key)) ?? (declared ? { type: declared } : undefined);
    if (!def) throw fieldError(param, `"${key}" is not a custom field of this organization`);
    if (def.type === 'number' || def.type === 'int_enum') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw fieldError(param, `"${raw}" is not a number`);
      return { key, op, value: n, as: 'number' };
    }
    if (def.type === 'date') {
      const v = raw.trim();
      const d = new Date(`${v}T00:00:00Z`);
      if (!DATE_ONLY.test(v) || !Number.isFinite(d.getTime()) || !d.toISOString().startsWith(v))
        throw fieldError(param, `"${raw}" is not a date "YYYY-MM-DD"`);
      return { key, op, value: v, as: 'date' };
    }
    if (def.type === 'datetime') {
      const b = await instantBound(param, op, raw, zone);
      return { key, ...b, as: 'instant' };
    }
    throw fieldError(
      param,
      `ranges work on number, date and datetime fields; "${key}" is a ${def.type} field`,
    );
  }

  /** The list query as a repository filter, agent visibility included (shared by list, reports and bulk). */
  async function filterFor(
    auth: AuthContext,
    query: LeadListQueryInput & Record<string, unknown>,
  ): Promise<{ filter: LeadFilter; knownStatuses?: StatusMap }> {
    const filter: LeadFilter = {
      source: query.source,
      ownerId: query.owner_id,
      userId: query.user_id,
      userRole: query.role,
      teamId: query.team_id,
      leadTypeId: query.lead_type_id,
      companyId: query.company_id,
      contactId: query.contact_id,
      visibleTo: seesOnlyOwnLeads(auth) ? auth.userId! : undefined,
      tag: query.tag,
      createdAfter: query.created_after,
      createdBefore: query.created_before,
      updatedAfter: query.updated_after,
      deleted: query.deleted === true,
      scoreGte: query.score_gte,
      excludeConverted:
        query.include_converted !== true && query.status === undefined && query.deleted !== true,
    };
    if (query.role !== undefined && !(LEAD_USER_ROLES as readonly string[]).includes(query.role))
      throw fieldError('role', `"${query.role}" is not a lead role (one of: ${LEAD_USER_ROLES.join(', ')})`);
    let knownStatuses: StatusMap | undefined;
    if (query.status !== undefined) {
      const sm = (knownStatuses = await statusMap(auth.orgId));
      const keys = query.status
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = keys.filter((k) => !sm.byKey.has(k));
      if (unknown.length)
        throw fieldError(
          'status',
          `unknown status ${unknown.map((k) => `"${k}"`).join(', ')} (one of: ${[...sm.byKey.keys()].join(', ')})`,
        );
      filter.statusIds = keys.map((k) => sm.byKey.get(k)!.id);
    }
    if (query.sub_status !== undefined) {
      const subs = (await statuses.findSubStatusesNamed(auth.orgId, query.sub_status)).filter(
        (x) => !filter.statusIds || filter.statusIds.includes(x.status_id),
      );
      filter.subStatusIds = subs.map((x) => x.id);
    }
    if (query.q !== undefined && query.q.trim() !== '') filter.terms = searchTerms(query.q);
    if (query.updated_before !== undefined)
      filter.updatedBefore = parseInstant('updated_before', query.updated_before);
    const text = textFilters(query);
    if (text.length) filter.text = text;
    const zone = lazyZone(auth.orgId);
    const ranges = await rangeFilters(query, zone);
    if (ranges.length) filter.ranges = ranges;
    const cf = Object.entries(query).filter(([k]) => k.startsWith('cf.'));
    for (const [k, v] of cf) {
      const { key, suffix } = splitCfParam(k);
      if (suffix === undefined) {
        // Values are compared as stored: "12.0" finds 12 for a number field; a non-number is a 422.
        (filter.customFields ??= []).push({
          key,
          value: await customFields.normalizeFilter(auth.orgId, key, String(v)),
        });
      } else if (suffix === 'or_absent') {
        (filter.customOrAbsent ??= []).push({
          key,
          value: await customFields.normalizeFilter(auth.orgId, key, String(v)),
        });
      } else {
        (filter.customRanges ??= []).push(await customRange(auth.orgId, k, key, suffix, String(v), zone));
      }
    }
    return { filter, knownStatuses };
  }

  /**
   * `create` without the response (a composite write presents once, from what it wrote). `known`: the
   * organization's catalogs read once by the caller; `log`: further status changes of the new lead, each
   * checked by the status rules as a change from the one before, so the lead is inserted where it ends and
   * its whole log goes in one statement; `summary`: its follow-up columns, when the caller adds its first
   * follow-ups in the same unit of work (src/leads/lead-compose.service.ts).
   */
  async function createRow(
    auth: AuthContext,
    input: LeadCreateInput,
    opts: {
      at?: string;
      known?: CatalogSnapshot;
      log?: Array<StatusTarget & { status: string; at?: string }>;
      summary?: { last_follow_up_at: string | null; next_follow_up_at: string | null };
      faults?: FieldError[];
    } & TxOptions = {},
  ): Promise<{ row: LeadRow; history: HistoryRow[] }> {
    assertCan(auth, 'leads:write');
    const { known } = opts;
    const errors: FieldError[] = [...(opts.faults ?? [])];
    let createdAt: string | undefined;
    try {
      createdAt = opts.at !== undefined ? parseInstant('at', opts.at, { notFuture: true }) : undefined;
    } catch (e) {
      if (!(e instanceof AppError) || !e.errors?.length) throw e;
      errors.push(...e.errors);
    }
    const cols = await toColumns(auth.orgId, input, errors, runner(db, opts), true);
    // An agent's new lead is theirs unless they hand it to someone: otherwise they could not see it.
    if (seesOnlyOwnLeads(auth) && input.owner_id === undefined) cols.owner_id = auth.userId;
    cols.custom_fields = await customFields.applyValues(
      auth.orgId,
      input.custom_fields ?? {},
      null,
      errors,
      runner(db, opts),
      known?.fields,
    );
    // The lead type's defaults (status, category) and its mandatory contact fields.
    const typed = await deps.catalogs?.prepareLeadCreate(auth.orgId, input, errors, opts);
    if (typed) Object.assign(cols, typed.set);
    if (errors.length) {
      // One answer names every fault: the status rules' too (status, sub-status, reason; they only read).
      const key =
        typed?.status ??
        input.status ??
        (known
          ? known.statuses.find((s) => s.is_default === 1)
          : await statuses.findDefault(auth.orgId, runner(db, opts))
        )?.key ??
        '';
      try {
        await statusRules.resolve(
          runner(db, opts),
          auth.orgId,
          { status: key, sub_status: input.sub_status, reason_id: input.reason_id },
          true,
          known,
        );
      } catch (e) {
        if (!(e instanceof AppError) || e.status !== 422 || !e.errors?.length) throw e;
        for (const f of e.errors)
          if (!errors.some((x) => x.field === f.field && x.message === f.message)) errors.push(f);
      }
      throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
    }
    checkIdentity(cols);
    const now = nowIso();
    const tags = normalizeTags(input.tags ?? []);
    // The same rules as a status change: sub-status of that status, reason where required. They only read the
    // organization's catalogs, so they run before the transaction, like every other check of the body: on SQLite
    // the write lock is held only for the writes (docs/decisions.md, "The create path inside the write lock").
    const q = runner(db, opts);
    const key =
      typed?.status ??
      input.status ??
      (known ? known.statuses.find((s) => s.is_default === 1) : await statuses.findDefault(auth.orgId, q))
        ?.key ??
      '';
    const target = await statusRules.resolve(
      q,
      auth.orgId,
      { status: key, sub_status: input.sub_status, reason_id: input.reason_id },
      true,
      known,
    );
    return inTransaction(db, opts, async (trx) => {
      // Assignment rules pick an owner only when the create named none (a copy: a retried transaction starts over).
      const values: Record<string, unknown> = { ...cols };
      const assigner =
        input.owner_id === undefined && cols.owner_id == null
          ? deps.assignment?.begin(trx, auth.orgId)
          : undefined;
      await assigner?.assign(values);
      const first = {
        org_id: auth.orgId,
        from_status_id: null,
        to_status_id: target.status.id,
        sub_status_id: target.subStatus?.id ?? null,
        reason_id: target.reason?.id ?? null,
        note: null,
        created_by: auth.userId,
        created_at: createdAt ?? now,
      };
      // Further changes, planned in memory from the state before each (lead_id is set once inserted).
      let state = {
        id: 0,
        status_id: first.to_status_id,
        sub_status_id: first.sub_status_id,
        status_changed_at: first.created_at,
      } as LeadRow;
      const later: Array<Omit<Parameters<LeadRepository['insertStatusHistory']>[1], 'lead_id'>> = [];
      for (const step of opts.log ?? []) {
        const { at, ...to } = step;
        const plan = await statusRules.plan(trx, auth.orgId, auth.userId, state, to, {
          at,
          record: true,
          known,
        });
        if (!plan) continue;
        state = { ...state, ...plan.set } as LeadRow;
        later.push(plan.history as (typeof later)[number]);
      }
      const row: Record<string, unknown> = {
        ...values,
        ...opts.summary,
        org_id: auth.orgId,
        status_id: state.status_id,
        sub_status_id: state.sub_status_id,
        custom_fields: cols.custom_fields ?? '{}',
        status_changed_at: state.status_changed_at,
        created_at: createdAt ?? now,
        updated_at: now,
        created_by: auth.userId,
        updated_by: auth.userId,
        version: 1,
      };
      // What the parts would write into the new row right after it (search text, score), written with it instead.
      for (const p of parts) if (p.insertColumns) Object.assign(row, p.insertColumns(row, input, tags));
      const inserted = await leads.insert(trx, row as Parameters<LeadRepository['insert']>[1]);
      // A new lead has no tags to replace: nothing to delete first.
      if (tags.length) await leads.replaceTags(trx, auth.orgId, inserted.id, tags, true);
      await assigner?.record([{ cols: values, leadId: inserted.id }]);
      const history = await leads.insertStatusHistoryRows(
        trx,
        [first, ...later].map((h) => ({ ...h, lead_id: inserted.id })),
      );
      if (inserted.owner_id !== null) await deps.onOwnerChanged?.(trx, auth.orgId, inserted, auth.userId);
      let written = inserted;
      for (const p of parts)
        if (await p.write(trx, auth, written, input as Record<string, unknown>, true))
          written = (await leads.findById(auth.orgId, inserted.id, trx))!;
      const final = deps.links ? await deps.links.afterCreate(trx, auth, written, input) : written;
      for (const p of parts) await p.afterWrite?.(trx, auth.orgId, final, true);
      await emitLeadEvent(trx, auth.orgId, 'lead.created', final);
      return { row: final, history };
    });
  }

  return {
    statusMap,
    present,

    /** For features hanging off a lead (follow-ups, comments...): 404 unless this caller may see the lead. */
    assertLeadAccess: guard.assertLeadAccess,

    /**
     * `opts.at` backdates the creation (imports, compatible clients): created_at and the first history entry.
     * `opts.faults`: problems the caller already found in its own request (a compatible surface translating its
     * parameters): every check below still runs, and one 422 names them all with the core's (nothing written).
     */
    async create(
      auth: AuthContext,
      input: LeadCreateInput,
      opts: { at?: string; faults?: FieldError[] } & TxOptions = {},
    ): Promise<LeadDto> {
      const { row } = await createRow(auth, input, opts);
      return (await present(auth.orgId, [row], opts))[0];
    },

    createRow,

    /**
     * Many new leads at once (imports), with the rules of `create` that apply to rows the caller has already
     * checked and normalized (the import's row mapper: identity, lengths, statuses, owners, custom field types):
     * one INSERT for the rows, their first status history entries and tags, then each lead part's after-create
     * work (search_extra), the link hooks (`link`: match or create a company and contact, as on POST /leads) and
     * one audit entry for the batch, all in the caller's transaction. Owners are not notified per lead: an
     * import tells whoever started it once it is finished. Returns the ids in the order of `items`.
     */
    async createMany(
      auth: AuthContext,
      items: Array<{ row: BulkLeadRow; tags: string[]; statusAt: string | null }>,
      opts: TxOptions & { link?: 'match' | 'create' | 'contact'; audit?: AuditEvent } = {},
    ): Promise<number[]> {
      if (items.length === 0) return [];
      return inTransaction(db, opts, async (trx) => {
        const now = nowIso();
        // Assignment rules for rows with no owner (copies: a retried transaction starts over).
        const rowsIn = items.map((i) => ({ ...i.row }) as Record<string, unknown>);
        const assigner = deps.assignment?.begin(trx, auth.orgId);
        if (assigner) for (const r of rowsIn) if (r.owner_id == null) await assigner.assign(r);
        const ids = await leads.insertMany(trx, rowsIn as BulkLeadRow[]);
        await assigner?.record(rowsIn.map((cols, k) => ({ cols, leadId: ids[k] })));
        await leads.insertFirstStatusMany(
          trx,
          auth.orgId,
          ids,
          items.map((i) => i.row.status_id as number),
          auth.userId,
          now,
          items.map((i) => i.statusAt),
        );
        const tagRows = items.flatMap((it, k) =>
          normalizeTags(it.tags).map((tag) => ({ org_id: auth.orgId, lead_id: ids[k], tag })),
        );
        if (tagRows.length) await leads.insertTagRows(trx, tagRows);
        let rows = rowsIn.map((r, k) => ({ ...r, id: ids[k] }) as unknown as LeadRow);
        if (opts.link && deps.links) {
          const fresh = await leads.byIds(trx, auth.orgId, ids);
          rows = [];
          for (const r of fresh) rows.push(await deps.links.afterCreate(trx, auth, r, { link: opts.link }));
        }
        for (const p of parts) {
          if (p.afterCreateMany) await p.afterCreateMany(trx, auth.orgId, rows);
          else if (p.afterWrite) for (const r of rows) await p.afterWrite(trx, auth.orgId, r, true);
        }
        await emitEvents(
          trx,
          auth.orgId,
          'lead.created',
          rows.map((r) => ({ lead: leadSnapshot(r) })),
        );
        if (opts.audit)
          await deps.audit?.record(
            auth,
            { ...opts.audit, details: { ...opts.audit.details, created: ids.length } },
            { tx: trx },
          );
        return ids;
      });
    },

    /** After an import updated existing leads (dedupe "update"): each part's after-write work, as on PATCH. */
    async afterUpdated(trx: Kysely<Database>, orgId: number, rows: LeadRow[]): Promise<void> {
      for (const p of parts) if (p.afterWrite) for (const r of rows) await p.afterWrite(trx, orgId, r);
    },

    async get(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<LeadDto> {
      assertCan(auth, 'leads:read');
      const q = runner(db, opts);
      const row = await loadLive(auth.orgId, id, q);
      await checkVisible(auth, row, q);
      return (await present(auth.orgId, [row], opts))[0];
    },

    async update(
      auth: AuthContext,
      id: number,
      input: LeadPatchInput,
      ifMatch?: string,
      opts: TxOptions = {},
    ): Promise<LeadDto> {
      assertCan(auth, 'leads:write');
      const errors: FieldError[] = [];
      const cols = await toColumns(auth.orgId, input, errors, runner(db, opts));
      if (errors.length)
        throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
      const now = nowIso();
      const statusTouched =
        input.status !== undefined || input.sub_status !== undefined || input.reason_id !== undefined;
      const row = await inTransaction(db, opts, async (trx) => {
        const current = await loadLive(auth.orgId, id, trx, true);
        await checkVisible(auth, current, trx);
        checkIfMatch(current, ifMatch);
        checkIdentity({ ...current, ...cols });
        const cfErrors: FieldError[] = [];
        if (deps.catalogs)
          Object.assign(
            cols,
            await deps.catalogs.prepareLeadUpdate(auth.orgId, current, input, cfErrors, { tx: trx }),
          );
        const cf = await customFields.applyValues(
          auth.orgId,
          input.custom_fields,
          JSON.parse(current.custom_fields || '{}'),
          cfErrors,
          trx,
        );
        if (cfErrors.length)
          throw new AppError(
            'unprocessable',
            cfErrors.map((e) => `${e.field} ${e.message}`).join('; '),
            cfErrors,
          );
        const set: LeadUpdate = { ...cols, ...(cf !== undefined ? { custom_fields: cf } : {}) };
        // Status goes through the same rules and history as POST /leads/:id/status.
        const plan = statusTouched
          ? await statusRules.plan(
              trx,
              auth.orgId,
              auth.userId,
              current,
              { status: input.status, sub_status: input.sub_status, reason_id: input.reason_id },
              { at: now },
            )
          : null;
        const changes = Object.entries(set).filter(([k, v]) => (current as Record<string, unknown>)[k] !== v);
        const newTags = input.tags !== undefined ? normalizeTags(input.tags) : undefined;
        const oldTags = (await leads.tagsFor(auth.orgId, [id], trx)).get(id) ?? [];
        const tagsChanged = newTags !== undefined && newTags.join('\u0000') !== oldTags.join('\u0000');
        const linksChanged = deps.links ? await deps.links.afterUpdate(trx, auth, current, input) : false;
        let partsChanged = false;
        for (const p of parts)
          partsChanged =
            (await p.write(trx, auth, current, input as Record<string, unknown>, false)) || partsChanged;
        if (changes.length === 0 && !tagsChanged && !plan && !linksChanged && !partsChanged) return current;
        const updated = await leads.updateVersioned(trx, auth.orgId, id, current.version, {
          ...Object.fromEntries(changes),
          ...plan?.set,
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!updated)
          throw new AppError(
            'conflict',
            `Lead ${id} was changed by another request at the same time; try again.`,
          );
        if (tagsChanged) await leads.replaceTags(trx, auth.orgId, id, newTags!);
        await leads.insertFieldChanges(trx, [
          ...expandFieldChanges(changes, current as Record<string, unknown>).map(([k, v, old]) => ({
            org_id: auth.orgId,
            lead_id: id,
            field: k,
            old_value: JSON.stringify(old ?? null),
            new_value: JSON.stringify(v ?? null),
            changed_by: auth.userId,
            changed_at: now,
          })),
          ...(tagsChanged
            ? [
                {
                  org_id: auth.orgId,
                  lead_id: id,
                  field: 'tags',
                  old_value: JSON.stringify(oldTags),
                  new_value: JSON.stringify(newTags),
                  changed_by: auth.userId,
                  changed_at: now,
                },
              ]
            : []),
        ]);
        if (plan)
          await leads.insertStatusHistory(
            trx,
            plan.history as Parameters<LeadRepository['insertStatusHistory']>[1],
          );
        if (updated.owner_id !== current.owner_id && updated.owner_id !== null)
          await deps.onOwnerChanged?.(trx, auth.orgId, updated, auth.userId);
        for (const p of parts) await p.afterWrite?.(trx, auth.orgId, updated);
        await emitLeadEvent(trx, auth.orgId, 'lead.updated', updated, {
          changes: [
            ...changes.map(([k]) => k),
            ...(tagsChanged ? ['tags'] : []),
            ...(plan ? ['status'] : []),
          ],
        });
        if (plan)
          await emitLeadEvent(trx, auth.orgId, 'lead.status_changed', updated, {
            from_status_id: current.status_id,
            to_status_id: updated.status_id,
          });
        return updated;
      });
      return (await present(auth.orgId, [row], opts))[0];
    },

    async remove(auth: AuthContext, id: number, ifMatch?: string, opts: TxOptions = {}): Promise<void> {
      assertCan(auth, 'leads:delete');
      await inTransaction(db, opts, async (trx) => {
        const current = await loadLive(auth.orgId, id, trx);
        await checkVisible(auth, current, trx);
        checkIfMatch(current, ifMatch);
        const now = nowIso();
        const ok = await leads.updateVersioned(trx, auth.orgId, id, current.version, {
          deleted_at: now,
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!ok)
          throw new AppError(
            'conflict',
            `Lead ${id} was changed by another request at the same time; try again.`,
          );
        await leads.insertFieldChanges(trx, [
          {
            org_id: auth.orgId,
            lead_id: id,
            field: 'deleted_at',
            old_value: 'null',
            new_value: JSON.stringify(now),
            changed_by: auth.userId,
            changed_at: now,
          },
        ]);
        // In the same transaction: the log never says "deleted" for a delete that rolled back, nor misses one.
        await deps.audit?.record(
          auth,
          { action: 'lead.deleted', targetType: 'lead', targetId: id },
          { tx: trx },
        );
        await emitLeadEvent(trx, auth.orgId, 'lead.deleted', { ...current, deleted_at: now });
      });
    },

    async restore(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<LeadDto> {
      assertCan(auth, 'leads:delete');
      const row = await inTransaction(db, opts, async (trx) => {
        const current = await leads.findById(auth.orgId, id, trx);
        if (!current) throw notFound('Lead', id);
        await checkVisible(auth, current, trx);
        if (!current.deleted_at) throw new AppError('conflict', `Lead ${id} is not deleted.`);
        const now = nowIso();
        const updated = await leads.updateVersioned(trx, auth.orgId, id, current.version, {
          deleted_at: null,
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!updated)
          throw new AppError(
            'conflict',
            `Lead ${id} was changed by another request at the same time; try again.`,
          );
        await leads.insertFieldChanges(trx, [
          {
            org_id: auth.orgId,
            lead_id: id,
            field: 'deleted_at',
            old_value: JSON.stringify(current.deleted_at),
            new_value: 'null',
            changed_by: auth.userId,
            changed_at: now,
          },
        ]);
        return updated;
      });
      return (await present(auth.orgId, [row], opts))[0];
    },

    filterFor,

    /**
     * `parts: false` leaves out the lead parts (users, contact points, items, consent): five batched reads a
     * page that a caller which renders none of them (a compatible surface) need not pay for.
     */
    async list(
      auth: AuthContext,
      query: LeadListQueryInput & Record<string, unknown>,
      opts: {
        parts?: boolean;
        /** An offset at or past the end: a 422 naming `offset` (default), or an empty page (surfaces). */
        offsetPastEnd?: 'error' | 'empty';
      } = {},
    ) {
      assertCan(auth, 'leads:read');
      const fields = parseLeadFields(query.fields);
      const { filter, knownStatuses } = await filterFor(auth, query);
      const sortParam = query.sort ?? '-created_at';
      const desc = sortParam.startsWith('-');
      const sort = (desc ? sortParam.slice(1) : sortParam) as SortKey;
      const sortNumeric = sort.startsWith('cf.')
        ? await customSortIsNumeric(auth.orgId, sort.slice(3))
        : false;
      const limit = query.limit ?? 50;
      const after = query.cursor ? decodeCursor(query.cursor, sortParam) : undefined;
      const offset = query.offset;
      const paged = offset !== undefined;
      // With an offset the total always comes along, counted once and before the page (it tells a page past the end).
      const counted = paged ? await leads.count(auth.orgId, filter) : undefined;
      if (paged && counted! > 0 && offset >= counted! && opts.offsetPastEnd !== 'empty')
        throw fieldError(
          'offset',
          `${offset} is past the end: ${counted} lead${counted === 1 ? '' : 's'} match (offsets 0 to ${counted! - 1})`,
        );
      const rows =
        paged && offset >= counted!
          ? []
          : await leads.list(auth.orgId, filter, {
              sort,
              sortNumeric,
              desc,
              limit: limit + 1,
              after,
              offset,
            });
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      // Sorts other than the four indexed columns carry their value as `sort_v` (leads.list).
      const sortCol =
        sort === 'value' ? 'value_cents' : sort in EXTRA_SORTS || sort.startsWith('cf.') ? 'sort_v' : sort;
      const next_cursor =
        more && last
          ? encodeCursor({
              s: sortParam,
              v: (last as Record<string, unknown>)[sortCol] as string | number | null,
              id: last.id,
            })
          : null;
      const [data, total] = await Promise.all([
        present(auth.orgId, page, { parts: opts.parts, fields }, knownStatuses),
        counted !== undefined
          ? Promise.resolve(counted)
          : query.include_total
            ? leads.count(auth.orgId, filter)
            : Promise.resolve(undefined),
      ]);
      return {
        // With `fields`, each lead carries only those properties (and id): typed as the full lead for callers
        // that do not ask.
        data: fields ? data.map((d) => projectLead(d, fields) as LeadDto) : data,
        next_cursor,
        ...(total !== undefined ? { total } : {}),
        ...(paged ? { offset, limit } : {}),
      };
    },
  };
}

export type LeadService = ReturnType<typeof createLeadService>;
