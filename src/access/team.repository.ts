import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Q = Kysely<Database>;

export function createTeamRepository(db: Q) {
  return {
    async insert(trx: Q, orgId: number, name: string, now: string) {
      return trx
        .insertInto('teams')
        .values({ org_id: orgId, name, created_at: now })
        .returning(['id', 'name', 'created_at'])
        .executeTakeFirstOrThrow();
    },
    async list(orgId: number) {
      return db
        .selectFrom('teams')
        .select(['id', 'name', 'created_at'])
        .where('org_id', '=', orgId)
        .orderBy('name')
        .orderBy('id')
        .execute();
    },
    async findById(orgId: number, id: number, trx: Q = db) {
      return trx
        .selectFrom('teams')
        .select(['id', 'name', 'created_at'])
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async findByName(orgId: number, name: string, trx: Q = db) {
      return trx
        .selectFrom('teams')
        .select(['id'])
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .executeTakeFirst();
    },
    async rename(trx: Q, orgId: number, id: number, name: string) {
      await trx.updateTable('teams').set({ name }).where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    /** Deletes a team; its leads stay, unassigned from it. */
    async remove(trx: Q, orgId: number, id: number) {
      await trx
        .updateTable('leads')
        .set({ team_id: null })
        .where('org_id', '=', orgId)
        .where('team_id', '=', id)
        .execute();
      await trx.deleteFrom('team_members').where('org_id', '=', orgId).where('team_id', '=', id).execute();
      await trx.deleteFrom('teams').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    async membersOf(orgId: number, teamIds: number[], trx: Q = db) {
      if (teamIds.length === 0) return [];
      return trx
        .selectFrom('team_members')
        .innerJoin('users', 'users.id', 'team_members.user_id')
        .select([
          'team_members.team_id as team_id',
          'users.id as id',
          'users.name as name',
          'users.email as email',
        ])
        .where('team_members.org_id', '=', orgId)
        .where('team_members.team_id', 'in', teamIds)
        .orderBy('users.id')
        .execute();
    },
    async addMember(trx: Q, orgId: number, teamId: number, userId: number, now: string) {
      const exists = await trx
        .selectFrom('team_members')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('team_id', '=', teamId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!exists)
        await trx
          .insertInto('team_members')
          .values({ org_id: orgId, team_id: teamId, user_id: userId, created_at: now })
          .execute();
    },
    async removeMember(trx: Q, orgId: number, teamId: number, userId: number): Promise<boolean> {
      const r = await trx
        .deleteFrom('team_members')
        .where('org_id', '=', orgId)
        .where('team_id', '=', teamId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async teamIdsOfUser(orgId: number, userId: number, trx: Q = db): Promise<number[]> {
      const rows = await trx
        .selectFrom('team_members')
        .select('team_id')
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .execute();
      return rows.map((r) => r.team_id);
    },
  };
}

export type TeamRepository = ReturnType<typeof createTeamRepository>;
