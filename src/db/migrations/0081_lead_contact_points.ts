import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * A lead's emails and phones as rows (seed 000's `emails`/`phones` objects): each with an id, a type, an
 * extension (phones), a valid flag and a primary flag. leads.email, leads.phone and leads.mobile keep the primary
 * ones, so every reader of a lead row still finds them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('lead_contact_points'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('digits', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('extension', 'text')
    .addColumn('valid', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('lead_contact_points_org_lead_idx')
    .on('lead_contact_points')
    .columns(['org_id', 'lead_id', 'kind', 'position'])
    .execute();
  // Find a lead by any of its emails or phone numbers (digits only).
  await db.schema
    .createIndex('lead_contact_points_org_value_idx')
    .on('lead_contact_points')
    .columns(['org_id', 'kind', 'value'])
    .execute();
  await db.schema
    .createIndex('lead_contact_points_org_digits_idx')
    .on('lead_contact_points')
    .columns(['org_id', 'digits'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lead_contact_points').ifExists().execute();
}
