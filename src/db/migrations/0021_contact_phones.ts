import type { Kysely } from 'kysely';

/**
 * One row per contact phone number, digits only, so a contact is found by its number through an index
 * (seed 002's MOBILE identifier) however it was written ("+1 (555) 010-0999" and "15550100999" are one number).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contact_phones')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('digits', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_phones_pk', ['org_id', 'contact_id', 'position'])
    .execute();
  await db.schema
    .createIndex('contact_phones_org_digits_idx')
    .on('contact_phones')
    .columns(['org_id', 'digits', 'contact_id'])
    .execute();

  // Contacts written before this migration.
  const rows = await db.selectFrom('contacts').select(['org_id', 'id', 'phones']).execute();
  for (const r of rows as Array<{ org_id: number; id: number; phones: string }>) {
    const phones = JSON.parse(r.phones || '[]') as Array<{ phone: string }>;
    const values = phones
      .map((p, position) => ({
        org_id: r.org_id,
        contact_id: r.id,
        position,
        digits: p.phone.replace(/\D/g, ''),
      }))
      .filter((v) => v.digits !== '');
    if (values.length) await db.insertInto('contact_phones').values(values).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('contact_phones').ifExists().execute();
}
