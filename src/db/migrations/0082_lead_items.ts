import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * What a lead is about, typed: a vehicle (wanted or in exchange, seed 000), a product, service, physical good or
 * subscription package (a catalog reference, quantity and price), or a competitor. Vehicle fields are a JSON
 * object checked on write; the VIN is a column so a lead is found by it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('lead_items'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('catalog_ref', 'text')
    .addColumn('quantity', 'text')
    .addColumn('price_cents', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('comment', 'text')
    .addColumn('vin', 'text')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('lead_items_org_lead_idx')
    .on('lead_items')
    .columns(['org_id', 'lead_id', 'position'])
    .execute();
  await db.schema.createIndex('lead_items_org_vin_idx').on('lead_items').columns(['org_id', 'vin']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lead_items').ifExists().execute();
}
