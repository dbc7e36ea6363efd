import type { LeadDto } from '../../leads/lead.schema.js';
import type { FieldFaults } from '../shared/fields.js';
import { idOf, type IdKind } from './django.ids.js';
import { COUNTRY_FIELD } from './django.fields.js';
import { STATUS_WRITE, countryWrite, sourceWrite, DJANGO_STATUSES } from './django.mapping.js';
import type { LeadBodyT } from './django.schema.js';

export type WriteMode = 'create' | 'put' | 'patch';

/** A list field: an array, a JSON array in a string (multipart forms), or comma-separated values. */
export function listOf(v: unknown): unknown[] | undefined {
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  const s = String(v).trim();
  if (s === '') return [];
  if (s.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      /* read as comma-separated below */
    }
  }
  return s.split(',').map((x) => x.trim());
}

/** Ids of one kind from a list field; a fault names each value that is not one. */
export function idsOf(kind: IdKind, v: unknown, f: FieldFaults, field: string): number[] | undefined {
  const list = listOf(v);
  if (list === undefined) return undefined;
  const out: number[] = [];
  for (const x of list) {
    const id = idOf(kind, x);
    if (id === undefined) f.add(field, `"${String(x)}" is not a valid ${kind} id (UUID).`);
    else if (!out.includes(id)) out.push(id);
  }
  return out;
}

export function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes'].includes(v.toLowerCase()));
}

const blankToNull = (v: string | null | undefined) =>
  v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim();

export interface LeadWrite {
  /** The core lead input (`leads.create` / `leads.update`). */
  input: Record<string, unknown>;
  /** `auto_convert`, or `status: "converted"`: the core conversion runs in the same unit of work. */
  convert: boolean;
}

/**
 * The document's lead body as a core lead input, every fault collected in `f` (nothing is written here).
 * PUT replaces the relations (contacts, assigned_to, teams, tags) with what was sent, clearing those not sent;
 * PATCH keeps what was not sent. Scalar fields not sent are kept by both (the document's PUT sends three).
 */
export function translateLead(
  body: LeadBodyT,
  f: FieldFaults,
  mode: WriteMode,
  orgId: number,
  current?: LeadDto,
): LeadWrite {
  const input: Record<string, unknown> = {};
  const text = ['title', 'first_name', 'last_name', 'email', 'phone', 'website', 'description'] as const;
  for (const k of text) {
    const v = blankToNull(body[k]);
    if (v !== undefined) input[k] = v;
  }
  for (const k of ['first_name', 'last_name'] as const) {
    if (mode === 'create' && (input[k] === undefined || input[k] === null))
      f.add(k, 'This field is required.');
    else if (input[k] === null) f.add(k, 'This field may not be blank.');
  }
  if (typeof input.email === 'string' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email))
    f.add('email', 'Enter a valid email address.');
  const account = blankToNull(body.account_name);
  if (account !== undefined) input.company_name = account;
  const source = blankToNull(body.source);
  if (source !== undefined) input.source = source === null ? null : sourceWrite(source);

  let convert = truthy(body.auto_convert) && mode === 'create';
  const status = blankToNull(body.status);
  if (status !== undefined && status !== null) {
    const s = status.toLowerCase();
    if (s === 'converted') {
      convert = true;
      if (current?.converted) f.add('status', 'This lead is already converted.');
    } else if (s in STATUS_WRITE) input.status = STATUS_WRITE[s as keyof typeof STATUS_WRITE];
    else f.add('status', `"${status}" is not a valid choice (${DJANGO_STATUSES.join(', ')}).`);
  }
  if (convert && current?.converted && !f.list.some((e) => e.field === 'status'))
    f.add('status', 'This lead is already converted.');

  if (body.opportunity_amount !== undefined) {
    const a = body.opportunity_amount;
    if (a === null || a === '') input.value = null;
    else if (!/^-?\d{1,13}(\.\d{1,2})?$/.test(String(a).trim()))
      f.add('opportunity_amount', 'A valid number is required (at most 2 decimal places).');
    else input.value = String(a).trim();
  }
  if (body.probability !== undefined) {
    const p = body.probability === null || body.probability === '' ? null : Number(body.probability);
    if (p !== null && (!Number.isInteger(p) || p < 0 || p > 100))
      f.add('probability', 'Ensure this value is an integer between 0 and 100.');
    else input.probability = p;
  }

  const address: Record<string, string | null> = {};
  const addr = {
    address_line: 'line1',
    street: 'line2',
    city: 'city',
    state: 'state',
    postcode: 'postal_code',
  };
  for (const [k, core] of Object.entries(addr)) {
    const v = blankToNull(body[k as keyof typeof addr]);
    if (v !== undefined) address[core] = v;
  }
  const country = blankToNull(body.country);
  const custom: Record<string, string | null> = {};
  if (country !== undefined) {
    if (country === null) {
      address.country = null;
      custom[COUNTRY_FIELD] = null;
    } else {
      const code = countryWrite(country);
      if (!code)
        f.add(
          'country',
          `"${country}" is not a country this API knows (use ISO codes such as "US" or "USA").`,
        );
      else {
        address.country = code;
        custom[COUNTRY_FIELD] = country === code ? null : country;
      }
    }
  }
  if (Object.keys(address).length) input.address = address;
  if (Object.keys(custom).length) input.custom_fields = custom;

  const put = mode === 'put';
  const contacts = idsOf('contact', body.contacts, f, 'contacts');
  if (contacts !== undefined || put) input.contact_ids = contacts ?? [];
  const teams = idsOf('team', body.teams, f, 'teams');
  if (teams !== undefined || put) input.team_ids = teams ?? [];
  const assigned = idsOf('user', body.assigned_to, f, 'assigned_to');
  if (assigned !== undefined || put) {
    // Only the assignees are this field's: the lead's other roles (advisor, bdc...) stay.
    const others = (current?.users ?? [])
      .filter((u) => u.role !== 'assignee' && u.role !== 'owner')
      .map((u) => ({ user_id: u.user_id, role: u.role }));
    input.users = [...others, ...(assigned ?? []).map((user_id) => ({ user_id, role: 'assignee' }))];
  }
  const tags = listOf(body.tags);
  if (tags !== undefined || put) {
    const names = (tags ?? []).map((t) => String(t).trim()).filter((t) => t !== '');
    for (const t of names)
      if (t.length > 100) f.add('tags', `"${t.slice(0, 20)}..." is longer than 100 characters.`);
    input.tags = [...new Set(names)];
  }
  if (body.company !== undefined) {
    const c = body.company === null || body.company === '' ? null : idOf('company', body.company);
    if (c === undefined) f.add('company', `"${body.company}" is not a valid company id (UUID).`);
    else input.company_id = c;
  }
  if (body.org !== undefined && body.org !== null && body.org !== '' && idOf('org', body.org) !== orgId)
    f.add('org', 'is not the organization named by the request (organization-id header).');
  return { input, convert };
}
