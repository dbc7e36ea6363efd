import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * Catalogs per organization (issue 14): categories, sources, privacy levels, importance levels, priorities,
 * product categories and projects in one table keyed by `kind`; lead types in their own table (they carry
 * rules). Every entry has an integer id, a name and an alternative code unique within its catalog (seed 003
 * finds records by id, name or alternative code). Leads point at them with nullable integer columns.
 */
export const LEAD_CATALOG_COLUMNS = [
  'lead_type_id',
  'category_id',
  'source_id',
  'privacy_level_id',
  'importance_level_id',
  'product_category_id',
  'project_id',
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('catalog_entries'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('alternative_code', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('catalog_entries_org_kind_code')
    .on('catalog_entries')
    .columns(['org_id', 'kind', 'alternative_code'])
    .unique()
    .execute();
  await db.schema
    .createIndex('catalog_entries_org_kind_pos')
    .on('catalog_entries')
    .columns(['org_id', 'kind', 'position'])
    .execute();

  await withId(db, db.schema.createTable('lead_types'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('alternative_code', 'text')
    .addColumn('default_status_id', 'integer')
    .addColumn('default_category_id', 'integer')
    /** JSON array of status ids; null means every status. */
    .addColumn('allowed_status_ids', 'text')
    .addColumn('email_required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('phone_required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lock_when_closed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('lead_types_org_code')
    .on('lead_types')
    .columns(['org_id', 'alternative_code'])
    .unique()
    .execute();

  for (const col of LEAD_CATALOG_COLUMNS) {
    await db.schema.alterTable('leads').addColumn(col, 'integer').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const col of [...LEAD_CATALOG_COLUMNS].reverse()) {
    await db.schema.alterTable('leads').dropColumn(col).execute();
  }
  await db.schema.dropTable('lead_types').execute();
  await db.schema.dropTable('catalog_entries').execute();
}
