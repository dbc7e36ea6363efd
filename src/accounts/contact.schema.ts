import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { AddressSchema, CustomFields, CustomFieldValue, Tags } from './company.schema.js';
import type { ContactEmail, ContactRow } from './contact.repository.js';
import { ConsentWriteFields, CustomerStatus } from './consent.schema.js';

const Str = (max: number) => Nullable(Type.String({ maxLength: max }));
const NStr = Nullable(Type.String());
const NInt = Nullable(Type.Integer());

export const ContactEmailInput = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), label: Type.Optional(Str(50)) },
  { additionalProperties: false },
);
export const ContactPhoneInput = Type.Object(
  { phone: Type.String({ minLength: 1, maxLength: 50 }), label: Type.Optional(Str(50)) },
  { additionalProperties: false },
);

export const ContactWriteFields = {
  first_name: Type.Optional(Str(200)),
  last_name: Type.Optional(Str(200)),
  civility: Type.Optional(Str(20)),
  job_title: Type.Optional(Str(200)),
  company_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  emails: Type.Optional(
    Type.Array(ContactEmailInput, { maxItems: 20, description: 'The first is the primary address' }),
  ),
  phones: Type.Optional(
    Type.Array(ContactPhoneInput, { maxItems: 20, description: 'label e.g. "mobile", "work"' }),
  ),
  description: Type.Optional(Str(20000)),
  address: Type.Optional(AddressSchema),
  owner_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  do_not_email: Type.Optional(Type.Boolean()),
  do_not_call: Type.Optional(Type.Boolean()),
  do_not_sms: Type.Optional(Type.Boolean()),
  ...ConsentWriteFields,
  customer_status: Type.Optional(CustomerStatus),
  tags: Type.Optional(Tags),
  custom_fields: Type.Optional(CustomFields),
};

export const ContactCreateBody = Type.Object(ContactWriteFields, { additionalProperties: false });
export const ContactPatchBody = Type.Object(ContactWriteFields, { additionalProperties: false });
export type ContactCreateInput = Static<typeof ContactCreateBody>;
export type ContactPatchInput = Static<typeof ContactPatchBody>;

export const ContactResponse = Type.Object(
  {
    id: Type.Integer(),
    first_name: NStr,
    last_name: NStr,
    civility: NStr,
    job_title: NStr,
    company_id: NInt,
    emails: Type.Array(Type.Object({ email: Type.String(), label: NStr })),
    phones: Type.Array(Type.Object({ phone: Type.String(), label: NStr })),
    description: NStr,
    address: Type.Object({
      line1: NStr,
      line2: NStr,
      city: NStr,
      state: NStr,
      postal_code: NStr,
      country: NStr,
    }),
    owner_id: NInt,
    do_not_email: Type.Boolean(),
    do_not_email_at: Nullable(Type.String({ description: 'When do_not_email was last turned on' })),
    do_not_call: Type.Boolean(),
    do_not_call_at: NStr,
    do_not_sms: Type.Boolean(),
    do_not_sms_at: NStr,
    do_not_contact: Type.Boolean({ description: 'Opted out of every channel' }),
    do_not_contact_at: NStr,
    customer_status: Type.String({ description: 'prospect or customer' }),
    tags: Type.Array(Type.String()),
    custom_fields: Type.Record(Type.String(), CustomFieldValue),
    created_from_lead_id: NInt,
    created_at: Type.String(),
    updated_at: Type.String(),
    created_by: NInt,
    updated_by: NInt,
    version: Type.Integer(),
  },
  { $id: 'Contact' },
);
export type ContactDto = Static<typeof ContactResponse>;

export const ContactListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'Words found in the names, emails, phones or job title' }),
    ),
    company_id: Type.Optional(Type.Integer({ minimum: 1 })),
    owner_id: Type.Optional(Type.Integer({ minimum: 1 })),
    email: Type.Optional(Type.String({ maxLength: 254, description: 'Exact address (case-insensitive)' })),
    phone: Type.Optional(
      Type.String({
        maxLength: 50,
        description: 'A number, compared digit by digit ("+1 (555) 010-0999" = "15550100999")',
      }),
    ),
    tag: Type.Optional(Type.String()),
    sort: Type.Optional(
      Type.Union(
        ['created_at', '-created_at', 'updated_at', '-updated_at'].map((s) => Type.Literal(s)),
        { default: '-created_at' },
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ContactListQueryInput = Static<typeof ContactListQuery>;

export const ContactListResponse = Type.Object({
  data: Type.Array(Type.Ref('Contact')),
  next_cursor: Nullable(Type.String()),
});

export function toContactResponse(row: ContactRow, emails: ContactEmail[], tags: string[]): ContactDto {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    civility: row.civility,
    job_title: row.job_title,
    company_id: row.company_id,
    emails,
    phones: JSON.parse(row.phones || '[]'),
    description: row.description,
    address: {
      line1: row.address_line1,
      line2: row.address_line2,
      city: row.city,
      state: row.state,
      postal_code: row.postal_code,
      country: row.country,
    },
    owner_id: row.owner_id,
    do_not_email: row.do_not_email === 1,
    do_not_email_at: row.do_not_email_at,
    do_not_call: row.do_not_call === 1,
    do_not_call_at: row.do_not_call_at,
    do_not_sms: row.do_not_sms === 1,
    do_not_sms_at: row.do_not_sms_at,
    do_not_contact: row.do_not_contact === 1,
    do_not_contact_at: row.do_not_contact_at ?? null,
    customer_status: row.customer_status ?? 'prospect',
    tags,
    custom_fields: JSON.parse(row.custom_fields || '{}'),
    created_from_lead_id: row.created_from_lead_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
    version: row.version,
  };
}
