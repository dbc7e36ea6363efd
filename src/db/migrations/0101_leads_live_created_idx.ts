import { sql, type Kysely } from 'kysely';

/**
 * Deep offset pages and the `total` that comes with them (issue 14): the list of live leads (not deleted, not
 * converted) walks the organization in created_at order and skips `offset` entries, and the total counts them
 * all. Over (org_id, created_at, id) alone, every skipped or counted entry costs a table row read to test
 * deleted_at, converted_at and status_id. This partial index holds only live leads, with status_id, so the skip
 * and the count read the index alone (query plans in docs/decisions.md, "Offset paging").
 */
export async function up(db: Kysely<any>): Promise<void> {
  // deleted_at and converted_at are null in every entry, but SQLite counts an index as covering only when it holds
  // every column the query names, the partial index's own condition included.
  await sql`CREATE INDEX leads_org_live_created_idx
    ON leads (org_id, created_at, id, status_id, deleted_at, converted_at)
    WHERE deleted_at IS NULL AND converted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS leads_org_live_created_idx`.execute(db);
}
