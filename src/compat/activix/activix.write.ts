import type { AuthContext } from '../../access/roles.js';
import { AppError, type FieldError } from '../../http/errors.js';
import type { TxOptions } from '../../db/unit-of-work.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import { checkItem } from '../../leads/lead-items.service.js';
import type { ItemInputT } from '../../leads/lead-items.schema.js';
import type { FieldFaults } from '../shared/fields.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { ActivixDeps } from './activix.deps.js';
import {
  ENUMS,
  GENDERS,
  OWNED_DATES,
  SERVICE_BOOLS,
  SERVICE_DATES,
  SERVICE_INTERVALS_KM,
  SERVICE_INTS,
  SERVICE_TEXTS,
  UNSUBSCRIBE_DATES,
  USER_ROLES,
} from './activix.fields.js';
import { storeTime } from './activix.view.js';

type Body = Record<string, unknown>;
type UserRef = { id?: number; email?: string; first_name?: string; last_name?: string };
type Member = { id: number; email: string; name: string; active?: boolean };
type CoreInput = Record<string, unknown> & {
  custom_fields: Record<string, string | number | boolean | null>;
};

export const EMAIL_TYPES = ['home', 'work', 'other'];
export const PHONE_TYPES = ['home', 'work', 'mobile', 'fax', 'pager', 'other'];
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY = /^(\d{4}-\d{2}-\d{2})(T.*)?$/;

/** The members of the organization, listed once per write (only when a user is named). */
async function membersOf(deps: ActivixDeps, auth: AuthContext, body: Body): Promise<Member[]> {
  if (!USER_ROLES.some((r) => body[r])) return [];
  return (await deps.users.list(auth)).data;
}

/** A user named by id, email, or first and last name (matched in that order); a fault when none matches. */
export function matchUser(
  ref: UserRef,
  members: Member[],
  f: FieldFaults,
  field: string,
): number | undefined {
  const live = members.filter((m) => m.active !== false);
  let m: Member | undefined;
  if (ref.id !== undefined) m = live.find((x) => x.id === ref.id);
  else if (ref.email) m = live.find((x) => x.email.toLowerCase() === ref.email!.trim().toLowerCase());
  else if (ref.first_name || ref.last_name) {
    const name = `${ref.first_name ?? ''} ${ref.last_name ?? ''}`.trim().replace(/\s+/g, ' ').toLowerCase();
    m = live.find((x) => x.name.trim().replace(/\s+/g, ' ').toLowerCase() === name);
  } else {
    f.add(field, 'needs an id, an email, or a first and last name');
    return undefined;
  }
  if (!m)
    f.add(field, 'does not match an active user of this account (by id, email, or first and last name)');
  return m?.id;
}

function checkEnum(f: FieldFaults, field: string, v: unknown): void {
  if (v === undefined || v === null) return;
  const list = ENUMS[field];
  if (!list.includes(v as string)) f.add(field, `is invalid (one of: ${list.join(', ')})`);
}

/** A client instant -> the stored form, or a fault. */
function instant(f: FieldFaults, field: string, v: unknown): string | null | undefined {
  if (v === undefined || v === null) return v as null | undefined;
  const t = f.time(field, v as string);
  return t ? storeTime(t.instant) : undefined;
}

export function checkEmail(f: FieldFaults, e: { address?: string; type?: string }): void {
  if (e.address !== undefined && !EMAIL.test(e.address.trim()))
    f.add('address', 'must be a valid email address');
  if (e.type !== undefined && !EMAIL_TYPES.includes(e.type))
    f.add('type', `is invalid (one of: ${EMAIL_TYPES.join(', ')})`);
}

export function checkPhoneBody(f: FieldFaults, p: { number?: string; type?: string }): void {
  if (p.number !== undefined && !E164.test(p.number))
    f.add('number', 'must be an E.164 number such as +15145551234');
  if (p.type !== undefined && !PHONE_TYPES.includes(p.type))
    f.add('type', `is invalid (one of: ${PHONE_TYPES.join(', ')})`);
}

/** A vehicle body as a core item (type vehicle, `type` wanted/exchange as the vehicle's intent), checked by the core's rules. */
export function vehicleItem(f: FieldFaults, v: Body, partial = false): Partial<ItemInputT> {
  const { type, lead_id: _lead, ...fields } = v;
  void _lead;
  if (type !== undefined && type !== 'wanted' && type !== 'exchange')
    f.add('type', 'is invalid (one of: wanted, exchange)');
  const vehicle: Body = { ...fields };
  if (type !== undefined || !partial) vehicle.intent = (type as string | undefined) ?? 'wanted';
  const item = { type: 'vehicle', vehicle } as Partial<ItemInputT>;
  const errors: FieldError[] = [];
  checkItem(item, '', errors);
  for (const e of errors) f.add(e.field.replace(/^vehicle\./, '').replace(/^intent$/, 'type'), e.message);
  return item;
}

