import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { LeadView } from '../../leads/lead-view.service.js';
import type { RefValues } from '../../leads/external-ref.service.js';
import { withoutOwned } from '../shared/owned-fields.js';
import { CAPILLARY, type CapillaryDeps } from './capillary.deps.js';
import { fields } from './capillary.fields.js';
import { seedStatusOf, staffId, wireTime } from './capillary.mapping.js';

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

/** The offset a record's times are answered with: its own (as the client wrote it), else the lead's, else UTC. */
const offsetOf = (refs: RefValues | undefined, fallback = 'Z') =>
  typeof refs?.offset === 'string' ? refs.offset : fallback;

/**
 * "Freshness" of the lead-level refs: a staff id sent with a write is the lastUpdatedBy only while the lead
 * has not been updated since (by /api/v1, say), which the stored `updated_at` of that write tells.
 */
function lastUpdated(lead: LeadDto, refs: RefValues, offset: string): { on: string; by: number } {
  const fresh = refs.updated_at === lead.updated_at;
  return {
    on: fresh && typeof refs.updated_on === 'string' ? refs.updated_on : wireTime(lead.updated_at, offset)!,
    by: fresh && typeof refs.updated_by === 'number' ? refs.updated_by : -1,
  };
}

/** Renders one lead from the core's batched view. */
export function renderLead(v: LeadView, ownerEmail: Map<number, string>): CapLead {
  const { lead } = v;
  const userId = customerIdOf(lead);
  const refs = v.refs.lead.get(lead.id) ?? {};
  const leadOffset = offsetOf(refs);
  const cf = lead.custom_fields as Record<string, unknown>;
  const updated = lastUpdated(lead, refs, leadOffset);
  const followUpDetails = v.followUps.map((f) => {
    const r = v.refs.follow_up.get(f.id) ?? {};
    const at = offsetOf(r, leadOffset);
    return omitUndefined({
      id: f.id,
      userId,
      leadId: lead.id,
      notes: f.notes ?? undefined,
      createdBy: staffId(r.created_by),
      createdOn: wireTime(f.created_at, at),
      followedUpBy: f.done_at ? staffId(r.done_by ?? r.created_by) : undefined,
      followedUpOn: wireTime(f.done_at, at),
      scheduledFollowUp: wireTime(f.scheduled_at, at),
      nextFollowUp: wireTime(f.next_follow_up_at, at),
    });
  });
  const statusLogDetails = v.history.map((h) => {
    const r = v.refs.status_history.get(h.id) ?? {};
    return omitUndefined({
      id: h.id,
      userId,
      leadId: lead.id,
      status: seedStatusOf(h.to, h.to_category),
      createdBy: staffId(r.created_by),
      createdOn: wireTime(h.at, offsetOf(r, leadOffset)),
      // The reason's number within the organization, as GET /v2/leads/reasons lists it.
      reasonId: h.reason?.number,
      reason: h.reason?.text,
      subStatus: h.sub_status ?? undefined,
    });
  });
  return omitUndefined<CapLead>({
    id: lead.id,
    userId,
    type: fields.read<string>(cf, 'lead_type') ?? 'SKU',
    leadFor: lead.title ?? '',
    status: seedStatusOf(lead.status, lead.status_category),
    nextFollowUp: wireTime(lead.next_follow_up_at, leadOffset),
    createdOn: wireTime(lead.created_at, leadOffset)!,
    createdBy: staffId(refs.created_by),
    lastUpdatedOn: updated.on,
    lastUpdatedBy: updated.by,
    followUpDetails,
    extendedFields: withoutOwned(cf),
    statusLogDetails,
    orgSourceId: fields.read<number>(cf, 'org_source_id') ?? -1,
    subStatus: lead.sub_status ?? undefined,
    lastFollowUp: wireTime(lead.last_follow_up_at, leadOffset),
    owner:
      lead.owner_id !== null
        ? ownerEmail.get(lead.owner_id)
        : typeof refs.owner === 'string'
          ? refs.owner
          : undefined,
  });
}

/** Reads everything the leads show here in a fixed number of queries (the core's batched view) and renders them. */
export async function viewLeads(
  deps: CapillaryDeps,
  auth: AuthContext,
  leads: LeadDto[],
): Promise<CapLead[]> {
  if (leads.length === 0) return [];
  const [views, users] = await Promise.all([
    deps.view(auth, leads, { history: true, followUps: true, refs: { surface: CAPILLARY } }),
    leads.some((l) => l.owner_id !== null) ? deps.users.list(auth).then((r) => r.data) : Promise.resolve([]),
  ]);
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  return views.map((v) => renderLead(v, emailOf));
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
