import { IDENTITY_COLUMNS, normalizeTags } from '../leads/lead.service.js';
import { customKey, MULTI_TARGETS, TARGET_FIELDS, type Mapping } from './mapping.js';
import {
  parseAmount,
  parseCountry,
  parseDate,
  parseTimestamp,
  toE164,
  type DateOrder,
} from './parse-values.js';
import { customValue, readFlag, splitMulti, type CustomFieldDef } from './cell-values.js';
import type { ValueMap } from './value-map.js';

export type { CustomFieldDef } from './cell-values.js';

/** Column values of one lead, as stored (custom fields still an object). */
export type LeadValues = Record<string, string | number | null>;

export interface CellError {
  column: string | null;
  value: string | null;
  message: string;
}

export interface MappedRow {
  values: LeadValues;
  custom: Record<string, string | number | boolean>;
  tags: string[];
  /** The status came from the file (an update then changes it; a default never does). */
  statusId: number | null;
  /** When the lead reached its status, when the file says (the converted date). */
  statusAt: string | null;
  /** Values of a vocabulary column that matched nothing: kept as text, counted as a warning. */
  warnings: Array<{ column: string; value: string }>;
  errors: CellError[];
}

export interface StatusRef {
  id: number;
  key: string;
  label: string;
  is_default: number;
  reason_required: number;
  category?: string;
}

export interface MemberRef {
  user_id: number;
  email: string;
  name: string;
}

export interface MapperOptions {
  mapping: Mapping;
  defaults: { status?: string; source?: string; owner_id?: number; tags?: string[]; country?: string };
  null_values: string[];
  date_order: DateOrder;
  value_map?: ValueMap;
  /** Custom field keys this import defined from the file: a value that does not fit is a warning, not a failure. */
  created_fields?: string[];
}

/** Text columns and their longest accepted value (the same limits as the lead API). */
const TEXT_LIMITS: Record<string, number> = {
  first_name: 200,
  last_name: 200,
  civility: 20,
  title: 500,
  job_title: 200,
  company_name: 300,
  website: 500,
  source: 200,
  description: 20000,
  address_line1: 300,
  address_line2: 300,
  city: 200,
  state: 100,
  postal_code: 40,
  external_id: 200,
  phone: 50,
  mobile: 50,
};
const INT_RANGES: Record<string, [number, number]> = {
  probability: [0, 100],
  rating: [1, 5],
  priority: [1, 6],
  importance: [0, 5],
};
const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
const TARGETS = new Set<string>(TARGET_FIELDS);

export function validateMapping(
  mapping: Mapping,
  header: string[],
): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  const cols = new Set(header);
  const used = new Map<string, string>();
  for (const [col, target] of Object.entries(mapping)) {
    if (!cols.has(col))
      errors.push({
        field: `mapping.${col}`,
        message: `is not a column of the file (columns: ${header.slice(0, 30).join(', ')})`,
      });
    if (target === null || target === '') continue;
    if (target.startsWith('custom_fields.')) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(target.slice('custom_fields.'.length))) {
        errors.push({
          field: `mapping.${col}`,
          message: 'custom field keys are 1-64 letters, digits, "_", "." or "-"',
        });
      }
      continue;
    }
    if (!TARGETS.has(target)) {
      errors.push({
        field: `mapping.${col}`,
        message: `"${target}" is not a lead field (one of: ${TARGET_FIELDS.join(', ')}, or custom_fields.<key>, or null to ignore)`,
      });
      continue;
    }
    if (used.has(target) && !MULTI_TARGETS.has(target)) {
      errors.push({
        field: `mapping.${col}`,
        message: `"${target}" is already mapped from column "${used.get(target)}"`,
      });
    }
    used.set(target, col);
  }
  return errors;
}