/** Each type once: within the list sent and against what the lead already has. */
function onePerType(
  f: FieldFaults,
  list: Array<{ type?: string }>,
  had: string[],
  def: string,
  what: string,
) {
  const seen = new Set(had);
  list.forEach((x, i) => {
    const t = x.type ?? def;
    if (seen.has(t))
      f.at(i).add('type', `has already been taken (the lead has a ${t} ${what}; one per type)`);
    seen.add(t);
  });
}

/**
 * The Lead object's attributes as the core's lead input, collecting every fault first. On update, `current` is
 * the lead as it is (users merge by role; emails, phones and vehicles are appended by the caller).
 */
export async function toCoreInput(
  deps: ActivixDeps,
  kit: SurfaceKit,
  auth: AuthContext,
  body: Body,
  f: FieldFaults,
  current?: LeadDto,
): Promise<{ input: CoreInput; createdAt?: string }> {
  const fields = kit.fields;
  const input: CoreInput = { custom_fields: {} };
  const cf = input.custom_fields;
  const own = (k: string, v: unknown) => {
    if (v !== undefined) cf[fields.stored(k)] = v as string | number | boolean | null;
  };

  if (body.account_id !== undefined && body.account_id !== auth.orgId)
    f.add('account_id', `is not your account (GET /account: ${auth.orgId})`);
  for (const k of Object.keys(ENUMS)) checkEnum(f, k, body[k]);
  if (!current && (body.type === undefined || body.type === null)) f.add('type', 'field is required');
  if (current && body.type === null) f.add('type', 'field is required');
  for (const k of ['first_name', 'last_name', 'civility', 'source', 'locale', 'rating'] as const)
    if (body[k] !== undefined) input[k] = body[k];
  if (body.rating != null && ((body.rating as number) < 1 || (body.rating as number) > 5))
    f.add('rating', 'must be between 1 and 5');
  if (body.gender != null && !(GENDERS as readonly number[]).includes(body.gender as number))
    f.add('gender', 'must be an ISO/IEC 5218 code: 0, 1, 2 or 9');
  if (
    body.service_interval_km != null &&
    !(SERVICE_INTERVALS_KM as readonly number[]).includes(body.service_interval_km as number)
  )
    f.add('service_interval_km', `is invalid (one of: ${SERVICE_INTERVALS_KM.join(', ')})`);
  if (body.locale != null && !/^[A-Za-z]{2}$/.test(body.locale as string))
    f.add('locale', 'must be a two-letter ISO 639-1 code');

  const address: Record<string, unknown> = {};
  const addr = {
    address_line1: 'line1',
    address_line2: 'line2',
    city: 'city',
    province: 'state',
    postal_code: 'postal_code',
    country: 'country',
  };
  for (const [k, core] of Object.entries(addr)) if (body[k] !== undefined) address[core] = body[k];
  if (Object.keys(address).length) input.address = address;

  if (body.birth_date !== undefined) {
    if (body.birth_date === null) input.birth_date = null;
    else {
      const m = DAY.exec(body.birth_date as string);
      const day = m?.[1];
      if (
        !day ||
        !Number.isFinite(Date.parse(`${day}T00:00:00Z`)) ||
        new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day
      )
        f.add('birth_date', 'is not a valid date (YYYY-MM-DD)');
      else input.birth_date = day;
    }
  }
  let createdAt: string | undefined;
  if (body.created_at != null) {
    if (current) f.add('created_at', 'cannot be changed');
    else {
      const t = f.time('created_at', body.created_at as string);
      if (t && Date.parse(t.instant) > Date.now()) f.add('created_at', 'must not be in the future');
      else if (t) createdAt = t.instant;
    }
  }

  for (const k of [...OWNED_DATES, ...SERVICE_DATES]) own(k, instant(f, k, body[k]));
  const consent: Record<string, string | null> = {};
  for (const [k, c] of Object.entries(UNSUBSCRIBE_DATES)) {
    const v = instant(f, k, body[k]);
    if (v !== undefined) consent[`${c}_at`] = v;
  }
  if (Object.keys(consent).length) input.consent = consent;

  for (const k of ['created_method', 'division', 'result', 'segment', 'type', ...SERVICE_TEXTS])
    own(k, body[k]);
  for (const k of ['customer_id', 'source_id', 'gender', ...SERVICE_INTS, ...SERVICE_BOOLS]) own(k, body[k]);
  if (!current && body.created_method == null) own('created_method', 'api');
  for (const k of ['second_contact', 'second_contact_civility'])
    if (body[k] !== undefined) cf[k] = body[k] as string | null;

  // Users by role: one each; on update the other roles stay as they are.
  const members = await membersOf(deps, auth, body);
  const roles = new Map<string, number | null>();
  for (const r of USER_ROLES) {
    const ref = body[r] as UserRef | null | undefined;
    if (ref === undefined) continue;
    roles.set(r, ref === null ? null : (matchUser(ref, members, f, r) ?? null));
  }
  if (roles.size) {
    const kept = (current?.users ?? [])
      .filter((u) => u.id !== null && u.role !== 'owner' && !roles.has(u.role))
      .map((u) => ({ user_id: u.user_id, role: u.role }));
    input.users = [
      ...kept,
      ...[...roles].filter(([, id]) => id !== null).map(([role, id]) => ({ user_id: id!, role })),
    ];
  }

  // Status: duplicate, invalid, lost; null brings the lead back to the organization's default (open) status.
  if (body.status !== undefined && (body.status === null || ENUMS.status.includes(body.status as string))) {
    if (body.status === null) {
      if (current) {
        const words = await deps.statuses.listStatusWords(auth);
        const back =
          words.find((w) => w.is_default && w.category === 'open') ??
          words.find((w) => w.category === 'open');
        if (back && current.status_category !== 'open' && current.status_category !== 'on_hold')
          input.status = back.key;
      }
    } else {
      input.status = body.status;
      if (body.status === 'lost' && current?.status_category !== 'lost') {
        const reason = (await deps.reasons.listReasons(auth, { category: 'lost' }))[0];
        if (reason) input.reason_id = reason.id;
      }
    }
  }

  // Emails, phones, vehicles: checked here; on create they go with the lead, on update they are appended.
  const emails =
    (body.emails as Array<{ address: string; type?: string; valid?: boolean }> | undefined) ?? [];
  const phones =
    (body.phones as
      Array<{ number: string; type?: string; extension?: string | null; valid?: boolean }> | undefined) ?? [];
  const vehicles = (body.vehicles as Body[] | undefined) ?? [];
  emails.forEach((e, i) => checkEmail(f.at('emails', i), e));
  phones.forEach((p, i) => checkPhoneBody(f.at('phones', i), p));
  onePerType(
    f.at('emails'),
    emails,
    (current?.emails ?? []).map((e) => e.type),
    'home',
    'email',
  );
  onePerType(
    f.at('phones'),
    phones,
    (current?.phones ?? []).map((p) => p.type),
    'home',
    'phone',
  );
  const known = new Set((current?.phones ?? []).map((p) => p.number.replace(/\D/g, '')));
  phones.forEach((p) => {
    const d = p.number.replace(/\D/g, '');
    if (known.has(d)) throw new AppError('forbidden', 'Duplicate phone.');
    known.add(d);
  });
  const items = vehicles.map((v, i) => vehicleItem(f.at('vehicles', i), v));
  if (!current) {
    if (emails.length) {
      input.emails = emails.map((e) => ({
        address: e.address.trim(),
        type: e.type ?? 'home',
        ...(e.valid !== undefined ? { valid: e.valid } : {}),
      }));
      input.email = (input.emails as Array<{ address: string }>)[0].address.toLowerCase();
    }
    if (phones.length) {
      input.phones = phones.map((p) => ({
        number: p.number,
        type: p.type ?? 'home',
        extension: p.extension ?? null,
        ...(p.valid !== undefined ? { valid: p.valid } : {}),
      }));
      const mobile = phones.find((p) => p.type === 'mobile');
      const other = phones.find((p) => (p.type ?? 'home') !== 'mobile');
      if (mobile) input.mobile = mobile.number;
      if (other) input.phone = other.number;
    }
    if (items.length) input.items = items;
  }
  return { input, ...(createdAt ? { createdAt } : {}) };
}

