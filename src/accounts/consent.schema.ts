import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';

/** Prospect or customer (seed 001 is_engaged, seed 002 loyalty customers, seed 003 accounts receivable). */
export const CUSTOMER_STATUSES = ['prospect', 'customer'] as const;
export const CustomerStatus = Type.Unsafe<'prospect' | 'customer'>({
  type: 'string',
  enum: [...CUSTOMER_STATUSES],
  description: 'prospect (default) or customer',
});

const At = (what: string) =>
  Type.Optional(
    Nullable(
      Type.String({
        format: 'date-time',
        description: `Since when ${what} (sets the flag; null clears it)`,
      }),
    ),
  );

/** Consent dates a client writes, on contacts (and, under `consent`, on leads). */
export const ConsentWriteFields = {
  do_not_contact: Type.Optional(Type.Boolean({ description: 'Opted out of every channel ("all")' })),
  do_not_email_at: At('no email'),
  do_not_call_at: At('no calls'),
  do_not_sms_at: At('no text messages'),
  do_not_contact_at: At('no contact at all'),
};
