import type { AuthContext } from '../access/roles.js';
import type { ContactService } from './contact.service.js';
import type { TxOptions } from '../db/unit-of-work.js';

const digits = (phone: string) => phone.replace(/\D/g, '');

/**
 * The customer behind an identifier: the organization's contact with that email (case-insensitive) or mobile
 * number (compared digit by digit, so "+1 555-0100" and "+15550100" are one number), created when there is
 * none (a new customer known only by a number gets it as their last name, since a contact needs a name or an
 * email). For clients that name a person by an identifier instead of an id (seed 002's idType + identifier).
 */
export function createContactFinder({ contacts }: { contacts: Pick<ContactService, 'list' | 'create'> }) {
  return {
    /** The existing contact for an identifier, if any (a read, before a unit of work opens). */
    async findByIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
    ): Promise<number | undefined> {
      const v = value.trim();
      if (kind === 'email') return (await contacts.list(auth, { email: v, limit: 1 })).data[0]?.id;
      return digits(v) ? (await contacts.list(auth, { phone: v, limit: 1 })).data[0]?.id : undefined;
    },

    /** Creates the contact for an identifier, in the caller's unit of work. */
    async createForIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
      opts: TxOptions = {},
    ): Promise<number> {
      const v = value.trim();
      const input =
        kind === 'email'
          ? { emails: [{ email: v.toLowerCase() }] }
          : { last_name: v, phones: [{ phone: v, label: 'mobile' }] };
      return (await contacts.create(auth, input, opts)).id;
    },

    async findOrCreateByIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
    ): Promise<{ id: number; created: boolean }> {
      const v = value.trim();
      if (kind === 'email') {
        const found = (await contacts.list(auth, { email: v, limit: 1 })).data[0];
        if (found) return { id: found.id, created: false };
        return {
          id: (await contacts.create(auth, { emails: [{ email: v.toLowerCase() }] })).id,
          created: true,
        };
      }
      // contacts.phone compares digit by digit through an index (contact_phones), however many contacts exist.
      const found = digits(v) ? (await contacts.list(auth, { phone: v, limit: 1 })).data[0] : undefined;
      if (found) return { id: found.id, created: false };
      // A contact needs a name or an email (the contacts rule); a customer known only by a number is named by it
      // until someone renames them.
      return {
        id: (await contacts.create(auth, { last_name: v, phones: [{ phone: v, label: 'mobile' }] })).id,
        created: true,
      };
    },
  };
}

export type ContactFinder = ReturnType<typeof createContactFinder>;
