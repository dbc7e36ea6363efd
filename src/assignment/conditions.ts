import type { FieldError } from '../http/errors.js';
import { normalizeCountry } from '../lib/countries.js';

/** A condition of an assignment rule: a lead field (or `custom_fields.<key>`), an operator and a value. */
export interface Condition {
  field: string;
  op: string;
  value?: string | number | boolean | Array<string | number> | null;
}

export const CONDITION_OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'ends_with',
  'exists',
  'not_exists',
  'gt',
  'gte',
  'lt',
  'lte',
] as const;

/** API field name -> lead column (address parts by their short or `address.` name). */
const FIELD_COLUMNS: Record<string, string> = {
  first_name: 'first_name',
  last_name: 'last_name',
  civility: 'civility',
  title: 'title',
  job_title: 'job_title',
  email: 'email',
  phone: 'phone',
  mobile: 'mobile',
  company_name: 'company_name',
  website: 'website',
  source: 'source',
  description: 'description',
  external_id: 'external_id',
  currency: 'currency',
  locale: 'locale',
  probability: 'probability',
  rating: 'rating',
  priority: 'priority',
  importance: 'importance',
  team_id: 'team_id',
  value: 'value_cents',
  country: 'country',
  state: 'state',
  city: 'city',
  postal_code: 'postal_code',
  'address.country': 'country',
  'address.state': 'state',
  'address.city': 'city',
  'address.postal_code': 'postal_code',
  'address.line1': 'address_line1',
  lead_type_id: 'lead_type_id',
  source_id: 'source_id',
  category_id: 'category_id',
};
export const CONDITION_FIELDS = Object.keys(FIELD_COLUMNS);

function customKey(field: string): string | null {
  if (field.startsWith('custom_fields.')) return field.slice('custom_fields.'.length) || null;
  if (field.startsWith('cf.')) return field.slice(3) || null;
  return null;
}

/** Collects every fault of a rule's conditions, naming `conditions[i].field|op|value`. */
export function checkConditions(conditions: Condition[], errors: FieldError[]): void {
  conditions.forEach((c, i) => {
    if (!FIELD_COLUMNS[c.field] && !customKey(c.field))
      errors.push({
        field: `conditions[${i}].field`,
        message: `"${c.field}" is not a lead field (one of: ${CONDITION_FIELDS.join(', ')}, or custom_fields.<key>)`,
      });
    if (!(CONDITION_OPS as readonly string[]).includes(c.op))
      errors.push({ field: `conditions[${i}].op`, message: `must be one of: ${CONDITION_OPS.join(', ')}` });
    const needsList = c.op === 'in' || c.op === 'not_in';
    const needsNone = c.op === 'exists' || c.op === 'not_exists';
    if (needsList && !Array.isArray(c.value))
      errors.push({ field: `conditions[${i}].value`, message: `must be a list for "${c.op}"` });
    if (!needsList && !needsNone && (c.value === undefined || c.value === null || Array.isArray(c.value)))
      errors.push({ field: `conditions[${i}].value`, message: `is required for "${c.op}" (one value)` });
    if (
      (c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte') &&
      !Number.isFinite(Number(c.value))
    )
      errors.push({ field: `conditions[${i}].value`, message: `must be a number for "${c.op}"` });
  });
}

/** The value a condition looks at, from the lead's column values (before or after the insert). */
function valueOf(cols: Record<string, unknown>, field: string): unknown {
  const key = customKey(field);
  if (key !== null) {
    const raw = cols.custom_fields;
    const cf = typeof raw === 'string' ? (JSON.parse(raw || '{}') as Record<string, unknown>) : {};
    return cf[key];
  }
  const col = FIELD_COLUMNS[field];
  const v = cols[col];
  if (col === 'value_cents' && typeof v === 'number') return v / 100;
  return v;
}

function text(v: unknown): string {
  return String(v).trim().toLowerCase();
}

/** Texts compare without case; countries by their ISO code ("France" and "fr" match "FR"). */
function same(field: string, a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  if (field === 'country' || field === 'address.country') {
    const ca = normalizeCountry(String(a)) ?? String(a);
    const cb = normalizeCountry(String(b)) ?? String(b);
    return ca.toUpperCase() === cb.toUpperCase();
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b);
  return text(a) === text(b);
}

export function matches(cols: Record<string, unknown>, c: Condition): boolean {
  const v = valueOf(cols, c.field);
  const absent = v === undefined || v === null || v === '';
  switch (c.op) {
    case 'exists':
      return !absent;
    case 'not_exists':
      return absent;
    case 'eq':
      return !absent && same(c.field, v, c.value);
    case 'neq':
      return absent || !same(c.field, v, c.value);
    case 'in':
      return !absent && (c.value as unknown[]).some((x) => same(c.field, v, x));
    case 'not_in':
      return absent || !(c.value as unknown[]).some((x) => same(c.field, v, x));
    case 'contains':
      return !absent && text(v).includes(text(c.value));
    case 'starts_with':
      return !absent && text(v).startsWith(text(c.value));
    case 'ends_with':
      return !absent && text(v).endsWith(text(c.value));
    default: {
      if (absent || !Number.isFinite(Number(v))) return false;
      const a = Number(v);
      const b = Number(c.value);
      return c.op === 'gt' ? a > b : c.op === 'gte' ? a >= b : c.op === 'lt' ? a < b : a <= b;
    }
  }
}

export function allMatch(cols: Record<string, unknown>, conditions: Condition[]): boolean {
  return conditions.every((c) => matches(cols, c));
}
