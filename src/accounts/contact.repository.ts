import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
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

/** What a client may name a customer by: an email (normalized) or a mobile number (digits only). */
export type IdentifierKind = 'email' | 'mobile';

export interface ContactFilter {
  /** Agent visibility from the access policy (src/access/policy.ts); absent: the whole organization. */
  visible?: (eb: ExpressionBuilder<Database, 'contacts'>) => Expression<SqlBool>;
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

    /** The oldest live contact with one of its numbers equal to these digits. */
    async findByPhoneDigits(orgId: number, digits: string, trx: Q = db): Promise<ContactRow | undefined> {
      return trx
        .selectFrom('contacts')
        .selectAll('contacts')
        .where('contacts.org_id', '=', orgId)
        .where('contacts.deleted_at', 'is', null)
        .where('contacts.id', 'in', (eb) =>
          eb
            .selectFrom('contact_phones')
            .select('contact_phones.contact_id')
            .where('contact_phones.org_id', '=', orgId)
            .where('contact_phones.digits', '=', digits),
        )
        .orderBy('contacts.id')
        .limit(1)
        .executeTakeFirst();
    },

    /**
     * Claims an identifier for the caller's transaction and returns the contact it resolves to (null: none yet).
     * One upsert: it inserts the claim or locks the existing one, so a parallel claimer of the same identifier
     * waits (PostgreSQL row lock; SQLite write transactions are serial) until this transaction ends, then reads
     * the contact this one settled on (docs/decisions.md, "Unique keys instead of check-then-create").
     */
    async claimIdentifier(
      trx: Q,
      orgId: number,
      kind: IdentifierKind,
      value: string,
    ): Promise<number | null> {
      const row = await trx
        .insertInto('contact_identifiers')
        .values({ org_id: orgId, kind, value, contact_id: null })
        .onConflict((oc) =>
          oc.columns(['org_id', 'kind', 'value']).doUpdateSet((eb) => ({ kind: eb.ref('excluded.kind') })),
        )
        .returning('contact_id')
        .executeTakeFirstOrThrow();
      return row.contact_id;
    },

    /** Settles a claimed identifier on a contact. */
    async settleIdentifier(trx: Q, orgId: number, kind: IdentifierKind, value: string, contactId: number) {
      await trx
        .updateTable('contact_identifiers')
        .set({ contact_id: contactId })
        .where('org_id', '=', orgId)
        .where('kind', '=', kind)
        .where('value', '=', value)
        .execute();
    },

    /** A read: the live contact an identifier is settled on, if any. */
    async findClaimed(orgId: number, kind: IdentifierKind, value: string, trx: Q = db) {
      return trx
        .selectFrom('contacts')
        .selectAll('contacts')
        .innerJoin('contact_identifiers as ci', (j) =>
          j.onRef('ci.contact_id', '=', 'contacts.id').on('ci.org_id', '=', orgId),
        )
        .where('ci.kind', '=', kind)
        .where('ci.value', '=', value)
        .where('contacts.org_id', '=', orgId)
        .where('contacts.deleted_at', 'is', null)
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
      if (f.visible) q = q.where(f.visible);
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
