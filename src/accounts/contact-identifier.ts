import type { AuthContext } from '../access/roles.js';
import type { ContactService } from './contact.service.js';
import type { TxOptions } from '../db/unit-of-work.js';

/**
 * The customer behind an identifier: the organization's contact with that email (case-insensitive) or mobile
 * number (compared digit by digit, so "+1 555-0100" and "+15550100" are one number), created when there is
 * none. For clients that name a person by an identifier instead of an id (seed 002's idType + identifier).
 * Race-free: 20 parallel calls for one identifier make one contact (a unique key, migration 0060).
 */
export function createContactFinder({
  contacts,
}: {
  contacts: Pick<ContactService, 'findOrCreateByIdentifier' | 'findByIdentifier'>;
}) {
  return {
    /** A read: the existing contact for an identifier, if any. */
    async findByIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
      opts: TxOptions = {},
    ): Promise<number | undefined> {
      return (await contacts.findByIdentifier(auth.orgId, kind, value.trim(), opts.tx))?.id;
    },

    /** Finds or creates the contact for an identifier, in the caller's unit of work. */
    async findOrCreateByIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
      opts: TxOptions = {},
    ): ReturnType<ContactService['findOrCreateByIdentifier']> {
      return contacts.findOrCreateByIdentifier(auth, kind, value, opts);
    },
  };
}

export type ContactFinder = ReturnType<typeof createContactFinder>;
