import type { Kysely } from 'kysely';

/**
 * The organization's IANA time zone (e.g. "Europe/Paris"): used wherever a client sends a local time or a
 * date-only value (compatible surfaces, imports, due-today views). Null means UTC until an admin sets it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').addColumn('time_zone', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').dropColumn('time_zone').execute();
}
