import { sql, type Kysely } from 'kysely';

/**
 * Drops two `leads` indexes that no query can use (issue 15, import speed: every index of `leads` is written by
 * every insert, so an import is that much faster without them):
 *
 * - `leads_org_source_created_idx` (`org_id, source, created_at, id`): the lead list's source filter is
 *   case-folded (`lf_lower(source) = lf_lower(?)` on SQLite, `lower()` on PostgreSQL; lead.repository.ts), which
 *   an index on the raw column cannot serve, and the reports filter and group by source in their rollup tables
 *   (`lead_rollups`, `lead_totals`, `lead_days`), not in `leads`.
 * - `leads_org_last_name_idx` (`org_id, last_name, id`): the list sorts by last name as
 *   `ORDER BY last_name IS NULL, last_name, id` (nulls last in both directions), whose leading expression an index
 *   on the column cannot give in order, and nothing filters on the raw column (search goes through the full-text
 *   index and folded matches).
 *
 * Checked with `bench/micro/lead-index-usage.micro.ts` (every list sort and filter and every report, through HTTP)
 * on both databases at 300,000 leads: neither index was in any plan (docs/decisions.md, "Import speed, third
 * pass"). `leads_org_value_idx` and `leads_org_score_idx`, also unused by the sorts for the same reason, stay: the
 * `value` range filter and the `score_gte` filter and scoring's `score IS NOT NULL` read use them. `down` puts
 * both back.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS leads_org_source_created_idx').execute(db);
  await sql.raw('DROP INDEX IF EXISTS leads_org_last_name_idx').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw('CREATE INDEX leads_org_source_created_idx ON leads (org_id, source, created_at, id)')
    .execute(db);
  await sql.raw('CREATE INDEX leads_org_last_name_idx ON leads (org_id, last_name, id)').execute(db);
}
