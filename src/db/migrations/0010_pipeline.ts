import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  // Statuses are soft-deleted so the append-only history can still name them.
  await db.schema.alterTable('statuses').addColumn('deleted_at', 'text').execute();

  await withId(db, db.schema.createTable('sub_statuses'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('status_id', 'integer', (c) => c.notNull().references('statuses.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addUniqueConstraint('sub_statuses_org_status_name_uq', ['org_id', 'status_id', 'name'])
    .execute();

  await withId(db, db.schema.createTable('reasons'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('categories', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema
    .createIndex('reasons_org_idx')
    .on('reasons')
    .columns(['org_id', 'position', 'id'])
    .execute();

  await withId(db, db.schema.createTable('custom_field_defs'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('options', 'text')
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('custom_field_defs_org_key_uq', ['org_id', 'key'])
    .execute();

  // The sub-status filter and "is this sub-status in use" both look leads up by it.
  await db.schema
    .createIndex('leads_org_sub_status_idx')
    .on('leads')
    .columns(['org_id', 'sub_status_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('leads_org_sub_status_idx').ifExists().execute();
  for (const t of ['custom_field_defs', 'reasons', 'sub_statuses'])
    await db.schema.dropTable(t).ifExists().execute();
  await db.schema.alterTable('statuses').dropColumn('deleted_at').execute();
}
