import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { TxOptions } from '../db/unit-of-work.js';
import { fieldError, notFound } from '../http/errors.js';
import type { AccessRepository } from '../access/access.repository.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow } from '../leads/lead.repository.js';

/** The lead an activity hangs off: live and of the caller's organization, else 404. `lock` serializes writers. */
export async function loadLead(
  leads: LeadRepository,
  orgId: number,
  leadId: number,
  trx?: Kysely<Database>,
  lock = false,
): Promise<LeadRow> {
  const lead = await leads.findById(orgId, leadId, trx, lock);
  if (!lead || lead.deleted_at) throw notFound('Lead', leadId);
  return lead;
}

/** A user named in an activity (assignee, done_by) must be an active member of the organization. */
export async function checkMember(
  access: AccessRepository,
  orgId: number,
  field: string,
  userId: number | null | undefined,
  trx?: Kysely<Database>,
): Promise<void> {
  if (userId === null || userId === undefined) return;
  const m = await access.findMembership(orgId, userId, trx);
  if (!m || m.deactivated_at)
    throw fieldError(field, `user ${userId} is not an active member of this organization`);
}

/**
 * Checks the caller may read or write a lead (permission, organization, and whatever visibility rule the lead
 * service applies, e.g. agents seeing only their leads). 404 when the lead is not theirs to see.
 */
export type LeadGuard = (
  auth: AuthContext,
  leadId: number,
  mode: 'read' | 'write',
  opts?: TxOptions,
) => Promise<void>;

/** The guard used when none is wired: permission plus a live lead of the organization. */
export function defaultGuard(leads: LeadRepository): LeadGuard {
  return async (auth, leadId, mode, opts) => {
    assertCan(auth, mode === 'read' ? 'leads:read' : 'leads:write');
    await loadLead(leads, auth.orgId, leadId, opts?.tx);
  };
}
