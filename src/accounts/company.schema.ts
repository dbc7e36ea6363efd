import { Type, type Static } from 'typebox';
import { CustomerStatus } from './consent.schema.js';
import { Nullable } from '../http/schemas.js';
import { AddressSchema } from '../leads/lead.schema.js';
import type { CompanyRow } from './company.repository.js';

const Str = (max: number) => Nullable(Type.String({ maxLength: max }));
const NStr = Nullable(Type.String());
const NInt = Nullable(Type.Integer());

export const CustomFieldValue = Type.Unsafe<string | number | boolean | null>({
  type: ['string', 'number', 'boolean', 'null'],
});
export const CustomFields = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), CustomFieldValue);
export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 });
export { AddressSchema };

/** Writable company fields; create requires `name`, PATCH takes any subset (null clears). */
export const CompanyWriteFields = {
  name: Type.String({ minLength: 1, maxLength: 300 }),
  industry: Type.Optional(Str(200)),
  website: Type.Optional(Str(500)),
  domain: Type.Optional(Str(253)),
  phone: Type.Optional(Str(50)),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  description: Type.Optional(Str(20000)),
  address: Type.Optional(AddressSchema),
  owner_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  customer_status: Type.Optional(CustomerStatus),
  tags: Type.Optional(Tags),
  custom_fields: Type.Optional(CustomFields),
};

export const CompanyCreateBody = Type.Object(CompanyWriteFields, { additionalProperties: false });
export const CompanyPatchBody = Type.Object(
  { ...CompanyWriteFields, name: Type.Optional(CompanyWriteFields.name) },
  { additionalProperties: false },
);
export type CompanyCreateInput = Static<typeof CompanyCreateBody>;
export type CompanyPatchInput = Static<typeof CompanyPatchBody>;

const Address = Type.Object({
  line1: NStr,
  line2: NStr,
  city: NStr,
  state: NStr,
  postal_code: NStr,
  country: NStr,
});

export const CompanyResponse = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    industry: NStr,
    website: NStr,
    domain: NStr,
    phone: NStr,
    email: NStr,
    description: NStr,
    address: Address,
    owner_id: NInt,
    customer_status: Type.String({ description: 'prospect or customer' }),
    tags: Type.Array(Type.String()),
    custom_fields: Type.Record(Type.String(), CustomFieldValue),
    created_from_lead_id: Nullable(
      Type.Integer({
        description: 'The lead this company was created from (its comments and attachments stay there)',
      }),
    ),
    created_at: Type.String(),
    updated_at: Type.String(),
    created_by: NInt,
    updated_by: NInt,
    version: Type.Integer(),
  },
  { $id: 'Company' },
);
export type CompanyDto = Static<typeof CompanyResponse>;

export const CompanyListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Words found in the name, domain, website, phone or email',
      }),
    ),
    industry: Type.Optional(Type.String()),
    owner_id: Type.Optional(Type.Integer({ minimum: 1 })),
    domain: Type.Optional(Type.String()),
    tag: Type.Optional(Type.String()),
    sort: Type.Optional(
      Type.Union(
        ['created_at', '-created_at', 'updated_at', '-updated_at', 'name', '-name'].map((s) =>
          Type.Literal(s),
        ),
        { default: '-created_at' },
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type CompanyListQueryInput = Static<typeof CompanyListQuery>;

export const CompanyListResponse = Type.Object({
  data: Type.Array(Type.Ref('Company')),
  next_cursor: Nullable(Type.String()),
});

export function toCompanyResponse(row: CompanyRow, tags: string[]): CompanyDto {
  return {
    id: row.id,
    name: row.name,
    industry: row.industry,
    website: row.website,
    domain: row.domain,
    phone: row.phone,
    email: row.email,
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
