import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AssignmentRulesTable, LeadAssignmentsTable } from './assignment.tables.js';
import { cachedOrgRead } from '../db/org-cache.js';

type Q = Kysely<Database>;
export type RuleRow = Selectable<AssignmentRulesTable>;
export type AssignmentRow = Selectable<LeadAssignmentsTable>;

/** Statuses whose leads no longer count as open work for `least_open`. */
const CLOSED_CATEGORIES = ['won', 'lost', 'converted', 'closed'];

export function createAssignmentRepository(db: Q) {
  return {
    async list(orgId: number, trx: Q = db): Promise<RuleRow[]> {
      return cachedOrgRead(trx, orgId, 'assignment_rules', () =>
        trx
          .selectFrom('assignment_rules')
          .selectAll()
          .where('org_id', '=', orgId)
          .orderBy('position')
          .orderBy('id')
          .execute(),
      );
    },
    async find(orgId: number, id: number, trx: Q = db): Promise<RuleRow | undefined> {
      return trx
        .selectFrom('assignment_rules')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insert(trx: Q, row: Insertable<AssignmentRulesTable>): Promise<RuleRow> {
      return trx.insertInto('assignment_rules').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async update(trx: Q, orgId: number, id: number, set: Updateable<AssignmentRulesTable>) {
      return trx
        .updateTable('assignment_rules')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    async remove(trx: Q, orgId: number, id: number): Promise<boolean> {
      const r = await trx
        .deleteFrom('assignment_rules')
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async maxPosition(trx: Q, orgId: number): Promise<number> {
      const r = await trx
        .selectFrom('assignment_rules')
        .select((eb) => eb.fn.max('position').as('m'))
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return Number(r?.m ?? 0);
    },
    /**
     * Round robin: takes the next turn of the rule with one atomic increment. On PostgreSQL the row stays locked
     * until the create commits, so concurrent creates line up behind it; SQLite has one writer anyway.
     */
    async claimTurn(trx: Q, orgId: number, id: number): Promise<number> {
      const r = await trx
        .updateTable('assignment_rules')
        .set({ rr_cursor: sql<number>`rr_cursor + 1` })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returning('rr_cursor')
        .executeTakeFirstOrThrow();
      return Number(r.rr_cursor);
    },
    /** Members who may get leads: active in the organization and not away. */
    async availableUsers(trx: Q, orgId: number, userIds: number[]): Promise<Set<number>> {
      if (!userIds.length) return new Set();
      const rows = await trx
        .selectFrom('memberships')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('user_id', 'in', userIds)
        .where('deactivated_at', 'is', null)
        .where('away', '=', 0)
        .execute();
      return new Set(rows.map((r) => r.user_id));
    },
    async members(trx: Q, orgId: number, userIds: number[]): Promise<Set<number>> {
      if (!userIds.length) return new Set();
      const rows = await trx
        .selectFrom('memberships')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('user_id', 'in', userIds)
        .execute();
      return new Set(rows.map((r) => r.user_id));
    },
    async teamExists(trx: Q, orgId: number, teamId: number): Promise<boolean> {
      const r = await trx
        .selectFrom('teams')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', teamId)
        .executeTakeFirst();
      return !!r;
    },
    async teamUserIds(trx: Q, orgId: number, teamId: number): Promise<number[]> {
      const rows = await trx
        .selectFrom('team_members')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('team_id', '=', teamId)
        .orderBy('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    },
    /** Leads each user got from rules (or SLA reassignment) since `since`: the capacity used. */
    async assignedSince(trx: Q, orgId: number, userIds: number[], since: string) {
      const out = new Map<number, number>();
      if (!userIds.length) return out;
      const rows = await trx
        .selectFrom('lead_assignments')
        .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', userIds)
        .where('created_at', '>=', since)
        .groupBy('user_id')
        .execute();
      for (const r of rows) out.set(r.user_id!, Number(r.n));
      return out;
    },
    /** Open leads each user owns (not deleted, not in a won/lost/converted/closed status). */
    async openLeads(trx: Q, orgId: number, userIds: number[]) {
      const out = new Map<number, number>();
      if (!userIds.length) return out;
      const rows = await trx
        .selectFrom('leads as l')
        .innerJoin('statuses as s', (j) =>
          j.onRef('s.id', '=', 'l.status_id').onRef('s.org_id', '=', 'l.org_id'),
        )
        .select(['l.owner_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('l.org_id', '=', orgId)
        .where('l.owner_id', 'in', userIds)
        .where('l.deleted_at', 'is', null)
        .where('s.category', 'not in', CLOSED_CATEGORIES)
        .groupBy('l.owner_id')
        .execute();
      for (const r of rows) out.set(r.owner_id!, Number(r.n));
      return out;
    },
    async markAssigned(
      trx: Q,
      orgId: number,
      rows: Array<{ leadId: number; ruleId: number; teamId: number | null }>,
    ) {
      const groups = new Map<string, number[]>();
      for (const r of rows) {
        const k = `${r.ruleId}:${r.teamId ?? ''}`;
        groups.set(k, [...(groups.get(k) ?? []), r.leadId]);
      }
      for (const [k, ids] of groups) {
        const [ruleId, teamId] = k.split(':');
        await trx
          .updateTable('leads')
          .set((eb) => ({
            assignment_rule_id: Number(ruleId),
            ...(teamId ? { team_id: eb.fn.coalesce('team_id', eb.val(Number(teamId))) } : {}),
          }))
          .where('org_id', '=', orgId)
          .where('id', 'in', ids)
          .execute();
      }
    },
    async insertAssignments(trx: Q, rows: Insertable<LeadAssignmentsTable>[]) {
      if (rows.length) await trx.insertInto('lead_assignments').values(rows).execute();
    },
    async history(orgId: number, leadId: number, trx: Q = db): Promise<AssignmentRow[]> {
      return trx
        .selectFrom('lead_assignments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .orderBy('id')
        .execute();
    },
    async dueSla(trx: Q, orgId: number, now: string, limit = 100): Promise<AssignmentRow[]> {
      return trx
        .selectFrom('lead_assignments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('resolved_at', 'is', null)
        .where('sla_due_at', '<=', now)
        .orderBy('sla_due_at')
        .limit(limit)
        .execute();
    },
    /** Resolves an open SLA once (compare-and-set: a second sweep on the same row does nothing). */
    async resolve(trx: Q, orgId: number, id: number, outcome: string, now: string): Promise<boolean> {
      const r = await trx
        .updateTable('lead_assignments')
        .set({ resolved_at: now, outcome })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Was the lead worked on after `since`: a status change, a follow-up, a task or a comment. */
    async contactedSince(trx: Q, orgId: number, leadId: number, since: string): Promise<boolean> {
      // A status change after the assignment (the first history entry, from no status, is the create itself).
      const moved = await trx
        .selectFrom('status_history')
        .select('id')
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('from_status_id', 'is not', null)
        .where('created_at', '>', since)
        .limit(1)
        .executeTakeFirst();
      if (moved) return true;
      for (const table of ['follow_ups', 'tasks', 'comments'] as const) {
        const r = await trx
          .selectFrom(table)
          .select('id')
          .where('org_id', '=', orgId)
          .where('lead_id', '=', leadId)
          .where('created_at', '>', since)
          .limit(1)
          .executeTakeFirst();
        if (r) return true;
      }
      return false;
    },
    async setAway(trx: Q, orgId: number, userId: number, away: boolean): Promise<boolean> {
      const r = await trx
        .updateTable('memberships')
        .set({ away: away ? 1 : 0 })
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async availability(orgId: number, trx: Q = db) {
      return trx
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.name', 'u.email', 'm.role', 'm.away', 'm.deactivated_at'])
        .where('m.org_id', '=', orgId)
        .orderBy('u.id')
        .execute();
    },
  };
}

export type AssignmentRepository = ReturnType<typeof createAssignmentRepository>;
