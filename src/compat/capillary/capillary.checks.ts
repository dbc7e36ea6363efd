import type { AuthContext } from '../../access/roles.js';
import { AppError, type FieldError } from '../../http/errors.js';
import type { CapillaryDeps, FollowUpWrite } from './capillary.deps.js';
import { ORG_SOURCE_FIELD, RESERVED_FIELDS, TYPE_FIELD, coreKeyFor, toInstant } from './capillary.mapping.js';
import type { SeedStatus } from './capillary.schema.js';
import { fullHistory } from './capillary.view.js';

/** Checks and small steps shared by this surface's writes (capillary.write.ts). */

export type Warning = { code: number; message: string };
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MOBILE = /^\+?[0-9][0-9 ().-]{4,30}$/;

/** Collects field problems so one answer names them all; nothing is written before they are all checked. */
export class Problems {
  readonly list: FieldError[] = [];
  add(field: string, message: string) {
    this.list.push({ field, message });
  }
  time(field: string, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    try {
      return toInstant(field, value);
    } catch (e) {
      if (e instanceof AppError && e.errors) this.list.push(...e.errors);
      return undefined;
    }
  }
  throwIfAny() {
    if (this.list.length)
      throw new AppError(
        'unprocessable',
        this.list.map((e) => `${e.field}: ${e.message}`).join('; '),
        this.list,
      );
  }
}

export async function statusKeys(deps: CapillaryDeps, auth: AuthContext) {
  const statuses = await deps.statuses.listStatusWords(auth);
  return (seed: SeedStatus, field: string) => coreKeyFor(seed, statuses, field);
}

/** Checks a sub-status name against the core's sub-statuses of the status it is used with. */
export async function subStatusChecker(deps: CapillaryDeps, auth: AuthContext) {
  const subs = await deps.statuses.listSubStatuses(auth);
  return (statusKey: string, name: string | undefined, field: string, p: Problems) => {
    if (name === undefined || subs.some((s) => s.status === statusKey && s.name === name)) return;
    const own = subs.filter((s) => s.status === statusKey).map((s) => s.name);
    p.add(
      field,
      `"${name}" is not a sub-status of this status (${own.length ? `one of: ${own.join(', ')}` : 'it has none; create it with POST /v2/leads/substatus'})`,
    );
  };
}

/** Owner username -> Leadflow user id (usernames are the users' emails). */
export async function ownerId(
  deps: CapillaryDeps,
  auth: AuthContext,
  owner: string | undefined,
  p: Problems,
): Promise<number | undefined> {
  if (owner === undefined) return undefined;
  const users = (await deps.users.list(auth)).data;
  const u = users.find((x) => x.email.toLowerCase() === owner.trim().toLowerCase() && x.active !== false);
  if (!u) p.add('owner', `"${owner}" is not an active user of this organization (use the user's email)`);
  return u?.id;
}

/**
 * Defines extended fields the organization does not have yet (text for text values, else the value's JSON
 * type) and says so in warnings; refuses the keys this surface keeps for `type` and `orgSourceId`.
 */
export async function prepareExtended(
  deps: CapillaryDeps,
  auth: AuthContext,
  ext: Record<string, unknown> | undefined,
  p: Problems,
  withReserved = false,
) {
  const warnings: Warning[] = [];
  const missing: Array<{ key: string; type: 'string' | 'number' | 'boolean' }> = [];
  if (!ext && !withReserved) return { warnings, missing };
  const defined = new Set((await deps.customFields.listCustomFields(auth)).map((f) => f.key));
  // This surface's own fields (type, orgSourceId) are defined quietly the first time a lead is added here.
  if (withReserved && !defined.has(TYPE_FIELD)) missing.push({ key: TYPE_FIELD, type: 'string' });
  if (withReserved && !defined.has(ORG_SOURCE_FIELD)) missing.push({ key: ORG_SOURCE_FIELD, type: 'number' });
  for (const [key, value] of Object.entries(ext ?? {})) {
    if (RESERVED_FIELDS.includes(key))
      p.add(
        `extendedFields.${key}`,
        `is reserved (it holds ${key === TYPE_FIELD ? 'type' : 'orgSourceId'}); send that field instead`,
      );
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
 * written, so a refused value does not leave a new contact or field definition behind. `existing` is the
 * lead's current values on update, null on create.
 */
export async function checkValues(
  deps: CapillaryDeps,
  auth: AuthContext,
  values: Record<string, string | number | boolean | null>,
  existing: Record<string, string | number | boolean | null> | null,
  p: Problems,
) {
  await deps.customFields.applyValues(auth.orgId, values, existing, p.list);
}

/**
 * The id of the history entry a status change just appended: the newest one (ids only grow) among those that
 * match what was sent (status, reason, who), so a change made meanwhile through /api/v1 is not mistaken for it.
 */
export async function newestHistoryId(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
  sent: { status: string; reasonId: number | null },
): Promise<number | undefined> {
  const all = await fullHistory(deps, auth, leadId);
  const mine = all.filter(
    (h) => h.to === sent.status && (h.reason?.id ?? null) === sent.reasonId && h.by === auth.userId,
  );
  return (mine.length ? mine : all).reduce<number | undefined>(
    (m, h) => (m === undefined || h.id > m ? h.id : m),
    undefined,
  );
}

/** Remembers the staff id that made a write as the lead's last updater (valid while the lead stays as written). */
export async function touchLeadRefs(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
  by: number | undefined,
  on?: string,
) {
  if (by === undefined && on === undefined) return;
  const lead = await deps.leads.get(auth, leadId);
  await deps.refs.set(auth, 'lead', leadId, { updated_by: by, updated_on: on, updated_at: lead.updated_at });
}

export function followUpWrite(
  f: { followedUpOn: string; scheduledFollowUp?: string; nextFollowUp?: string; notes?: string },
  prefix: string,
  p: Problems,
): FollowUpWrite {
  return {
    done_at: p.time(`${prefix}followedUpOn`, f.followedUpOn),
    scheduled_at: p.time(`${prefix}scheduledFollowUp`, f.scheduledFollowUp),
    next_follow_up_at: p.time(`${prefix}nextFollowUp`, f.nextFollowUp),
    notes: f.notes,
  };
}