/** The appended parts of an update, written in the caller's unit of work. */
export async function appendParts(
  deps: ActivixDeps,
  auth: AuthContext,
  leadId: number,
  body: Body,
  f: FieldFaults,
  opts: TxOptions,
) {
  for (const e of (body.emails as Array<{ address: string; type?: string; valid?: boolean }> | undefined) ??
    [])
    await deps.points.emails.add(
      auth,
      leadId,
      {
        address: e.address.trim(),
        type: e.type ?? 'home',
        ...(e.valid !== undefined ? { valid: e.valid } : {}),
      },
      opts,
    );
  for (const p of (body.phones as
    Array<{ number: string; type?: string; extension?: string | null; valid?: boolean }> | undefined) ?? [])
    await deps.points.phones.add(
      auth,
      leadId,
      {
        number: p.number,
        type: p.type ?? 'home',
        extension: p.extension ?? null,
        ...(p.valid !== undefined ? { valid: p.valid } : {}),
      },
      opts,
    );
  for (const [i, v] of ((body.vehicles as Body[] | undefined) ?? []).entries())
    await deps.items.add(auth, leadId, vehicleItem(f.at('vehicles', i), v) as ItemInputT, opts);
}

/** Exact-match duplicate detection, when the organization turned it on: 403 "Duplicate lead.". */
export async function refuseDuplicate(
  deps: ActivixDeps,
  auth: AuthContext,
  body: Body,
  opts: TxOptions,
): Promise<void> {
  if (!(await deps.duplicates.enabled(auth, opts))) return;
  const emails = ((body.emails as Array<{ address: string }> | undefined) ?? []).map((e) => e.address);
  const phones = ((body.phones as Array<{ number: string }> | undefined) ?? []).map((p) => p.number);
  if (await deps.duplicates.findDuplicate(auth, { emails, phones }, opts))
    throw new AppError('forbidden', 'Duplicate lead.');
}
