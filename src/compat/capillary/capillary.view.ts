import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { RefValues } from '../../leads/external-ref.service.js';
import type { CapillaryDeps, FollowUpView, HistoryEntryView } from './capillary.deps.js';
import {
  ORG_SOURCE_FIELD,
  RESERVED_FIELDS,
  TYPE_FIELD,
  seedStatusOf,
  staffId,
  wireTime,
} from './capillary.mapping.js';

/** A lead as this API shows it. Absent values are omitted, as in the document's samples (no nulls). */
export interface CapLead {
  id: number;
  userId?: number;
  type: string;
  leadFor: string;
  status: string;
  nextFollowUp?: string;
  createdOn: string;
  createdBy: number;
  lastUpdatedOn: string;
  lastUpdatedBy: number;
  followUpDetails: Array<Record<string, unknown>>;
  extendedFields: Record<string, unknown>;
  statusLogDetails: Array<Record<string, unknown>>;
  orgSourceId: number;
  subStatus?: string;
  lastFollowUp?: string;
  owner?: string;
  warnings?: unknown[];
}

const omitUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The contacts linked to the lead (accounts), in link order. */
export function contactIdsOf(lead: LeadDto): number[] {
  return ((lead as unknown as { contacts?: Array<{ id: number }> }).contacts ?? []).map((c) => c.id);
}

/** The lead's customer: its first linked contact. */
export function customerIdOf(lead: LeadDto): number | undefined {
  return contactIdsOf(lead)[0];
}

/**
 * "Freshness" of the lead-level refs: a staff id sent with a write is the lastUpdatedBy only while the lead
 * has not been updated since (by /api/v1, say), which the stored `updated_at` of that write tells.
 */
function lastUpdated(lead: LeadDto, refs: RefValues): { on: string; by: number } {
  const fresh = refs.updated_at === lead.updated_at;
  return {
    on: fresh && typeof refs.updated_on === 'string' ? refs.updated_on : wireTime(lead.updated_at)!,
    by: fresh && typeof refs.updated_by === 'number' ? refs.updated_by : (lead.updated_by ?? -1),
  };
}

/** The whole status log of a lead, oldest first (the core pages it). */
export async function fullHistory(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
): Promise<HistoryEntryView[]> {
  const out: HistoryEntryView[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.statusChanges.listStatusHistory(auth, leadId, {
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/** Reads everything a lead shows here from the core services and renders it. */
export async function viewLeads(
  deps: CapillaryDeps,
  auth: AuthContext,
  leads: LeadDto[],
): Promise<CapLead[]> {
  if (leads.length === 0) return [];
  const ids = leads.map((l) => l.id);
  const [histories, followUps, leadRefs, users] = await Promise.all([
    Promise.all(ids.map((id) => fullHistory(deps, auth, id))),
    Promise.all(ids.map((id) => deps.followUps.listFollowUps(auth, id))),
    deps.refs.get(auth, 'lead', ids),
    leads.some((l) => l.owner_id !== null) ? deps.users.list(auth).then((r) => r.data) : Promise.resolve([]),
  ]);
  const [historyRefs, followUpRefs] = await Promise.all([
    deps.refs.get(
      auth,
      'status_history',
      histories.flat().map((h) => h.id),
    ),
    deps.refs.get(
      auth,
      'follow_up',
      followUps.flat().map((f) => f.id),
    ),
  ]);
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  return leads.map((lead, i) => {
    const userId = customerIdOf(lead);
    const refs = leadRefs.get(lead.id) ?? {};
    const cf = lead.custom_fields as Record<string, unknown>;
    const extendedFields = Object.fromEntries(
      Object.entries(cf).filter(([k]) => !RESERVED_FIELDS.includes(k)),
    );
    const updated = lastUpdated(lead, refs);
    const followUpDetails = followUps[i].map((f: FollowUpView) => {
      const r = followUpRefs.get(f.id) ?? {};
      return omitUndefined({
        id: f.id,
        userId,
        leadId: lead.id,
        notes: f.notes ?? undefined,
        createdBy: staffId(r.created_by, f.created_by),
        createdOn: wireTime(f.created_at),
        followedUpBy: typeof r.done_by === 'number' ? r.done_by : (f.done_by ?? undefined),
        followedUpOn: wireTime(f.done_at),
        scheduledFollowUp: wireTime(f.scheduled_at),
        nextFollowUp: wireTime(f.next_follow_up_at),
      });
    });
    const statusLogDetails = histories[i].map((h) => {
      const r = historyRefs.get(h.id) ?? {};
      return omitUndefined({
        id: h.id,
        userId,
        leadId: lead.id,
        status: seedStatusOf(h.to, h.to_category),
        createdBy: staffId(r.created_by, h.by),
        createdOn: wireTime(h.at),
        reasonId: h.reason?.id,
        reason: h.reason?.text,
        subStatus: h.sub_status ?? undefined,
      });
    });
    return omitUndefined<CapLead>({
      id: lead.id,
      userId,
      type: typeof cf[TYPE_FIELD] === 'string' ? (cf[TYPE_FIELD] as string) : 'SKU',
      leadFor: lead.title ?? '',
      status: seedStatusOf(lead.status, lead.status_category),
      nextFollowUp: wireTime(lead.next_follow_up_at),
      createdOn: wireTime(lead.created_at)!,
      createdBy: staffId(refs.created_by, lead.created_by),
      lastUpdatedOn: updated.on,
      lastUpdatedBy: updated.by,
      followUpDetails,
      extendedFields,
      statusLogDetails,
      orgSourceId: typeof cf[ORG_SOURCE_FIELD] === 'number' ? (cf[ORG_SOURCE_FIELD] as number) : -1,
      subStatus: lead.sub_status ?? undefined,
      lastFollowUp: wireTime(lead.last_follow_up_at),
      owner: lead.owner_id !== null ? emailOf.get(lead.owner_id) : undefined,
    });
  });
}

export async function viewLead(
  deps: CapillaryDeps,
  auth: AuthContext,
  leadId: number,
  warnings: unknown[] = [],
): Promise<CapLead> {
  const lead = await deps.leads.get(auth, leadId);
  const [view] = await viewLeads(deps, auth, [lead]);
  return { ...view, warnings };
}