/** Compiles the mapping once; the returned function turns one row of cells into lead values. */
export function createRowMapper(
  header: string[],
  opts: MapperOptions,
  statuses: StatusRef[],
  members: MemberRef[],
  customDefs: CustomFieldDef[] = [],
) {
  const defs = new Map(customDefs.map((d) => [d.key, d]));
  const requiredDefs = customDefs.filter((d) => d.required);
  const nulls = new Set(opts.null_values.map((v) => v.trim().toLowerCase()));
  const plan = header
    .map((col, i) => {
      const vm = opts.value_map?.[col];
      // Looked up as written, then case-insensitively (a value may repeat beyond the rows listed at upload).
      const byLower = new Map<string, string | null>();
      if (vm)
        for (const [k, v] of Object.entries(vm))
          if (!byLower.has(k.trim().toLowerCase())) byLower.set(k.trim().toLowerCase(), v);
      return { i, col, key: customKey(col), target: opts.mapping[col] ?? null, vm: vm ? byLower : null };
    })
    .filter((p) => p.target);
  // A lead the file says converted (or won) lands in a status of that category: won first, since a lead in a
  // "converted" status is one turned into a contact and leaves the default lead lists (docs/decisions.md).
  const convertedStatus =
    statuses.find((s) => s.category === 'won') ?? statuses.find((s) => s.category === 'converted');
  const wonIds = new Set(
    statuses.filter((s) => ['won', 'converted'].includes(s.category ?? '')).map((s) => s.id),
  );
  const created = new Set(opts.created_fields ?? []);
  const statusByName = new Map<string, StatusRef>();
  for (const s of statuses) {
    statusByName.set(s.label.toLowerCase(), s);
    statusByName.set(s.key.toLowerCase(), s);
    statusByName.set(s.key.replace(/_/g, ' '), s);
  }
  const defaultStatus =
    (opts.defaults.status !== undefined ? statuses.find((s) => s.key === opts.defaults.status) : undefined) ??
    statuses.find((s) => s.is_default) ??
    statuses[0];
  const memberById = new Map(members.map((m) => [m.user_id, m]));
  const memberByName = new Map<string, MemberRef>();
  for (const m of members) {
    memberByName.set(m.email.toLowerCase(), m);
    memberByName.set(m.name.toLowerCase(), m);
  }
  const defaultTags = normalizeTags(opts.defaults.tags ?? []);
  const countryPlan = plan.find((p) => p.target === 'country');
  const statusPlan = plan.find((p) => p.target === 'status');
  // A Leadflow export carries its own cf.phone_e164 values: derive nothing, so it imports back unchanged.
  const deriveE164 = !header.includes('leadflow_id');

  function mapRow(cells: string[]): MappedRow {
    // Fresh objects per row: an empty cell never inherits another row's value.
    const values: LeadValues = {};
    const custom: Record<string, string | number | boolean> = {};
    const errors: CellError[] = [];
    let tags = defaultTags;
    let statusId: number | null = null;
    let converted = false;
    let convertedAt: string | null = null;
    const warnings: MappedRow['warnings'] = [];
    let rowCountry: string | null = null;
    if (countryPlan) {
      const c = (cells[countryPlan.i] ?? '').trim();
      const to = c ? countryPlan.vm?.get(c.toLowerCase()) : undefined;
      if (c) rowCountry = parseCountry(to ?? c);
    }
    const phoneCountry = rowCountry ?? opts.defaults.country ?? null;
    for (const p of plan) {
      let v = cells[p.i];
      if (v === undefined) continue;
      v = v.trim();
      if (v === '' || (nulls.size > 0 && nulls.has(v.toLowerCase()))) continue;
      const t = p.target!;
      const written = v;
      let mapped = false;
      if (p.vm) {
        const to = p.vm.get(v.toLowerCase());
        if (to === null) continue; // the user chose to ignore this value
        if (to !== undefined) {
          v = to;
          mapped = true;
        }
      }
      const warn = () => warnings.push({ column: p.col, value: written });
      const fail = (message: string) => errors.push({ column: p.col, value: written, message });
      if (t.startsWith('custom_fields.')) {
        const key = t.slice(14);
        const def = defs.get(key);
        if (!def) custom[key] = v;
        else if (def.type === 'boolean' && mapped && readFlag(v) !== null) custom[key] = readFlag(v)!;
        else {
          const r = customValue(def, v, opts.date_order);
          if (!('error' in r)) custom[key] = r.ok;
          else if (created.has(key)) {
            // The type was guessed from the rows read at upload; a later value that does not fit is kept as text.
            custom[key] = written;
            warn();
          } else fail(r.error);
        }
        continue;
      }
      switch (t) {
        case 'email': {
          const all = splitMulti(v).map((e) => e.toLowerCase());
          for (const e of all)
            if (!EMAIL.test(e) || e.length > 254) fail(`"${e}" is not a valid email address`);
          if (values.email == null) {
            values.email = all[0] ?? null;
            if (all.length > 1) custom[`${p.key}_other`] = all.slice(1).join('; ');
          } else custom[p.key] = all.join('; ');
          break;
        }
        case 'phone':
        case 'mobile': {
          const all = splitMulti(v);
          if (all.some((x) => x.length > 50)) fail('is longer than 50 characters');
          if (values[t] == null) {
            values[t] = all[0] ?? null;
            const e164 = deriveE164 ? toE164(all[0] ?? '', phoneCountry) : null;
            if (e164) custom[`${t}_e164`] = e164;
            if (all.length > 1) custom[`${p.key}_other`] = all.slice(1).join('; ');
          } else custom[p.key] = all.join('; ');
          break;
        }
        case 'full_name': {
          const parts = v.split(/\s+/);
          if (parts.length === 1) values.last_name = parts[0];
          else {
            values.last_name = parts.pop()!;
            values.first_name = parts.join(' ');
          }
          break;
        }
        case 'status': {
          const s = statusByName.get(v.toLowerCase());
          // A status that needs a reason is taken only when the user mapped the value to it (the history
          // row then notes the import); otherwise the default status, and the file's text is kept.
          if (s && (!s.reason_required || mapped)) statusId = s.id;
          else {
            custom[p.key] = written;
            warn();
          }
          break;
        }
        case 'converted': {
          const f = readFlag(v);
          if (f === null) {
            custom[p.key] = written;
            warn();
          } else converted = f;
          break;
        }
        case 'converted_at': {
          const ts = parseTimestamp(v, opts.date_order);
          if (ts === null)
            fail('is not a date and time (e.g. 2024-05-31T10:00:00Z or 15 Apr, 2021 00:03:00)');
          else convertedAt = ts;
          break;
        }
        case 'owner': {
          const m = /^\d+$/.test(v) ? memberById.get(Number(v)) : memberByName.get(v.toLowerCase());
          if (m) values.owner_id = m.user_id;
          else {
            custom[p.key] = written;
            warn();
          }
          break;
        }
        case 'value': {
          const cents = parseAmount(v);
          if (cents === null) fail('is not an amount (e.g. 1500.00)');
          else values.value_cents = cents;
          break;
        }
        case 'currency':
          if (/^[A-Za-z]{3}$/.test(v)) values.currency = v.toUpperCase();
          else fail('is not an ISO 4217 currency code such as EUR');
          break;
        case 'probability':
        case 'rating':
        case 'priority':
        case 'importance': {
          const [lo, hi] = INT_RANGES[t];
          // Words (Salesforce's Hot/Warm/Cold rating) are no scale of ours: kept as written in a custom field.
          if (!/^-?\d+(\.\d+)?\s*%?$/.test(v)) {
            custom[p.key] = v;
            if (t === 'rating') warn();
            break;
          }
          const n = Number(v.replace(/\s*%$/, ''));
          if (!Number.isInteger(n) || n < lo || n > hi) fail(`must be a whole number from ${lo} to ${hi}`);
          else values[t] = n;
          break;
        }
        case 'country':
          if (mapped && parseCountry(v)) values.country = parseCountry(v);
          else if (rowCountry) values.country = rowCountry;
          else {
            custom[p.key] = written;
            warn();
          }
          break;
        case 'locale':
          if (/^[A-Za-z]{2}([-_][A-Za-z]{2})?$/.test(v)) values.locale = v.replace('_', '-');
          else custom[p.key] = v;
          break;
        case 'birth_date':
        case 'expected_close_date': {
          const d = parseDate(v, opts.date_order);
          if (d === null) fail('is not a date (e.g. 2024-05-31, 31-05-2024 or 15 Apr, 2021)');
          else values[t] = d;
          break;
        }
        case 'created_at': {
          const ts = parseTimestamp(v, opts.date_order);
          if (ts === null)
            fail('is not a date and time (e.g. 2024-05-31T10:00:00Z or 15 Apr, 2021 00:03:00)');
          else values.created_at = ts;
          break;
        }
        case 'tags':
          tags = normalizeTags([...tags, ...v.split(/[,;|]/)]);
          break;
        default: {
          const limit = TEXT_LIMITS[t];
          if (limit !== undefined && v.length > limit) fail(`is longer than ${limit} characters`);
          else values[t] = v;
        }
      }
    }
    if (values.source == null && opts.defaults.source) values.source = opts.defaults.source;
    if (values.owner_id == null && opts.defaults.owner_id) values.owner_id = opts.defaults.owner_id;
    for (const d of requiredDefs) {
      if (custom[d.key] === undefined)
        errors.push({
          column: null,
          value: null,
          message: `The custom field "${d.label}" (${d.key}) is required; map a column to custom_fields.${d.key}.`,
        });
    }
    if (errors.length === 0 && !IDENTITY_COLUMNS.some((c) => values[c] != null)) {
      errors.push({
        column: null,
        value: null,
        message:
          'A lead needs at least one of: first name, last name, email, phone, mobile, company name or external id; this row has none.',
      });
    }
    let statusAt: string | null = null;
    if (converted && convertedStatus) {
      // The file's own status, when it is not already a won one, stays readable as text.
      if (statusId !== null && !wonIds.has(statusId) && statusPlan)
        custom[statusPlan.key] ??= (cells[statusPlan.i] ?? '').trim();
      if (statusId === null || !wonIds.has(statusId)) statusId = convertedStatus.id;
      statusAt = convertedAt;
    }
    return { values, custom, tags, statusId, statusAt, warnings, errors };
  }
  return { mapRow, defaultStatusId: defaultStatus.id };
}

export type RowMapperFn = ReturnType<typeof createRowMapper>;
