import { sql, type Kysely } from 'kysely';

/**
 * Lists leave merged leads out (`merged_into_id IS NULL`, migration 0160), so the live-leads index of 0101 must
 * hold that column too, or SQLite stops counting and skipping pages in the index alone (it reads a table row per
 * entry). Same name, same condition, one column more.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS leads_org_live_created_idx`.execute(db);
  await sql`CREATE INDEX leads_org_live_created_idx
    ON leads (org_id, created_at, id, status_id, deleted_at, converted_at, merged_into_id)
    WHERE deleted_at IS NULL AND converted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS leads_org_live_created_idx`.execute(db);
  await sql`CREATE INDEX leads_org_live_created_idx
    ON leads (org_id, created_at, id, status_id, deleted_at, converted_at)
    WHERE deleted_at IS NULL AND converted_at IS NULL`.execute(db);
}
