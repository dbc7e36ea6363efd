import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { checkContentIfMatch } from '../http/etag.js';
import type { AccessRepository } from './access.repository.js';
import type { TeamRepository } from './team.repository.js';
import { assertCan, type AuthContext } from './roles.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

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
    trx: Kysely<Database> = db,
  ): Promise<TeamDto[]> {
    const members = await teams.membersOf(
      orgId,
      rows.map((r) => r.id),
      trx,
    );
    return rows.map((r) => ({
      ...r,
      members: members
        .filter((m) => m.team_id === r.id)
        .map((m) => ({ id: m.id, name: m.name, email: m.email })),
    }));
  }

  async function load(orgId: number, id: number, trx: Kysely<Database> = db) {
    const t = await teams.findById(orgId, id, trx);
    if (!t) throw notFound('Team', id);
    return t;
  }

  async function checkMembers(orgId: number, userIds: number[], trx: Kysely<Database> = db) {
    for (const u of userIds) {
      const m = await access.findMembership(orgId, u, trx);
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
    async get(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:read');
      const q = runner(db, opts);
      return (await present(auth.orgId, [await load(auth.orgId, id, q)], q))[0];
    },
    async create(auth: AuthContext, input: { name: string; member_ids?: number[] }, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      const name = input.name.trim();
      if (!name) throw fieldError('name', 'must not be blank');
      const memberIds = [...new Set(input.member_ids ?? [])];
      await checkMembers(auth.orgId, memberIds, runner(db, opts));
      const now = nowIso();
      const team = await inTransaction(db, opts, async (trx) => {
        if (await teams.findByName(auth.orgId, name, trx)) throw duplicate(name);
        const t = await teams.insert(trx, auth.orgId, name, now);
        for (const u of memberIds) await teams.addMember(trx, auth.orgId, t.id, u, now);
        return t;
      });
      return (await present(auth.orgId, [team], runner(db, opts)))[0];
    },
    async rename(
      auth: AuthContext,
      id: number,
      input: { name: string },
      ifMatch?: string,
      opts: TxOptions = {},
    ) {
      assertCan(auth, 'settings:write');
      const q = runner(db, opts);
      checkContentIfMatch(
        `Team ${id}`,
        (await present(auth.orgId, [await load(auth.orgId, id, q)], q))[0],
        ifMatch,
      );
      const name = input.name.trim();
      if (!name) throw fieldError('name', 'must not be blank');
      await inTransaction(db, opts, async (trx) => {
        const other = await teams.findByName(auth.orgId, name, trx);
        if (other && other.id !== id) throw duplicate(name);
        await teams.rename(trx, auth.orgId, id, name);
      });
      return this.get(auth, id, opts);
    },
    async remove(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        await load(auth.orgId, id, trx);
        await teams.remove(trx, auth.orgId, id);
      });
    },
    async addMember(auth: AuthContext, id: number, userId: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        await load(auth.orgId, id, trx);
        if (!(await access.findMembership(auth.orgId, userId, trx))) throw notFound('User', userId);
        await teams.addMember(trx, auth.orgId, id, userId, nowIso());
      });
      return this.get(auth, id, opts);
    },
    async removeMember(auth: AuthContext, id: number, userId: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        await load(auth.orgId, id, trx);
        if (!(await teams.removeMember(trx, auth.orgId, id, userId))) throw notFound('Team member', userId);
      });
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
