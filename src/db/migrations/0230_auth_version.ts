import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * `auth_state.version` (issue 22 item 3, src/access/auth-cache.ts): one counter, bumped in the same transaction
 * as any write that can change what a token lookup answers (a session revoked, ended or deleted; a membership
 * added, removed, deactivated or given another role; an API key revoked, expired, rescoped or deleted). Triggers
 * bump it, so no writer can forget. Each server process caches token lookups under the version they were read
 * at, reads the version with every request, and reads the token again when it moved. Signing in (a new session)
 * and the once-a-minute `last_used_at` touch change nothing cached and bump nothing.
 */
/**
 * What a token lookup reads (src/access/auth.service.ts, `authenticate`), per table: an update of these columns
 * (and any delete) bumps the version. New memberships bump it too (a session may act in the new organization);
 * new sessions and API keys do not (nothing cached names them yet).
 */
export const AUTH_COLUMNS: Record<'sessions' | 'memberships' | 'api_keys', string[]> = {
  sessions: ['token_hash', 'user_id', 'expires_at', 'revoked_at', 'org_id'],
  memberships: ['org_id', 'user_id', 'role', 'deactivated_at', 'created_at'],
  api_keys: ['key_hash', 'org_id', 'scopes', 'expires_at', 'revoked_at', 'parent_key_id'],
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('auth_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto('auth_state').values({ id: 1, version: 0 }).execute();
  const bump = 'UPDATE auth_state SET version = version + 1 WHERE id = 1';
  if (isPostgres(db)) {
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION lf_bump_auth_version() RETURNS trigger AS $$
BEGIN
  ${bump};
  RETURN NULL;
END $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    // Statement triggers: one bump per statement however many rows it touched (a password change revokes all).
    for (const [table, cols] of Object.entries(AUTH_COLUMNS)) {
      const events = [
        ...(table === 'memberships' ? ['INSERT'] : []),
        `UPDATE OF ${cols.join(', ')}`,
        'DELETE',
      ].join(' OR ');
      await sql
        .raw(
          `CREATE TRIGGER ${table}_auth_version AFTER ${events} ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION lf_bump_auth_version()`,
        )
        .execute(db);
    }
    return;
  }
  for (const [table, cols] of Object.entries(AUTH_COLUMNS)) {
    if (table === 'memberships')
      await sql.raw(`CREATE TRIGGER ${table}_av_ins AFTER INSERT ON ${table} BEGIN ${bump}; END`).execute(db);
    await sql
      .raw(`CREATE TRIGGER ${table}_av_upd AFTER UPDATE OF ${cols.join(', ')} ON ${table} BEGIN ${bump}; END`)
      .execute(db);
    await sql.raw(`CREATE TRIGGER ${table}_av_del AFTER DELETE ON ${table} BEGIN ${bump}; END`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const table of Object.keys(AUTH_COLUMNS))
      await sql.raw(`DROP TRIGGER IF EXISTS ${table}_auth_version ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION IF EXISTS lf_bump_auth_version()`).execute(db);
  } else {
    for (const table of Object.keys(AUTH_COLUMNS))
      for (const k of ['ins', 'upd', 'del'])
        await sql.raw(`DROP TRIGGER IF EXISTS ${table}_av_${k}`).execute(db);
  }
  await db.schema.dropTable('auth_state').ifExists().execute();
}
