import { sql, type Kysely } from 'kysely';

/** statuses.lifecycle (src/catalogs/lifecycle.ts): PENDING, IN_PROGRESS, WON, LOST, CANCELLED, ON_HOLD. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('statuses').addColumn('lifecycle', 'text').execute();
  await db
    .updateTable('statuses')
    .set({
      lifecycle: sql`CASE
        WHEN category IN ('won', 'converted') THEN 'WON'
        WHEN category = 'lost' THEN 'LOST'
        WHEN category = 'on_hold' THEN 'ON_HOLD'
        WHEN category = 'closed' THEN 'CANCELLED'
        WHEN is_default = 1 THEN 'PENDING'
        ELSE 'IN_PROGRESS' END`,
    })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('statuses').dropColumn('lifecycle').execute();
}
