import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/precompiled.js';

type Q = Kysely<Database>;
const USER_COLUMNS = ['id', 'lead_id', 'user_id', 'role', 'created_by', 'created_at'] as const;
export interface LeadUserRow {
  id: number;
  lead_id: number;
  user_id: number;
  role: string;
  created_by: number | null;
  created_at: string;
}

/** Lead users (roles other than owner) and lead teams. Every query filters by the organization. */
export function createLeadUserRepository(db: Q) {
  // Read with every lead response: built once per number of leads (src/db/precompiled.ts).
  const users = precompiled((q, orgId: number, leadIds: readonly number[]) =>
    q
      .selectFrom('lead_users')
      .select(USER_COLUMNS)
      .where('org_id', '=', orgId)
      .where('lead_id', 'in', leadIds)
      .orderBy('lead_id')
      .orderBy('id'),
  );
  const teams = precompiled((q, orgId: number, leadIds: readonly number[]) =>
    q
      .selectFrom('lead_teams')
      .select(['lead_id', 'team_id', 'position'])
      .where('org_id', '=', orgId)
      .where('lead_id', 'in', leadIds)
      .orderBy('lead_id')
      .orderBy('position'),
  );
  return {
    async usersOf(orgId: number, leadIds: number[], trx: Q = db): Promise<LeadUserRow[]> {
      if (!leadIds.length) return [];
      return users(trx, orgId, leadIds);
    },
    async findUser(orgId: number, leadId: number, id: number, trx: Q = db) {
      return trx
        .selectFrom('lead_users')
        .select(USER_COLUMNS)
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insertUser(
      trx: Q,
      row: {
        org_id: number;
        lead_id: number;
        user_id: number;
        role: string;
        created_by: number | null;
        created_at: string;
      },
    ): Promise<LeadUserRow> {
      return trx.insertInto('lead_users').values(row).returning(USER_COLUMNS).executeTakeFirstOrThrow();
    },
    async updateUser(trx: Q, orgId: number, id: number, set: { user_id?: number; role?: string }) {
      return trx
        .updateTable('lead_users')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returning(USER_COLUMNS)
        .executeTakeFirstOrThrow();
    },
    async deleteUser(trx: Q, orgId: number, id: number): Promise<void> {
      await trx.deleteFrom('lead_users').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    async deleteUsersOf(trx: Q, orgId: number, leadId: number): Promise<void> {
      await trx.deleteFrom('lead_users').where('org_id', '=', orgId).where('lead_id', '=', leadId).execute();
    },

    async teamsOf(orgId: number, leadIds: number[], trx: Q = db) {
      if (!leadIds.length) return [];
      return teams(trx, orgId, leadIds);
    },
    async replaceTeams(trx: Q, orgId: number, leadId: number, teamIds: number[]): Promise<void> {
      await trx.deleteFrom('lead_teams').where('org_id', '=', orgId).where('lead_id', '=', leadId).execute();
      if (teamIds.length)
        await trx
          .insertInto('lead_teams')
          .values(teamIds.map((team_id, position) => ({ org_id: orgId, lead_id: leadId, team_id, position })))
          .execute();
    },
    /** The teams of the organization among `ids`. */
    async existingTeams(orgId: number, ids: number[], trx: Q = db): Promise<Set<number>> {
      if (!ids.length) return new Set();
      const rows = await trx
        .selectFrom('teams')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    /** The active members of the organization among `ids`. */
    async activeMembers(orgId: number, ids: number[], trx: Q = db): Promise<Set<number>> {
      if (!ids.length) return new Set();
      const rows = await trx
        .selectFrom('memberships')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('user_id', 'in', ids)
        .where('deactivated_at', 'is', null)
        .execute();
      return new Set(rows.map((r) => r.user_id));
    },
  };
}

export type LeadUserRepository = ReturnType<typeof createLeadUserRepository>;
