import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';

export const EMAIL_TYPES = ['home', 'work', 'other'] as const;
export const PHONE_TYPES = ['home', 'work', 'mobile', 'fax', 'pager', 'other'] as const;

/** Types are checked by the service (422 naming the field), so plain strings here. */
const typeOf = (list: readonly string[]) =>
  Type.String({ minLength: 1, maxLength: 20, description: `One of: ${list.join(', ')} (default other)` });

export const EmailInput = Type.Object(
  {
    address: Type.String({ format: 'email', maxLength: 254 }),
    type: Type.Optional(typeOf(EMAIL_TYPES)),
    valid: Type.Optional(Type.Boolean({ description: 'false once mail to it bounced (default true)' })),
    primary: Type.Optional(Type.Boolean({ description: "The lead's email (leads.email); one per lead" })),
  },
  { additionalProperties: false },
);
export const EmailPatch = Type.Partial(EmailInput, { additionalProperties: false });
export const PhoneInput = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 50, description: 'As written; must be a phone number' }),
    type: Type.Optional(typeOf(PHONE_TYPES)),
    extension: Type.Optional(Nullable(Type.String({ maxLength: 20, pattern: '^[0-9]*$' }))),
    valid: Type.Optional(Type.Boolean({ description: 'false once the number proved wrong (default true)' })),
    primary: Type.Optional(
      Type.Boolean({
        description: "A primary mobile is the lead's mobile, any other primary phone the lead's phone",
      }),
    ),
  },
  { additionalProperties: false },
);
export const PhonePatch = Type.Partial(PhoneInput, { additionalProperties: false });
export type EmailInputT = Static<typeof EmailInput>;
export type PhoneInputT = Static<typeof PhoneInput>;

const common = {
  type: Type.String(),
  valid: Type.Boolean(),
  primary: Type.Boolean(),
  created_at: Nullable(Type.String()),
  updated_at: Nullable(Type.String()),
};
export const EmailResponse = Type.Object({
  id: Nullable(Type.Integer({ description: 'null: only in leads.email so far (written by an import)' })),
  address: Type.String(),
  ...common,
});
export const PhoneResponse = Type.Object({
  id: Nullable(
    Type.Integer({ description: 'null: only in leads.phone/mobile so far (written by an import)' }),
  ),
  number: Type.String(),
  extension: Nullable(Type.String()),
  ...common,
});
export type EmailDto = Static<typeof EmailResponse>;
export type PhoneDto = Static<typeof PhoneResponse>;
export const EmailList = Type.Object({ data: Type.Array(EmailResponse) });
export const PhoneList = Type.Object({ data: Type.Array(PhoneResponse) });

export const ContactPointWriteFields = {
  emails: Type.Optional(
    Type.Array(EmailInput, { maxItems: 20, description: 'Every email of the lead (replaces the list)' }),
  ),
  phones: Type.Optional(
    Type.Array(PhoneInput, { maxItems: 20, description: 'Every phone of the lead (replaces the list)' }),
  ),
};
export const ContactPointResponseFields = {
  emails: Type.Optional(Type.Array(EmailResponse)),
  phones: Type.Optional(Type.Array(PhoneResponse)),
};
