import type { Kysely } from 'kysely';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow, LeadUpdate } from './lead.repository.js';
import { failOn, type LeadPart } from './lead-parts.js';
import { refreshLeadSearch } from './lead-search.js';
import type {
  ContactPointRepository,
  ContactPointRow,
  ContactPointInsert,
} from './contact-points.repository.js';
import {
  EMAIL_TYPES,
  PHONE_TYPES,
  type EmailDto,
  type EmailInputT,
  type PhoneDto,
  type PhoneInputT,
} from './contact-points.schema.js';

export interface ContactPointServiceDeps {
  db: Kysely<Database>;
  repo: ContactPointRepository;
  leads: LeadRepository;
  guard: (auth: AuthContext, leadId: number, mode: 'read' | 'write', opts?: TxOptions) => Promise<void>;
  /** In the transaction, after an email or phone of a lead changed on its own (src/duplicates keeps its keys). */
  onChanged?: (trx: Kysely<Database>, orgId: number, lead: LeadRow) => Promise<void>;
}

type Kind = 'email' | 'phone';
/** The lead column a primary contact point is mirrored in. */
type Slot = 'email' | 'phone' | 'mobile';
const slotOf = (kind: Kind, type: string): Slot =>
  kind === 'email' ? 'email' : type === 'mobile' ? 'mobile' : 'phone';
const SLOTS: Record<Kind, Slot[]> = { email: ['email'], phone: ['phone', 'mobile'] };

/** Working shape of one contact point while a change is planned. */
interface Point {
  id?: number;
  value: string;
  digits: string | null;
  type: string;
  extension: string | null;
  valid: boolean;
  primary: boolean;
  created_at?: string;
}

/** Digits of a phone number with its country code when it can be told; a fault when it is not a phone. */
export function checkPhone(
  number: string,
  country: string | null | undefined,
): { digits: string } | { error: string } {
  const parsed = parsePhoneNumberFromString(number, (country?.toUpperCase() as CountryCode) || undefined);
  if (parsed) {
    if (!parsed.isPossible())
      return { error: `"${number}" is not a possible phone number${country ? ` in ${country}` : ''}` };
    return { digits: parsed.number.replace(/\D/g, '') };
  }
  const digits = number.replace(/\D/g, '');
  if (!/^[+\d\s().\-/]+$/.test(number) || digits.length < 4 || digits.length > 15)
    return { error: `"${number}" is not a phone number` };
  return { digits };
}

