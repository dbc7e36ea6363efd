import type { Kysely } from 'kysely';

/**
 * Consent with dates a client can write, on the lead (lead_consents, one row per channel opted out of) and on the
 * contact ("all" joins the three flags it has); and whether a contact or company is a prospect or a customer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lead_consents')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('opted_out_at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_consents_pk', ['org_id', 'lead_id', 'channel'])
    .execute();
  await db.schema
    .alterTable('contacts')
    .addColumn('do_not_contact', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('contacts').addColumn('do_not_contact_at', 'text').execute();
  await db.schema
    .alterTable('contacts')
    .addColumn('customer_status', 'text', (c) => c.notNull().defaultTo('prospect'))
    .execute();
  await db.schema
    .alterTable('companies')
    .addColumn('customer_status', 'text', (c) => c.notNull().defaultTo('prospect'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('companies').dropColumn('customer_status').execute();
  await db.schema.alterTable('contacts').dropColumn('customer_status').execute();
  await db.schema.alterTable('contacts').dropColumn('do_not_contact_at').execute();
  await db.schema.alterTable('contacts').dropColumn('do_not_contact').execute();
  await db.schema.dropTable('lead_consents').ifExists().execute();
}
