import { sql, type Kysely } from 'kysely';

/**
 * The lead list's `lead_type_id` filter (issue 19: seed 003's `leads/list?type_identifier=`), paged by offset in
 * created_at order like the unfiltered list: live leads of one type, in that order, from the index alone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX leads_org_type_created_idx
    ON leads (org_id, lead_type_id, created_at, id)
    WHERE deleted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS leads_org_type_created_idx`.execute(db);
}