function rowToPoint(r: ContactPointRow): Point {
  return {
    id: r.id,
    value: r.value,
    digits: r.digits,
    type: r.type,
    extension: r.extension,
    valid: r.valid === 1,
    primary: r.is_primary === 1,
    created_at: r.created_at,
  };
}
function toEmail(r: ContactPointRow): EmailDto {
  return {
    id: r.id,
    address: r.value,
    type: r.type,
    valid: r.valid === 1,
    primary: r.is_primary === 1,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
function toPhone(r: ContactPointRow): PhoneDto {
  return {
    id: r.id,
    number: r.value,
    extension: r.extension,
    type: r.type,
    valid: r.valid === 1,
    primary: r.is_primary === 1,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** One primary per slot: the preferred one (just written) wins, else the first flagged, else the first of the slot. */
function settle(kind: Kind, points: Point[], prefer?: Point): void {
  for (const slot of SLOTS[kind]) {
    const inSlot = points.filter((p) => slotOf(kind, p.type) === slot);
    if (!inSlot.length) continue;
    const winner =
      prefer && prefer.primary && inSlot.includes(prefer)
        ? prefer
        : (inSlot.find((p) => p.primary) ?? inSlot[0]);
    for (const p of inSlot) p.primary = p === winner;
  }
}

/** The values of leads.email / phone / mobile that the primaries imply. */
function columnsOf(kind: Kind, points: Point[]): Partial<Record<Slot, string | null>> {
  const out: Partial<Record<Slot, string | null>> = {};
  for (const slot of SLOTS[kind])
    out[slot] = points.find((p) => p.primary && slotOf(kind, p.type) === slot)?.value ?? null;
  return out;
}

export function createContactPointService({ db, repo, leads, guard, ...deps }: ContactPointServiceDeps) {
  /** Checks one email or phone body; pushes faults under `path` and returns the working point. */
  function checkPoint(
    kind: Kind,
    input: Partial<EmailInputT & PhoneInputT>,
    country: string | null | undefined,
    path: string,
    errors: FieldError[],
    base?: Point,
  ): Point {
    const types: readonly string[] = kind === 'email' ? EMAIL_TYPES : PHONE_TYPES;
    const type = input.type ?? base?.type ?? 'other';
    if (!types.includes(type))
      errors.push({
        field: `${path}type`,
        message: `"${type}" is not a ${kind} type (one of: ${types.join(', ')})`,
      });
    let value = base?.value ?? '';
    let digits = base?.digits ?? null;
    if (kind === 'email' && input.address !== undefined) value = input.address.trim().toLowerCase();
    if (kind === 'phone' && input.number !== undefined) {
      value = input.number.trim();
      const r = checkPhone(value, country);
      if ('error' in r) errors.push({ field: `${path}number`, message: r.error });
      else digits = r.digits;
    }
    return {
      id: base?.id,
      value,
      digits: kind === 'phone' ? digits : null,
      type,
      extension:
        kind === 'phone'
          ? input.extension !== undefined
            ? input.extension || null
            : (base?.extension ?? null)
          : null,
      valid: input.valid ?? base?.valid ?? true,
      primary: input.primary ?? base?.primary ?? false,
      created_at: base?.created_at,
    };
  }

  function checkList(
    kind: Kind,
    list: Array<Partial<EmailInputT & PhoneInputT>>,
    country: string | null | undefined,
    errors: FieldError[],
  ): Point[] {
    const field = kind === 'email' ? 'emails' : 'phones';
    const points = list.map((p, i) => checkPoint(kind, p, country, `${field}.${i}.`, errors));
    const seenPrimary = new Set<Slot>();
    points.forEach((p, i) => {
      if (!p.primary) return;
      const slot = slotOf(kind, p.type);
      if (seenPrimary.has(slot))
        errors.push({
          field: `${field}.${i}.primary`,
          message: `only one primary ${slot === 'email' ? 'email' : slot === 'mobile' ? 'mobile phone' : 'phone (other than mobile)'} per lead`,
        });
      seenPrimary.add(slot);
    });
    return points;
  }

  /** Writes a whole planned list of one kind and mirrors the primaries into the lead; returns the column changes. */
  async function persist(
    trx: Kysely<Database>,
    orgId: number,
    lead: LeadRow,
    kind: Kind,
    points: Point[],
    /** A new lead: it has no rows of its own to remove. */
    created = false,
  ): Promise<LeadUpdate> {
    settle(kind, points);
    const now = nowIso();
    if (!created) await repo.removeAll(trx, orgId, lead.id, kind);
    for (const [position, p] of points.entries()) {
      const row = await repo.insertOne(trx, {
        ...(p.id !== undefined ? { id: p.id } : {}),
        org_id: orgId,
        lead_id: lead.id,
        kind,
        value: p.value,
        digits: p.digits,
        type: p.type,
        extension: p.extension,
        valid: p.valid ? 1 : 0,
        is_primary: p.primary ? 1 : 0,
        position,
        created_at: p.created_at ?? now,
        updated_at: now,
      } satisfies ContactPointInsert);
      p.id = row.id;
      p.created_at = row.created_at;
    }
    const cols = columnsOf(kind, points);
    const set: LeadUpdate = {};
    for (const [slot, v] of Object.entries(cols) as Array<[Slot, string | null]>)
      if (lead[slot] !== v) set[slot] = v;
    return set;
  }

  /** The points of a lead, with the lead's own email/phone/mobile when no row holds them (imports write only those). */
  function view(lead: LeadRow, rows: ContactPointRow[]) {
    const emails = rows.filter((r) => r.kind === 'email').map(toEmail);
    const phones = rows.filter((r) => r.kind === 'phone').map(toPhone);
    if (lead.email && !emails.some((e) => e.primary && e.address === lead.email))
      emails.unshift({
        id: null,
        address: lead.email,
        type: 'other',
        valid: true,
        primary: !emails.some((e) => e.primary),
        created_at: null,
        updated_at: null,
      });
    for (const slot of ['phone', 'mobile'] as const) {
      const v = lead[slot];
      if (v && !phones.some((p) => p.primary && p.number === v && slotOf('phone', p.type) === slot))
        phones.unshift({
          id: null,
          number: v,
          extension: null,
          type: slot === 'mobile' ? 'mobile' : 'other',
          valid: true,
          primary: !phones.some((p) => p.primary && slotOf('phone', p.type) === slot),
          created_at: null,
          updated_at: null,
        });
    }
    return { emails, phones };
  }

  async function recordColumns(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    set: LeadUpdate,
    now: string,
  ) {
    const entries = Object.entries(set) as Array<[Slot, string | null]>;
    await leads.insertFieldChanges(
      trx,
      entries.map(([k, v]) => ({
        org_id: auth.orgId,
        lead_id: lead.id,
        field: k,
        old_value: JSON.stringify(lead[k]),
        new_value: JSON.stringify(v),
        changed_by: auth.userId,
        changed_at: now,
      })),
    );
  }

  /** Keeps the rows in step when a client writes leads.email / phone / mobile directly. */
  async function followColumns(
    trx: Kysely<Database>,
    orgId: number,
    lead: LeadRow,
    next: Partial<Record<Slot, string | null>>,
    created = false,
  ) {
    for (const kind of ['email', 'phone'] as const) {
      const slots = SLOTS[kind].filter((s) => next[s] !== undefined);
      if (!slots.length) continue;
      // A new lead has no rows yet: nothing to read.
      const points = created ? [] : (await repo.of(orgId, [lead.id], kind, trx)).map(rowToPoint);
      let touched = false;
      for (const slot of slots) {
        const v = next[slot] ?? null;
        const current = points.find((p) => p.primary && slotOf(kind, p.type) === slot);
        if ((current?.value ?? null) === v) continue;
        touched = true;
        if (v === null) points.splice(points.indexOf(current!), 1);
        else if (current)
          Object.assign(current, { value: v, digits: kind === 'phone' ? v.replace(/\D/g, '') : null });
        else {
          for (const p of points) if (slotOf(kind, p.type) === slot) p.primary = false;
          points.unshift({
            value: v,
            digits: kind === 'phone' ? v.replace(/\D/g, '') : null,
            type: slot === 'mobile' ? 'mobile' : 'other',
            extension: null,
            valid: true,
            primary: true,
          });
        }
      }
      if (touched) await persist(trx, orgId, { ...lead, ...next }, kind, points, created);
    }
  }

  const part: LeadPart = {
    async check(_orgId, input, errors) {
      const country = (input.address as { country?: string | null } | undefined)?.country;
      for (const kind of ['email', 'phone'] as const) {
        const list = input[kind === 'email' ? 'emails' : 'phones'] as
          Array<Partial<EmailInputT & PhoneInputT>> | undefined;
        if (!list) continue;
        const points = checkList(kind, list, country, errors);
        settle(kind, points);
        // A body that sends both must agree on the primary one.
        for (const [slot, v] of Object.entries(columnsOf(kind, points)) as Array<[Slot, string | null]>) {
          const sent = input[slot] as string | null | undefined;
          if (sent === undefined) continue;
          const norm =
            sent === null || sent.trim() === '' ? null : slot === 'email' ? sent.trim().toLowerCase() : sent;
          if (norm !== v)
            errors.push({
              field: slot,
              message: `must be the primary one of ${kind === 'email' ? 'emails' : 'phones'} (${v ?? 'none'}), or be left out`,
            });
        }
      }
    },

    async write(trx, auth, lead, input, created) {
      const country = (input.address as { country?: string | null } | undefined)?.country ?? lead.country;
      let changed = false;
      const set: LeadUpdate = {};
      for (const kind of ['email', 'phone'] as const) {
        const list = input[kind === 'email' ? 'emails' : 'phones'] as
          Array<Partial<EmailInputT & PhoneInputT>> | undefined;
        if (!list) continue;
        const errors: FieldError[] = [];
        const points = checkList(kind, list, country, errors);
        failOn(errors);
        const before = (await repo.of(auth.orgId, [lead.id], kind, trx))
          .map((r) => `${r.value}|${r.type}|${r.extension}|${r.valid}|${r.is_primary}`)
          .join(',');
        Object.assign(set, await persist(trx, auth.orgId, lead, kind, points));
        const after = (await repo.of(auth.orgId, [lead.id], kind, trx))
          .map((r) => `${r.value}|${r.type}|${r.extension}|${r.valid}|${r.is_primary}`)
          .join(',');
        if (before !== after) changed = true;
      }
      if (Object.keys(set).length) {
        await trx
          .updateTable('leads')
          .set(set)
          .where('org_id', '=', auth.orgId)
          .where('id', '=', lead.id)
          .execute();
        if (!created) await recordColumns(trx, auth, lead, set, nowIso());
      }
      // email / phone / mobile written without the lists: the rows follow.
      const next: Partial<Record<Slot, string | null>> = {};
      for (const slot of ['email', 'phone', 'mobile'] as const) {
        const listGiven = input[slot === 'email' ? 'emails' : 'phones'] !== undefined;
        const v = input[slot] as string | null | undefined;
        if (listGiven) continue;
        if (created) {
          if (lead[slot]) next[slot] = lead[slot];
        } else if (v !== undefined)
          next[slot] = v === null || v.trim() === '' ? null : slot === 'email' ? v.trim().toLowerCase() : v;
      }
      await followColumns(trx, auth.orgId, lead, next, created);
      return changed;
    },

    async describe(orgId, rows, trx) {
      const points = await repo.of(
        orgId,
        rows.map((r) => r.id),
        undefined,
        trx,
      );
      const byLead = new Map<number, ContactPointRow[]>();
      for (const p of points) (byLead.get(p.lead_id) ?? byLead.set(p.lead_id, []).get(p.lead_id)!).push(p);
      return new Map(rows.map((r) => [r.id, view(r, byLead.get(r.id) ?? [])]));
    },
  };

  async function loadLead(trx: Kysely<Database>, orgId: number, id: number, lock = false): Promise<LeadRow> {
    const row = await leads.findById(orgId, id, trx, lock);
    if (!row || row.deleted_at) throw notFound('Lead', id);
    return row;
  }

  /** One point changed (added, edited, removed): settle the primaries, write the list, bump the lead. */
  async function change(
    auth: AuthContext,
    leadId: number,
    kind: Kind,
    fn: (points: Point[], lead: LeadRow, errors: FieldError[]) => Point | undefined,
    opts: TxOptions,
  ): Promise<ContactPointRow | undefined> {
    await guard(auth, leadId, 'write', opts);
    return inTransaction(db, opts, async (trx) => {
      const lead = await loadLead(trx, auth.orgId, leadId, true);
      const points = (await repo.of(auth.orgId, [leadId], kind, trx)).map(rowToPoint);
      const errors: FieldError[] = [];
      const touched = fn(points, lead, errors);
      failOn(errors);
      settle(kind, points, touched);
      const set = await persist(trx, auth.orgId, lead, kind, points);
      const now = nowIso();
      const ok = await leads.updateVersioned(trx, auth.orgId, leadId, lead.version, {
        ...set,
        updated_at: now,
        updated_by: auth.userId,
      });
      if (!ok)
        throw new AppError(
          'conflict',
          `Lead ${leadId} was changed by another request at the same time; try again.`,
        );
      await recordColumns(trx, auth, lead, set, now);
      await leads.insertFieldChanges(trx, [
        {
          org_id: auth.orgId,
          lead_id: leadId,
          field: kind === 'email' ? 'emails' : 'phones',
          old_value: null,
          new_value: JSON.stringify(touched ? touched.value : null),
          changed_by: auth.userId,
          changed_at: now,
        },
      ]);
      await refreshLeadSearch(trx, auth.orgId, lead);
      await deps.onChanged?.(trx, auth.orgId, lead);
      if (!touched) return undefined;
      return (await repo.of(auth.orgId, [leadId], kind, trx)).find((r) => r.id === touched.id);
    });
  }

  function crud<D>(kind: Kind, toDto: (r: ContactPointRow) => D, viewKey: 'emails' | 'phones') {
    const what = kind === 'email' ? 'Email' : 'Phone';
    return {
      async list(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<D[]> {
        await guard(auth, leadId, 'read', opts);
        const trx = runner(db, opts);
        const lead = await loadLead(trx, auth.orgId, leadId);
        return view(lead, await repo.of(auth.orgId, [leadId], undefined, trx))[viewKey] as D[];
      },
      async get(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<D> {
        await guard(auth, leadId, 'read', opts);
        const row = (await repo.of(auth.orgId, [leadId], kind, runner(db, opts))).find((r) => r.id === id);
        if (!row) throw notFound(what, id);
        return toDto(row);
      },
      async add(
        auth: AuthContext,
        leadId: number,
        input: Partial<EmailInputT & PhoneInputT>,
        opts: TxOptions = {},
      ): Promise<D> {
        const row = await change(
          auth,
          leadId,
          kind,
          (points, lead, errors) => {
            const made = checkPoint(kind, input, lead.country, '', errors);
            points.push(made);
            return made;
          },
          opts,
        );
        return toDto(row!);
      },
      async update(
        auth: AuthContext,
        leadId: number,
        id: number,
        input: Partial<EmailInputT & PhoneInputT>,
        opts: TxOptions = {},
      ): Promise<D> {
        const row = await change(
          auth,
          leadId,
          kind,
          (points, lead, errors) => {
            const i = points.findIndex((p) => p.id === id);
            if (i < 0) throw notFound(what, id);
            const next = checkPoint(kind, input, lead.country, '', errors, points[i]);
            if (input.primary === false && points[i].primary) {
              const other = points.find(
                (p, j) => j !== i && slotOf(kind, p.type) === slotOf(kind, next.type),
              );
              if (other) other.primary = true;
            }
            points[i] = next;
            return next;
          },
          opts,
        );
        return toDto(row!);
      },
      async remove(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<void> {
        await change(
          auth,
          leadId,
          kind,
          (points) => {
            const i = points.findIndex((p) => p.id === id);
            if (i < 0) throw notFound(what, id);
            points.splice(i, 1);
            return undefined;
          },
          opts,
        );
      },
    };
  }

  /** The lead an email or phone belongs to, by the point's own id (surfaces address points without their lead). */
  async function findPoint(
    auth: AuthContext,
    kind: Kind,
    id: number,
    opts: TxOptions = {},
  ): Promise<{ lead_id: number }> {
    const row = await runner(db, opts)
      .selectFrom('lead_contact_points')
      .select('lead_id')
      .where('org_id', '=', auth.orgId)
      .where('kind', '=', kind)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(kind === 'email' ? 'Email' : 'Phone', id);
    await guard(auth, row.lead_id, 'read', opts);
    return row;
  }

  return {
    part,
    findPoint,
    emails: crud('email', toEmail, 'emails'),
    phones: crud('phone', toPhone, 'phones'),
  };
}

export type ContactPointService = ReturnType<typeof createContactPointService>;
