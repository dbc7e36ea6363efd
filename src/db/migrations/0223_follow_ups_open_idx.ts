import { sql, type Kysely } from 'kysely';

/**
 * Overdue follow-ups per owner (issue 21): the open follow-ups of an organization by scheduled time, with their
 * lead. Without it the report read every lead of the organization and looked for its follow-ups; with it, it
 * reads the open follow-ups due before now and their leads by id. Partial: done follow-ups are most of the table
 * and never overdue.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      'CREATE INDEX follow_ups_org_open_idx ON follow_ups (org_id, scheduled_at, lead_id) WHERE done_at IS NULL',
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS follow_ups_org_open_idx').execute(db);
}
