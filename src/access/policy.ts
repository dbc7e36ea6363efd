import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { visibleExpr } from '../leads/lead.repository.js';
import {
  can as hasPermission,
  assertCan,
  seesOnlyOwnLeads,
  type AuthContext,
  type Permission,
} from './roles.js';

type Q = Kysely<Database>;
/** The account records an agent's visibility covers (docs/security.md, "Agents"). */
export type AccountKind = 'company' | 'contact' | 'opportunity';
const TABLE = { company: 'companies', contact: 'contacts', opportunity: 'opportunities' } as const;
const LABEL = { company: 'Company', contact: 'Contact', opportunity: 'Opportunity' } as const;

/**
 * THE access policy (issue 11 item 6, issue 12 item 5): what a caller may do, and which records an agent sees.
 *
 * - Permissions come from the role (users) or scopes (keys): `can(auth, action)`.
 * - An agent sees a lead they hold in any role (owner, assignee, advisor...) or that one of their teams holds.
 * - An agent sees a company, contact or opportunity only when it is linked to a lead they see (the lead's
 *   company, a contact of the lead, the lead's opportunity), or when they own it or created it. Anything else
 *   does not exist for them: 404 on read and write, absent from lists and counts, and "does not exist" when they
 *   name it in a field (so an agent cannot learn that a hidden lead exists by attaching to it).
 * Every other role sees the whole organization.
 */
export function createPolicy(db: Q) {
  /** The user an agent's reads are limited to; undefined when the caller sees the whole organization. */
  const restrictedTo = (auth: AuthContext): number | undefined =>
    seesOnlyOwnLeads(auth) ? auth.userId! : undefined;

  /** Ids of the live leads `userId` sees (a subquery). */
  const visibleLeadIds = (orgId: number, userId: number) =>
    db
      .selectFrom('leads')
      .select('leads.id')
      .where('leads.org_id', '=', orgId)
      .where('leads.deleted_at', 'is', null)
      .where((eb) => visibleExpr(eb, orgId, userId));

  /** The agent-visibility condition over one account table (used by lists, counts and single reads). */
  function accountVisible<K extends AccountKind>(
    kind: K,
    eb: ExpressionBuilder<Database, (typeof TABLE)[K]>,
    orgId: number,
    userId: number,
  ) {
    const e = eb as unknown as ExpressionBuilder<Database, 'opportunities'>;
    const t = TABLE[kind] as 'opportunities';
    const mine = [e(sql.ref(`${t}.owner_id`), '=', userId), e(sql.ref(`${t}.created_by`), '=', userId)];
    const ids = visibleLeadIds(orgId, userId);
    if (kind === 'opportunity') return e.or([...mine, e('opportunities.lead_id', 'in', ids)]);
    if (kind === 'company')
      return e.or([
        ...mine,
        e(sql.ref(`${t}.id`), 'in', visibleLeadIds(orgId, userId).clearSelect().select('leads.company_id')),
      ]);
    return e.or([
      ...mine,
      e(
        sql.ref(`${t}.id`),
        'in',
        db
          .selectFrom('lead_contacts')
          .select('lead_contacts.contact_id')
          .where('lead_contacts.org_id', '=', orgId)
          .where('lead_contacts.lead_id', 'in', ids),
      ),
    ]);
  }

  return {
    restrictedTo,
    accountVisible,

    /**
     * Whether the caller may do `action`, and, given a lead, whether they may do it to that lead (visibility).
     * `lead` is an id: the lead must be live and of the caller's organization.
     */
    async can(auth: AuthContext, action: Permission, leadId?: number, trx: Q = db): Promise<boolean> {
      if (!hasPermission(auth, action)) return false;
      if (leadId === undefined) return true;
      const u = restrictedTo(auth);
      const q = trx
        .selectFrom('leads')
        .select('leads.id')
        .where('leads.org_id', '=', auth.orgId)
        .where('leads.id', '=', leadId)
        .where('leads.deleted_at', 'is', null);
      return (
        (await (u === undefined ? q : q.where((eb) => visibleExpr(eb, auth.orgId, u))).executeTakeFirst()) !==
        undefined
      );
    },

    /** 404 unless an agent sees this account record (403 first when the permission is missing). */
    async assertVisible(
      auth: AuthContext,
      action: Permission,
      kind: AccountKind,
      id: number,
      trx: Q = db,
    ): Promise<void> {
      assertCan(auth, action);
      const u = restrictedTo(auth);
      if (u === undefined) return;
      const t = TABLE[kind] as 'opportunities';
      const row = await trx
        .selectFrom(t)
        .select(`${t}.id`)
        .where(`${t}.org_id`, '=', auth.orgId)
        .where(`${t}.id`, '=', id)
        .where((eb) => accountVisible(kind, eb as never, auth.orgId, u))
        .executeTakeFirst();
      if (!row) throw notFound(LABEL[kind], id);
    },

    /** Of `ids`, those this caller may not see (they exist, but must read as unknown ones). */
    async hiddenLeads(auth: AuthContext, ids: number[], trx: Q = db): Promise<number[]> {
      const u = restrictedTo(auth);
      if (u === undefined || ids.length === 0) return [];
      const seen = await trx
        .selectFrom('leads')
        .select('leads.id')
        .where('leads.org_id', '=', auth.orgId)
        .where('leads.id', 'in', ids)
        .where((eb) => visibleExpr(eb, auth.orgId, u))
        .execute();
      const ok = new Set(seen.map((r) => r.id));
      return ids.filter((id) => !ok.has(id));
    },

    /** Of `ids`, the account records this caller may not see. */
    async hiddenAccounts(
      auth: AuthContext,
      kind: AccountKind,
      ids: number[],
      trx: Q = db,
    ): Promise<number[]> {
      const u = restrictedTo(auth);
      if (u === undefined || ids.length === 0) return [];
      const t = TABLE[kind] as 'opportunities';
      const seen = await trx
        .selectFrom(t)
        .select(`${t}.id`)
        .where(`${t}.org_id`, '=', auth.orgId)
        .where(`${t}.id`, 'in', ids)
        .where((eb) => accountVisible(kind, eb as never, auth.orgId, u))
        .execute();
      const ok = new Set(seen.map((r) => r.id));
      return ids.filter((id) => !ok.has(id));
    },
  };
}

export type Policy = ReturnType<typeof createPolicy>;
