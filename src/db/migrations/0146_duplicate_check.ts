import type { Kysely } from 'kysely';

/**
 * Whether a new lead with the email or phone of an existing lead of the organization is refused (seed 000's
 * "Duplicate lead."). Off (0) by default: an organization turns it on (PUT /api/v1/organization/duplicate-check).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('duplicate_check', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').dropColumn('duplicate_check').execute();
}
