import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { runner, type TxOptions } from '../db/unit-of-work.js';
import { notFound } from '../http/errors.js';
import { assertCan, seesOnlyOwnLeads, type AuthContext } from '../access/roles.js';
import type { Policy } from '../access/policy.js';
import type { LeadRepository, LeadRow } from './lead.repository.js';

/**
 * The lead guard: existence and visibility of one lead, built from the lead repository and the access policy
 * alone. It is made before accounts, the lead parts and the lead service, which all take it as a value (issue 11
 * item 7: no late-bound closures between leads and accounts).
 */
export function createLeadGuard({
  db,
  leads,
  policy,
}: {
  db: Kysely<Database>;
  leads: Pick<LeadRepository, 'findById' | 'isVisibleTo'>;
  /** The user an agent's reads are limited to (src/access/policy.ts); the role rule when not given. */
  policy?: Pick<Policy, 'restrictedTo'>;
}) {
  const restrictedTo =
    policy?.restrictedTo ?? ((auth: AuthContext) => (seesOnlyOwnLeads(auth) ? auth.userId! : undefined));

  /** The live (not deleted) lead of the organization, or 404; `lock` takes a row lock on PostgreSQL. */
  async function loadLive(
    orgId: number,
    id: number,
    trx: Kysely<Database> = db,
    lock = false,
  ): Promise<LeadRow> {
    const row = await leads.findById(orgId, id, trx, lock);
    if (!row || row.deleted_at) throw notFound('Lead', id);
    return row;
  }

  /**
   * Agents reach only leads they hold in any role (owner, assignee, advisor...) or that one of their teams holds
   * (primary or not); any other lead does not exist for them (404).
   */
  async function checkVisible(auth: AuthContext, row: LeadRow, trx: Kysely<Database> = db) {
    const userId = restrictedTo(auth);
    if (userId === undefined || row.owner_id === userId) return;
    if (await leads.isVisibleTo(auth.orgId, row.id, userId, trx)) return;
    throw notFound('Lead', row.id);
  }

  return {
    loadLive,
    checkVisible,
    /** For features hanging off a lead (follow-ups, comments...): 404 unless this caller may see the lead. */
    async assertLeadAccess(
      auth: AuthContext,
      id: number,
      mode: 'read' | 'write' = 'read',
      opts: TxOptions = {},
    ): Promise<void> {
      assertCan(auth, mode === 'read' ? 'leads:read' : 'leads:write');
      const q = runner(db, opts);
      await checkVisible(auth, await loadLive(auth.orgId, id, q), q);
    },
  };
}

export type LeadGuard = ReturnType<typeof createLeadGuard>;
