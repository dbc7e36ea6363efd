import { sql, type Kysely } from 'kysely';

/**
 * Puts `leads_org_last_name_idx` (`org_id, last_name, id`) back, as 0001 made it and 0245 dropped it (issue 22).
 * 0245 dropped it because no plan used it: the list sorted by last name as `ORDER BY last_name IS NULL, last_name,
 * id` (nulls last in both directions), an order no index on the column gives, so every such page sorted the whole
 * organization (300-900 ms for a first page at 300,000 leads on both databases). The list now reads the leads with
 * a last name and those without as two branches, each in the index's order (lead.repository.ts,
 * `listNullsLast`), as it does for value and score with their indexes (`leads_org_value_idx`,
 * `leads_org_score_idx`), which 0245 kept. The cost is one more b-tree written by every insert of a lead.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw('CREATE INDEX IF NOT EXISTS leads_org_last_name_idx ON leads (org_id, last_name, id)')
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS leads_org_last_name_idx').execute(db);
}
