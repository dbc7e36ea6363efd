import type { Kysely } from 'kysely';

/**
 * Short-lived tokens for compatible surfaces (seed 003's `authentication/token`): a session may be pinned to one
 * organization (`sessions.org_id`, null = any of the user's), and an API key may be a short-lived key exchanged
 * for another (`api_keys.parent_key_id`): it acts with its parent's organization and scopes, dies with it, and is
 * the only kind of key a token release revokes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('org_id', 'integer').execute();
  await db.schema.alterTable('api_keys').addColumn('parent_key_id', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('parent_key_id').execute();
  await db.schema.alterTable('sessions').dropColumn('org_id').execute();
}
