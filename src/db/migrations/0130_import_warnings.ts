import type { Kysely } from 'kysely';

/**
 * Values of vocabulary columns (status, owner, converted...) that matched nothing, with their counts: JSON
 * `{ column: { value: count } }`, so an import never drops a value without saying so.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('warnings', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('warnings').execute();
}
