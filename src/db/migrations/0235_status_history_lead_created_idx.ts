import { sql, type Kysely } from 'kysely';

/**
 * The status history of one lead by time (issue 15, import speed). The triggers of 0220 (status stays: "is there
 * a later row of this lead?", "the row before this one") and 0222 (lead outcomes: "did this lead ever enter a won
 * or converted status?") look a lead's history up by `org_id, lead_id` and `created_at`. With only
 * `(org_id, lead_id, id)` for that, SQLite preferred the covering `status_history_org_to_lead_idx`
 * (`org_id, to_status_id, lead_id, created_at`) on `org_id` alone, i.e. walked the organization's whole history
 * for every lead and history row inserted: an import slowed down with the size of the organization (79 rows/s
 * at 100,000 rows, 94% of the server's CPU in these triggers; docs/performance.md). This index covers all three
 * lookups (`id` is the rowid), so it replaces `(org_id, lead_id, id)`: a lead's history read in id order sorts
 * its few rows instead.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      'CREATE INDEX status_history_org_lead_created_idx ON status_history (org_id, lead_id, created_at, to_status_id)',
    )
    .execute(db);
  await sql.raw('DROP INDEX IF EXISTS status_history_org_lead_idx').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw('CREATE INDEX status_history_org_lead_idx ON status_history (org_id, lead_id, id)')
    .execute(db);
  await sql.raw('DROP INDEX IF EXISTS status_history_org_lead_created_idx').execute(db);
}
