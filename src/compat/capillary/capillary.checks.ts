import type { AuthContext } from '../../access/roles.js';
import type { FieldFaults } from '../shared/fields.js';
import { isOwnedKey } from '../shared/owned-fields.js';
import type { ClientTime } from '../shared/time.js';
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

/** The three checkers a status write needs, from one read of each catalog. */
export async function statusCheckers(deps: CapillaryDeps, auth: AuthContext) {
  const statuses = deps.statuses.listStatusWords(auth);
  return Promise.all([
    statusKeys(deps, auth, await statuses),
    subStatusChecker(deps, auth),
    reasonChecker(deps, auth, await statuses),
  ]);
}

export async function statusKeys(
  deps: CapillaryDeps,
  auth: AuthContext,
  known?: Awaited<ReturnType<CapillaryDeps['statuses']['listStatusWords']>>,
) {
  const statuses = known ?? (await deps.statuses.listStatusWords(auth));
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
export async function subStatusChecker(deps: CapillaryDeps, auth: AuthContext) {
  const subs = await deps.statuses.listSubStatuses(auth);
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
 * kinds of status is refused here, naming the caller's field, before anything is written.
 */
export async function reasonChecker(
  deps: CapillaryDeps,
  auth: AuthContext,
  known?: Awaited<ReturnType<CapillaryDeps['statuses']['listStatusWords']>>,
) {
  const [reasons, statuses] = await Promise.all([
    deps.reasons.listReasons(auth),
    known ?? deps.statuses.listStatusWords(auth),
  ]);
  const byId = new Map(reasons.map((r) => [r.id, r]));
  const categoryOf = new Map(statuses.map((s) => [s.key, s.category]));
  return (statusKey: string | undefined, id: number | undefined, field: string, p: FieldFaults) => {
    if (id === undefined) return;
    const r = byId.get(id);
    if (!r) return p.add(field, `${id} is not a reason of this organization (GET /v2/leads/reasons)`);
    const cat = statusKey ? categoryOf.get(statusKey) : undefined;
    if (cat && r.categories && !r.categories.includes(cat))
      p.add(field, `reason ${id} ("${r.text}") is for ${r.categories.join(', ')} statuses, not ${cat}`);
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
export async function prepareExtended(
  deps: CapillaryDeps,
  auth: AuthContext,
  ext: Record<string, unknown> | undefined,
  p: FieldFaults,
) {
  const warnings: Warning[] = [];
  const missing: Array<{ key: string; type: 'string' | 'number' | 'boolean' }> = [];
  if (!ext) return { warnings, missing };
  const defined = new Set((await deps.customFields.listCustomFields(auth)).map((f) => f.key));
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
) {
  const list: Array<{ field: string; message: string }> = [];
  await deps.customFields.applyValues(auth.orgId, values, existing, list);
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
