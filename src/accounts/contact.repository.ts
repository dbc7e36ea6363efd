import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import { createTagStore } from '../db/tag-store.js';
import type { ContactsTable } from './accounts.tables.js';
import { applyKeyset, applySearch, type KeysetPage } from './keyset.js';

type Q = Kysely<Database>;
export type ContactRow = Selectable<ContactsTable>;
export type ContactInsert = Insertable<ContactsTable>;
export type ContactUpdate = Updateable<ContactsTable>;
export interface ContactEmail {
  email: string;
  label: string | null;
}

export interface ContactFilter {
  companyId?: number;
  ownerId?: number;
  email?: string;
  /** Digits of a phone number, matched exactly against each of the contact's numbers. */
  phoneDigits?: string;
  tag?: string;
  terms?: string[];
}

export function createContactRepository(db: Q) {
  const tags = createTagStore(db, 'contact_tags');
  return {
    async insert(trx: Q, row: ContactInsert): Promise<ContactRow> {
      return trx.insertInto('contacts').values(row).returningAll().executeTakeFirstOrThrow();
    },

    async findById(orgId: number, id: number, trx: Q = db): Promise<ContactRow | undefined> {
      return trx
        .selectFrom('contacts')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async findLive(orgId: number, ids: number[], trx: Q = db): Promise<ContactRow[]> {
      if (ids.length === 0) return [];
      return trx
        .selectFrom('contacts')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .where('deleted_at', 'is', null)
        .execute();
    },

    /** The oldest live contact with this (normalized) email address. */
    async findByEmail(orgId: number, email: string, trx: Q = db): Promise<ContactRow | undefined> {
      return trx
        .selectFrom('contacts')
        .selectAll('contacts')
        .where('contacts.org_id', '=', orgId)
        .where('contacts.deleted_at', 'is', null)
        .where('contacts.id', 'in', (eb) =>
          eb
            .selectFrom('contact_emails')
            .select('contact_emails.contact_id')
            .where('contact_emails.org_id', '=', orgId)
            .where('contact_emails.email', '=', email),
        )
        .orderBy('contacts.id')
        .limit(1)
        .executeTakeFirst();
    },

    async updateVersioned(
      trx: Q,
      orgId: number,
      id: number,
      version: number,
      set: ContactUpdate,
    ): Promise<ContactRow | undefined> {
      return trx
        .updateTable('contacts')
        .set({ ...set, version: version + 1 })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
    },

    async list(orgId: number, f: ContactFilter, page: KeysetPage): Promise<ContactRow[]> {
      let q = db
        .selectFrom('contacts')
        .selectAll('contacts')
        .where('contacts.org_id', '=', orgId)
        .where('contacts.deleted_at', 'is', null);
      if (f.companyId !== undefined) q = q.where('contacts.company_id', '=', f.companyId);
      if (f.ownerId !== undefined) q = q.where('contacts.owner_id', '=', f.ownerId);
      if (f.email !== undefined) {
        const email = f.email;
        q = q.where('contacts.id', 'in', (eb) =>
          eb
            .selectFrom('contact_emails')
            .select('contact_emails.contact_id')
            .where('contact_emails.org_id', '=', orgId)
            .where('contact_emails.email', '=', email),
        );
      }
      if (f.phoneDigits !== undefined) {
        const digits = f.phoneDigits;
        q = q.where('contacts.id', 'in', (eb) =>
          eb
            .selectFrom('contact_phones')
            .select('contact_phones.contact_id')
            .where('contact_phones.org_id', '=', orgId)
            .where('contact_phones.digits', '=', digits),
        );
      }
      if (f.tag !== undefined) {
        const tag = f.tag;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('contact_tags')
              .select(sql.lit(1).as('one'))
              .where('contact_tags.org_id', '=', orgId)
              .where('contact_tags.tag', '=', tag)
              .whereRef('contact_tags.contact_id', '=', 'contacts.id'),
          ),
        );
      }
      if (f.terms) q = applySearch(q, 'contacts', f.terms);
      return applyKeyset(q, 'contacts', page).execute();
    },

    async emailsFor(orgId: number, ids: number[], trx: Q = db): Promise<Map<number, ContactEmail[]>> {
      const out = new Map<number, ContactEmail[]>();
      if (ids.length === 0) return out;
      const rows = await trx
        .selectFrom('contact_emails')
        .select(['contact_id', 'email', 'label'])
        .where('org_id', '=', orgId)
        .where('contact_id', 'in', ids)
        .orderBy('contact_id')
        .orderBy('position')
        .execute();
      for (const r of rows)
        out.set(r.contact_id, [...(out.get(r.contact_id) ?? []), { email: r.email, label: r.label }]);
      return out;
    },

    /** `fresh`: the row was just inserted, so there is nothing to delete first. */
    async replaceEmails(
      trx: Q,
      orgId: number,
      contactId: number,
      emails: ContactEmail[],
      fresh = false,
    ): Promise<void> {
      if (!fresh)
        await trx
          .deleteFrom('contact_emails')
          .where('org_id', '=', orgId)
          .where('contact_id', '=', contactId)
          .execute();
      if (emails.length) {
        await trx
          .insertInto('contact_emails')
          .values(
            emails.map((e, i) => ({
              org_id: orgId,
              contact_id: contactId,
              email: e.email,
              label: e.label,
              position: i,
            })),
          )
          .execute();
      }
    },

    /** Keeps `contact_phones` (digits only) in step with `contacts.phones`. */
    async replacePhones(
      trx: Q,
      orgId: number,
      contactId: number,
      phones: Array<{ phone: string }>,
      fresh = false,
    ): Promise<void> {
      if (!fresh)
        await trx
          .deleteFrom('contact_phones')
          .where('org_id', '=', orgId)
          .where('contact_id', '=', contactId)
          .execute();
      const values = phones
        .map((p, position) => ({
          org_id: orgId,
          contact_id: contactId,
          position,
          digits: p.phone.replace(/\D/g, ''),
        }))
        .filter((v) => v.digits !== '');
      if (values.length) await trx.insertInto('contact_phones').values(values).execute();
    },

    tagsFor: tags.tagsFor,
    replaceTags: tags.replaceTags,
  };
}

export type ContactRepository = ReturnType<typeof createContactRepository>;
