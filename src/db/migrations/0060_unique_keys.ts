import { sql, type Kysely } from 'kysely';

/**
 * Unique keys for the three check-then-create paths (docs/decisions.md, "Unique keys instead of
 * check-then-create"), so that parallel requests cannot make two of one thing:
 *
 * - `contact_identifiers`: which contact an identifier (an email, or a mobile number as digits) resolves to when a
 *   client names a customer by it (find-or-create). One row per (org, kind, value). Contacts themselves may still
 *   share an email (two people at one shared inbox); the claim only decides which one find-or-create returns.
 *   Existing data: each identifier is claimed by its OLDEST live contact, so nothing fails on a database that
 *   already has duplicates, and no contact is merged or removed.
 * - `reasons`: one live reason per (org, text), a partial unique index (retired reasons keep their text for the
 *   history that names them). Existing live duplicates: the oldest is kept, the newer ones are retired
 *   (`deleted_at` set); status history keeps their ids and still shows their text.
 * - `sub_statuses` already had a unique (org, status, name); only the code changes (an upsert that revives a
 *   retired name instead of failing on it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contact_identifiers')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    // Null only inside the transaction that claims the identifier and is about to create its contact.
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('contact_identifiers_pk', ['org_id', 'kind', 'value'])
    .execute();
  await sql`
    INSERT INTO contact_identifiers (org_id, kind, value, contact_id)
    SELECT e.org_id, 'email', e.email, MIN(e.contact_id)
    FROM contact_emails e JOIN contacts c ON c.id = e.contact_id AND c.deleted_at IS NULL
    GROUP BY e.org_id, e.email`.execute(db);
  await sql`
    INSERT INTO contact_identifiers (org_id, kind, value, contact_id)
    SELECT p.org_id, 'mobile', p.digits, MIN(p.contact_id)
    FROM contact_phones p JOIN contacts c ON c.id = p.contact_id AND c.deleted_at IS NULL
    WHERE p.digits <> ''
    GROUP BY p.org_id, p.digits`.execute(db);

  const now = new Date().toISOString();
  await sql`
    UPDATE reasons SET deleted_at = ${now}
    WHERE deleted_at IS NULL AND id > (
      SELECT MIN(r.id) FROM reasons r
      WHERE r.org_id = reasons.org_id AND r.text = reasons.text AND r.deleted_at IS NULL
    )`.execute(db);
  await db.schema
    .createIndex('reasons_org_text_live_uq')
    .on('reasons')
    .columns(['org_id', 'text'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('reasons_org_text_live_uq').ifExists().execute();
  await db.schema.dropTable('contact_identifiers').ifExists().execute();
}
