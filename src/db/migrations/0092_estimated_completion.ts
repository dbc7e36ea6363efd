import type { Kysely } from 'kysely';

/** The lead's estimated completion time `{ value, unit }` (src/catalogs/estimated-completion.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('leads').addColumn('estimated_completion_value', 'integer').execute();
  await db.schema.alterTable('leads').addColumn('estimated_completion_unit', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('leads').dropColumn('estimated_completion_unit').execute();
  await db.schema.alterTable('leads').dropColumn('estimated_completion_value').execute();
}
