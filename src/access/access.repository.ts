import type { Kysely } from 'kysely';
import { authVersionColumn } from './auth-cache.js';
import type { Database } from '../db/schema.js';
import type { Role } from './roles.js';
import { findOrgTimeZone } from '../catalogs/time-zone.js';

type Q = Kysely<Database>;

/** What an invitation shows (never its token hash). */
const INVITATION_COLUMNS = [
  'id',
  'email',
  'role',
  'team_ids',
  'created_at',
  'expires_at',
  'accepted_at',
  'revoked_at',
  'invited_by',
] as const;

export function createAccessRepository(db: Q) {
  return {
    async insertOrganization(trx: Q, name: string, now: string) {
      const row = await trx
        .insertInto('organizations')
        .values({ name, created_at: now })
        .returning(['id', 'name', 'created_at'])
        .executeTakeFirstOrThrow();
      return row;
    },
    async findOrganization(orgId: number, trx: Q = db) {
      return trx
        .selectFrom('organizations')
        .select(['id', 'name', 'created_at', 'time_zone'])
        .where('id', '=', orgId)
        .executeTakeFirst();
    },
    async findOrganizationTimeZone(orgId: number, trx: Q = db): Promise<string | null> {
      return findOrgTimeZone(trx, orgId);
    },
    async findUserByEmail(email: string, trx: Q = db) {
      return trx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    },
    async findUserById(id: number, trx: Q = db) {
      return trx
        .selectFrom('users')
        .select(['id', 'email', 'name', 'created_at'])
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async insertUser(trx: Q, u: { email: string; name: string; password_hash: string; created_at: string }) {
      return trx.insertInto('users').values(u).returning(['id', 'email', 'name']).executeTakeFirstOrThrow();
    },
    async insertMembership(trx: Q, orgId: number, userId: number, role: Role, now: string) {
      await trx
        .insertInto('memberships')
        .values({ org_id: orgId, user_id: userId, role, created_at: now, deactivated_at: null })
        .execute();
    },
    /** Active memberships of a user, oldest first. */
    async listMemberships(userId: number, trx: Q = db) {
      return trx
        .selectFrom('memberships')
        .innerJoin('organizations', 'organizations.id', 'memberships.org_id')
        .select(['organizations.id as id', 'organizations.name as name', 'memberships.role as role'])
        .where('memberships.user_id', '=', userId)
        .where('memberships.deactivated_at', 'is', null)
        .orderBy('memberships.created_at')
        .orderBy('organizations.id')
        .execute();
    },
    async findMembership(orgId: number, userId: number, trx: Q = db) {
      return trx
        .selectFrom('memberships')
        .select(['org_id', 'user_id', 'role', 'deactivated_at'])
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
    },
    async insertSession(
      trx: Q,
      s: { token_hash: string; user_id: number; created_at: string; expires_at: string; org_id?: number },
    ) {
      await trx
        .insertInto('sessions')
        .values({ ...s, last_used_at: null, revoked_at: null })
        .execute();
    },
    async findSessionByHash(tokenHash: string) {
      return db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.id as id',
          'sessions.user_id as user_id',
          'sessions.expires_at as expires_at',
          'sessions.revoked_at as revoked_at',
          'sessions.last_used_at as last_used_at',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    /** The members of an organization (active and deactivated), with email and name. */
    async listMembers(orgId: number) {
      return db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select([
          'users.id as id',
          'users.email as email',
          'users.name as name',
          'memberships.role as role',
          'memberships.created_at as joined_at',
          'memberships.deactivated_at as deactivated_at',
        ])
        .where('memberships.org_id', '=', orgId)
        .orderBy('users.id')
        .execute();
    },
    async findMember(orgId: number, userId: number, trx: Q = db) {
      return trx
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select([
          'users.id as id',
          'users.email as email',
          'users.name as name',
          'memberships.role as role',
          'memberships.created_at as joined_at',
          'memberships.deactivated_at as deactivated_at',
        ])
        .where('memberships.org_id', '=', orgId)
        .where('memberships.user_id', '=', userId)
        .executeTakeFirst();
    },
    async updateMembership(
      trx: Q,
      orgId: number,
      userId: number,
      set: { role?: string; deactivated_at?: string | null },
    ) {
      await trx
        .updateTable('memberships')
        .set(set)
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .execute();
    },
    async countActiveOwners(trx: Q, orgId: number): Promise<number> {
      const r = await trx
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', orgId)
        .where('role', '=', 'owner')
        .where('deactivated_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async insertInvitation(
      trx: Q,
      row: {
        org_id: number;
        email: string;
        role: string;
        team_ids: string;
        token_hash: string;
        invited_by: number | null;
        created_at: string;
        expires_at: string;
      },
    ) {
      return trx
        .insertInto('invitations')
        .values({ ...row, accepted_at: null, accepted_user_id: null, revoked_at: null })
        .returning(INVITATION_COLUMNS)
        .executeTakeFirstOrThrow();
    },
    async listInvitations(orgId: number) {
      return db
        .selectFrom('invitations')
        .select(INVITATION_COLUMNS)
        .where('org_id', '=', orgId)
        .orderBy('id', 'desc')
        .limit(500)
        .execute();
    },
    async findInvitation(orgId: number, id: number, trx: Q = db) {
      return trx
        .selectFrom('invitations')
        .select(INVITATION_COLUMNS)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** The only lookup without an org id: the token itself names the organization. */
    async findInvitationByHash(trx: Q, tokenHash: string) {
      return trx.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** Marks an invitation used; false if another request used or revoked it first. */
    async markInvitationAccepted(
      trx: Q,
      orgId: number,
      id: number,
      userId: number,
      now: string,
    ): Promise<boolean> {
      const r = await trx
        .updateTable('invitations')
        .set({ accepted_at: now, accepted_user_id: userId })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async revokeInvitation(orgId: number, id: number, now: string, trx: Q = db): Promise<boolean> {
      const r = await trx
        .updateTable('invitations')
        .set({ revoked_at: now })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async findTeam(orgId: number, teamId: number, trx: Q = db) {
      return trx
        .selectFrom('teams')
        .select(['id'])
        .where('org_id', '=', orgId)
        .where('id', '=', teamId)
        .executeTakeFirst();
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
    /** The auth hook's one round trip: the session and every membership of its user. */
    async findSessionWithMemberships(tokenHash: string) {
      return (
        db
          .selectFrom('sessions')
          .leftJoin('memberships', 'memberships.user_id', 'sessions.user_id')
          // The settings version of each organization rides along (the settings cache's key, org-cache.ts).
          .leftJoin('organizations', 'organizations.id', 'memberships.org_id')
          .select([
            'sessions.id as id',
            'sessions.user_id as user_id',
            'sessions.expires_at as expires_at',
            'sessions.revoked_at as revoked_at',
            'sessions.last_used_at as last_used_at',
            'sessions.org_id as session_org_id',
            'memberships.org_id as org_id',
            'memberships.role as role',
            'memberships.deactivated_at as deactivated_at',
            'organizations.settings_version as settings_version',
          ])
          // The token cache's key (src/access/auth-cache.ts), read in the same statement as the rows.
          .select(authVersionColumn)
          .where('sessions.token_hash', '=', tokenHash)
          .orderBy('memberships.created_at')
          .orderBy('memberships.org_id')
          .execute()
      );
    },
    async touchSession(id: number, now: string, trx: Q = db) {
      await trx.updateTable('sessions').set({ last_used_at: now }).where('id', '=', id).execute();
    },
    async revokeSession(id: number, now: string, trx: Q = db) {
      await trx
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async findUserWithHash(trx: Q, id: number) {
      return trx
        .selectFrom('users')
        .select(['id', 'email', 'password_hash'])
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async updatePasswordHash(trx: Q, userId: number, passwordHash: string) {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
    },
    /** Ends every open session of a user except `keepId` (the one changing its password). */
    async revokeSessionsOfUser(trx: Q, userId: number, now: string, keepId?: number) {
      let q = trx
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null);
      if (keepId !== undefined) q = q.where('id', '!=', keepId);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}

export type AccessRepository = ReturnType<typeof createAccessRepository>;
