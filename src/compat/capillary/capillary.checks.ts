import type { AuthContext } from '../../access/roles.js';
import type { FieldFaults } from '../shared/fields.js';
import { isOwnedKey } from '../shared/owned-fields.js';
import type { ClientTime } from '../shared/time.js';
import type { CatalogSnapshot } from '../../pipeline/catalog-snapshot.js';
import type { CapillaryDeps, FollowUpWrite } from './capillary.deps.js';
import { coreKeyFor } from './capillary.mapping.js';
import type { SeedStatus } from './capillary.schema.js';

/** Checks and small steps shared by this surface's writes (capillary.write.ts). Nothing here writes. */

export type Warning = { code: number; message: string };
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MOBILE = /^\+?[0-9][0-9 ().-]{4,30}$/;

/** A time that must not be in the future (the core's rule for things that happened), checked before writing. */
export function pastTime(p: FieldFaults, field: string, value: string | undefined): ClientTime | undefined {
  const t = p.time(field, value);
  if (t && Date.parse(t.instant) > Date.now() + 1000) {
    p.add(field, 'must not be in the future (it is when something happened)');
    return undefined;
  }
  return t;
}

/**
 * The organization's catalogs as this surface checks against them, from ONE snapshot of the core's (statuses,
 * sub-statuses, reasons, custom field definitions: four reads), which the composite create then takes back as
 * `known` so nothing is read twice in a request.
 */
export interface CapCatalog {
  known: CatalogSnapshot;
  statuses: Array<{ key: string; category: string; is_default: boolean; position: number }>;
}

export async function readCatalog(deps: CapillaryDeps, auth: AuthContext): Promise<CapCatalog> {
  const known = await deps.catalog(auth);
  return {
    known,
    statuses: known.statuses.map((s) => ({
      key: s.key,
      category: s.category,
      is_default: s.is_default === 1,
      position: s.position,
    })),
  };
}

/** The three checkers a status write needs. */
export function statusCheckers(cat: CapCatalog) {
  return [statusKeys(cat.statuses), subStatusChecker(cat), reasonChecker(cat)] as const;
}

export function statusKeys(statuses: CapCatalog['statuses']) {
  return (seed: SeedStatus, field: string, p: FieldFaults): string | undefined => {
    try {
      return coreKeyFor(seed, statuses, p.path(field));
    } catch (err) {
      p.absorb(err, () => field);
      return undefined;
    }
  };
}

/** Checks a sub-status name against the core's sub-statuses of the status it is used with. */
export function subStatusChecker({ known }: CapCatalog) {
  const keyOf = new Map(known.statuses.map((s) => [s.id, s.key]));
  const subs = known.subStatuses.map((s) => ({ status: keyOf.get(s.status_id), name: s.name }));
  return (statusKey: string, name: string | undefined, field: string, p: FieldFaults) => {
    if (name === undefined || subs.some((s) => s.status === statusKey && s.name === name)) return;
    const own = subs.filter((s) => s.status === statusKey).map((s) => s.name);
    p.add(
      field,
      `"${name}" is not a sub-status of this status (${own.length ? `one of: ${own.join(', ')}` : 'it has none; create it with POST /v2/leads/substatus'})`,
    );
  };
}

/**
 * Reasons of the organization and the status categories each may be used for, so a reason limited to other
 * kinds of status is refused here, naming the caller's field, before anything is written. Returns the core's
 * id of the reason the client named.
 */
export function reasonChecker({ known }: CapCatalog) {
  // This API's reasonId is the reason's number within the organization (the same 1, 2... in every one).
  const byNumber = new Map(known.reasons.map((r) => [r.number, r]));
  const categoryOf = new Map(known.statuses.map((s) => [s.key, s.category]));
  return (statusKey: string | undefined, id: number | undefined, field: string, p: FieldFaults) => {
    if (id === undefined) return undefined;
    const r = byNumber.get(id);
    if (!r) {
      p.add(field, `${id} is not a reason of this organization (GET /v2/leads/reasons)`);
      return undefined;
    }
    const cat = statusKey ? categoryOf.get(statusKey) : undefined;
    const categories = r.categories ? (JSON.parse(r.categories) as string[]) : null;
    if (cat && categories && !categories.includes(cat))
      p.add(field, `reason ${id} ("${r.text}") is for ${categories.join(', ')} statuses, not ${cat}`);
    return r.id;
  };
}

/**
 * The owner: a username that is a Leadflow user's email becomes the lead's owner; any other username is the
 * client's own staff username, kept as an external ref of the lead (it is shown back, and search finds it).
 */
export async function ownerOf(
  deps: CapillaryDeps,
  auth: AuthContext,
  owner: string | undefined,
): Promise<{ userId?: number; username?: string }> {
  if (owner === undefined) return {};
  const name = owner.trim();
  const users = (await deps.users.list(auth)).data;
  const u = users.find((x) => x.email.toLowerCase() === name.toLowerCase() && x.active !== false);
  return u ? { userId: u.id } : { username: name };
}

/**
 * Extended fields the organization does not have yet (text for text values, else the value's JSON type),
 * named in warnings; a key some surface owns is refused (send the field it holds instead).
 */
export function prepareExtended(cat: CapCatalog, ext: Record<string, unknown> | undefined, p: FieldFaults) {
  const warnings: Warning[] = [];
  const missing: Array<{ key: string; type: 'string' | 'number' | 'boolean' }> = [];
  if (!ext) return { warnings, missing };
  const defined = new Set(cat.known.fields.map((f) => f.key));
  for (const [key, value] of Object.entries(ext)) {
    if (isOwnedKey(key) || key.includes('__'))
      p.add(`extendedFields.${key}`, 'is reserved for a compatible surface (keys with "__")');
    else if (!defined.has(key) && value !== null) {
      const type = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
      missing.push({ key, type });
      warnings.push({
        code: 3001,
        message: `extendedFields.${key} was not defined for the organization; it was created as a ${type === 'string' ? 'text' : type} custom field`,
      });
    }
  }
  return { warnings, missing };
}

/**
 * The core's check of custom field values (types, enum options, required fields), run before anything is
 * written. `existing` is the lead's current values on update, null on create.
 */
export async function checkValues(
  deps: CapillaryDeps,
  auth: AuthContext,
  values: Record<string, string | number | boolean | null>,
  existing: Record<string, string | number | boolean | null> | null,
  p: FieldFaults,
  cat: CapCatalog,
) {
  const list: Array<{ field: string; message: string }> = [];
  await deps.customFields.applyValues(auth.orgId, values, existing, list, undefined, cat.known.fields);
  for (const e of list) p.add(e.field, e.message);
}

/** A follow-up of this API as the core records it, its times checked (done not in the future, next after done). */
export function followUpWrite(
  f: { followedUpOn: string; scheduledFollowUp?: string; nextFollowUp?: string; notes?: string },
  p: FieldFaults,
): { write: FollowUpWrite; offset?: string } {
  const done = pastTime(p, 'followedUpOn', f.followedUpOn);
  const scheduled = p.time('scheduledFollowUp', f.scheduledFollowUp);
  const next = p.time('nextFollowUp', f.nextFollowUp);
  if (done && next && next.instant <= done.instant) p.add('nextFollowUp', 'must be after followedUpOn');
  return {
    write: {
      done_at: done?.instant,
      scheduled_at: scheduled?.instant,
      next_follow_up_at: next?.instant,
      notes: f.notes,
    },
    offset: (done ?? scheduled ?? next)?.offset,
  };
}
