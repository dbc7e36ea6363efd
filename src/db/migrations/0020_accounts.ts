import { sql, type Kysely } from 'kysely';
import { withId } from '../dialect.js';

/** Companies, contacts, opportunities, lead links and conversion columns on leads. */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('companies'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('industry', 'text')
    .addColumn('website', 'text')
    .addColumn('domain', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('description', 'text')
    .addColumn('address_line1', 'text')
    .addColumn('address_line2', 'text')
    .addColumn('city', 'text')
    .addColumn('state', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('country', 'text')
    .addColumn('owner_id', 'integer', (c) => c.references('users.id'))
    .addColumn('custom_fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_from_lead_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('updated_by', 'integer')
    .addColumn('deleted_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  for (const [name, cols] of [
    ['companies_org_created_idx', ['org_id', 'created_at', 'id']],
    ['companies_org_updated_idx', ['org_id', 'updated_at', 'id']],
    ['companies_org_name_idx', ['org_id', 'name_key', 'id']],
    ['companies_org_domain_idx', ['org_id', 'domain']],
  ] as Array<[string, string[]]>) {
    await db.schema.createIndex(name).on('companies').columns(cols).execute();
  }

  await db.schema
    .createTable('company_tags')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('company_tags_pk', ['org_id', 'company_id', 'tag'])
    .execute();
  await db.schema
    .createIndex('company_tags_org_tag_idx')
    .on('company_tags')
    .columns(['org_id', 'tag', 'company_id'])
    .execute();

  await withId(db, db.schema.createTable('contacts'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('civility', 'text')
    .addColumn('job_title', 'text')
    .addColumn('company_id', 'integer', (c) => c.references('companies.id'))
    .addColumn('phones', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('description', 'text')
    .addColumn('address_line1', 'text')
    .addColumn('address_line2', 'text')
    .addColumn('city', 'text')
    .addColumn('state', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('country', 'text')
    .addColumn('owner_id', 'integer', (c) => c.references('users.id'))
    .addColumn('do_not_email', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('do_not_email_at', 'text')
    .addColumn('do_not_call', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('do_not_call_at', 'text')
    .addColumn('do_not_sms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('do_not_sms_at', 'text')
    .addColumn('custom_fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_from_lead_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('updated_by', 'integer')
    .addColumn('deleted_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  for (const [name, cols] of [
    ['contacts_org_created_idx', ['org_id', 'created_at', 'id']],
    ['contacts_org_updated_idx', ['org_id', 'updated_at', 'id']],
    ['contacts_org_company_idx', ['org_id', 'company_id']],
  ] as Array<[string, string[]]>) {
    await db.schema.createIndex(name).on('contacts').columns(cols).execute();
  }

  await db.schema
    .createTable('contact_emails')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_emails_pk', ['org_id', 'contact_id', 'email'])
    .execute();
  await db.schema
    .createIndex('contact_emails_org_email_idx')
    .on('contact_emails')
    .columns(['org_id', 'email', 'contact_id'])
    .execute();

  await db.schema
    .createTable('contact_tags')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_tags_pk', ['org_id', 'contact_id', 'tag'])
    .execute();
  await db.schema
    .createIndex('contact_tags_org_tag_idx')
    .on('contact_tags')
    .columns(['org_id', 'tag', 'contact_id'])
    .execute();

  await withId(db, db.schema.createTable('opportunities'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('probability', 'integer')
    .addColumn('close_date', 'text')
    .addColumn('company_id', 'integer', (c) => c.references('companies.id'))
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id'))
    .addColumn('owner_id', 'integer', (c) => c.references('users.id'))
    .addColumn('lead_id', 'integer', (c) => c.references('leads.id'))
    .addColumn('description', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('updated_by', 'integer')
    .addColumn('deleted_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  for (const [name, cols] of [
    ['opportunities_org_created_idx', ['org_id', 'created_at', 'id']],
    ['opportunities_org_updated_idx', ['org_id', 'updated_at', 'id']],
    ['opportunities_org_company_idx', ['org_id', 'company_id']],
    ['opportunities_org_contact_idx', ['org_id', 'contact_id']],
  ] as Array<[string, string[]]>) {
    await db.schema.createIndex(name).on('opportunities').columns(cols).execute();
  }
  // A lead converts into at most one live opportunity. The database enforces it, so two racing conversions
  // (or a conversion racing a manual POST /opportunities) cannot both succeed.
  await db.schema
    .createIndex('opportunities_org_lead_uq')
    .on('opportunities')
    .columns(['org_id', 'lead_id'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('lead_contacts')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_contacts_pk', ['org_id', 'lead_id', 'contact_id'])
    .execute();
  await db.schema
    .createIndex('lead_contacts_org_contact_idx')
    .on('lead_contacts')
    .columns(['org_id', 'contact_id', 'lead_id'])
    .execute();

  // Plain integers (no REFERENCES): SQLite cannot add a foreign key with ALTER TABLE on both dialects alike.
  for (const col of [
    'company_id',
    'converted_by',
    'converted_company_id',
    'converted_contact_id',
    'converted_opportunity_id',
  ]) {
    await db.schema.alterTable('leads').addColumn(col, 'integer').execute();
  }
  await db.schema.alterTable('leads').addColumn('converted_at', 'text').execute();
  await db.schema
    .createIndex('leads_org_company_idx')
    .on('leads')
    .columns(['org_id', 'company_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('leads_org_company_idx').ifExists().execute();
  for (const col of [
    'converted_at',
    'converted_opportunity_id',
    'converted_contact_id',
    'converted_company_id',
    'converted_by',
    'company_id',
  ]) {
    await db.schema.alterTable('leads').dropColumn(col).execute();
  }
  for (const t of [
    'lead_contacts',
    'opportunities',
    'contact_tags',
    'contact_emails',
    'contacts',
    'company_tags',
    'companies',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
