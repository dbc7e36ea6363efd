import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { checkContentIfMatch } from '../http/etag.js';
import type { AccessRepository } from './access.repository.js';
import type { TeamRepository } from './team.repository.js';
import { assertCan, type AuthContext } from './roles.js';
import { inTransaction } from '../db/unit-of-work.js';

export interface TeamDto {
  id: number;
  name: string;
  created_at: string;
  members: Array<{ id: number; name: string; email: string }>;
}

/** Teams group members; a lead assigned to a team is visible to that team's agents. */
export function createTeamService({
  db,
  teams,
  access,
}: {
  db: Kysely<Database>;
  teams: TeamRepository;
  access: AccessRepository;
}) {
  async function present(
    orgId: number,
    rows: Array<{ id: number; name: string; created_at: string }>,
  ): Promise<TeamDto[]> {
    const members = await teams.membersOf(
      orgId,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      ...r,
      members: members
        .filter((m) => m.team_id === r.id)
        .map((m) => ({ id: m.id, name: m.name, email: m.email })),
    }));
  }

  async function load(orgId: number, id: number) {
    const t = await teams.findById(orgId, id);
    if (!t) throw notFound('Team', id);
    return t;
  }

  async function checkMembers(orgId: number, userIds: number[]) {
    for (const u of userIds) {
      const m = await access.findMembership(orgId, u);
      if (!m) throw fieldError('member_ids', `user ${u} is not a member of this organization`);
    }
  }

  function duplicate(name: string) {
    return new AppError('conflict', `A team named "${name}" already exists.`, [
      { field: 'name', message: 'is already used by another team' },
    ]);
  }

  return {
    async list(auth: AuthContext) {
      assertCan(auth, 'settings:read');
      return { data: await present(auth.orgId, await teams.list(auth.orgId)) };
    },
    async get(auth: AuthContext, id: number) {
      assertCan(auth, 'settings:read');
      return (await present(auth.orgId, [await load(auth.orgId, id)]))[0];
    },
    async create(auth: AuthContext, input: { name: string; member_ids?: number[] }) {
      assertCan(auth, 'settings:write');
      const name = input.name.trim();
      if (!name) throw fieldError('name', 'must not be blank');
      const memberIds = [...new Set(input.member_ids ?? [])];
      await checkMembers(auth.orgId, memberIds);
      const now = nowIso();
      const team = await inTransaction(db, {}, async (trx) => {
        if (await teams.findByName(auth.orgId, name, trx)) throw duplicate(name);
        const t = await teams.insert(trx, auth.orgId, name, now);
        for (const u of memberIds) await teams.addMember(trx, auth.orgId, t.id, u, now);
        return t;
      });
      return (await present(auth.orgId, [team]))[0];
    },
    async rename(auth: AuthContext, id: number, input: { name: string }, ifMatch?: string) {
      assertCan(auth, 'settings:write');
      checkContentIfMatch(
        `Team ${id}`,
        (await present(auth.orgId, [await load(auth.orgId, id)]))[0],
        ifMatch,
      );
      const name = input.name.trim();
      if (!name) throw fieldError('name', 'must not be blank');
      await inTransaction(db, {}, async (trx) => {
        const other = await teams.findByName(auth.orgId, name, trx);
        if (other && other.id !== id) throw duplicate(name);
        await teams.rename(trx, auth.orgId, id, name);
      });
      return this.get(auth, id);
    },
    async remove(auth: AuthContext, id: number) {
      assertCan(auth, 'settings:write');
      await load(auth.orgId, id);
      await inTransaction(db, {}, (trx) => teams.remove(trx, auth.orgId, id));
    },
    async addMember(auth: AuthContext, id: number, userId: number) {
      assertCan(auth, 'settings:write');
      await load(auth.orgId, id);
      if (!(await access.findMembership(auth.orgId, userId))) throw notFound('User', userId);
      await teams.addMember(db, auth.orgId, id, userId, nowIso());
      return this.get(auth, id);
    },
    async removeMember(auth: AuthContext, id: number, userId: number) {
      assertCan(auth, 'settings:write');
      await load(auth.orgId, id);
      if (!(await teams.removeMember(db, auth.orgId, id, userId))) throw notFound('Team member', userId);
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
