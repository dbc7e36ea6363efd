import type { Kysely } from 'kysely';

/**
 * Rate-limit and sign-in counters shared by every node on PostgreSQL (src/http/counter-store.ts): one row per
 * hashed key, a fixed window ending at `reset_at` (epoch ms). Not tenant data: no org_id, rows expire and are
 * purged. SQLite gets the table too (same schema on both), but keeps its counters in the cluster primary.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('reset_at', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_counters_reset_idx').on('rate_counters').column('reset_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_counters').ifExists().execute();
}
