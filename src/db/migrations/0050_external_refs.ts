import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/** External references (src/leads/external-ref.tables.ts): client-system values kept beside core records. */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('external_refs'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('external_refs_org_entity_uq', ['org_id', 'entity', 'entity_id', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('external_refs').ifExists().execute();
}
