import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Role } from './roles.js';

type Q = Kysely<Database>;

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
    async findUserByEmail(email: string, trx: Q = db) {
      return trx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    },
    async findUserById(id: number) {
      return db.selectFrom('users').select(['id', 'email', 'name', 'created_at']).where('id', '=', id).executeTakeFirst();
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
    async listMemberships(userId: number) {
      return db
        .selectFrom('memberships')
        .innerJoin('organizations', 'organizations.id', 'memberships.org_id')
        .select(['organizations.id as id', 'organizations.name as name', 'memberships.role as role'])
        .where('memberships.user_id', '=', userId)
        .where('memberships.deactivated_at', 'is', null)
        .orderBy('memberships.created_at')
        .orderBy('organizations.id')
        .execute();
    },
    async findMembership(orgId: number, userId: number) {
      return db
        .selectFrom('memberships')
        .select(['org_id', 'user_id', 'role', 'deactivated_at'])
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
    },
    async insertSession(trx: Q, s: { token_hash: string; user_id: number; created_at: string; expires_at: string }) {
      await trx.insertInto('sessions').values({ ...s, last_used_at: null, revoked_at: null }).execute();
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
    async touchSession(id: number, now: string) {
      await db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', id).execute();
    },
    async revokeSession(id: number, now: string) {
      await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
  };
}

export type AccessRepository = ReturnType<typeof createAccessRepository>;
