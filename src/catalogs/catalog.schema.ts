import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { COMPLETION_UNITS } from './estimated-completion.js';

const Estimate = Type.Object(
  {
    value: Type.Integer({ minimum: 0, maximum: 100000 }),
    unit: Type.Unsafe<(typeof COMPLETION_UNITS)[number]>({ type: 'string', enum: [...COMPLETION_UNITS] }),
  },
  {
    additionalProperties: false,
    description:
      'Estimated completion time; sets expected_close_date (and is derived from it when only that is sent)',
  },
);

const Code = Type.String({
  minLength: 1,
  maxLength: 100,
  description:
    'Another key clients know the entry by (seed 003 finds records by id, name or alternative code); unique in its catalog',
});

export const CatalogEntryResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  alternative_code: Nullable(Type.String()),
  position: Type.Integer(),
});
export const CatalogEntryList = Type.Object({ data: Type.Array(CatalogEntryResponse) });
export const CatalogEntryCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    alternative_code: Type.Optional(Nullable(Code)),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export const CatalogEntryPatchBody = Type.Partial(CatalogEntryCreateBody, { additionalProperties: false });

const Communication = Type.Object(
  {
    email_required: Type.Boolean({ description: 'A new lead of this type needs an email' }),
    phone_required: Type.Boolean({ description: 'A new lead of this type needs a phone or mobile' }),
  },
  { additionalProperties: false },
);

export const LeadTypeResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  alternative_code: Nullable(Type.String()),
  default_status: Nullable(Type.String()),
  default_category_id: Nullable(Type.Integer()),
  allowed_statuses: Nullable(Type.Array(Type.String())),
  communication: Communication,
  lock_when_closed: Type.Boolean(),
});
export const LeadTypeList = Type.Object({ data: Type.Array(LeadTypeResponse) });
const LeadTypeFields = {
  alternative_code: Type.Optional(Nullable(Code)),
  default_status: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Status key given to new leads of this type',
      }),
    ),
  ),
  default_category_id: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, description: 'Lead category given to new leads of this type' })),
  ),
  allowed_statuses: Type.Optional(
    Nullable(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 200,
        description: 'Status keys a lead of this type may have; null = any',
      }),
    ),
  ),
  communication: Type.Optional(Type.Partial(Communication, { additionalProperties: false })),
  lock_when_closed: Type.Optional(
    Type.Boolean({ description: 'Once won or lost, a lead of this type can no longer be changed' }),
  ),
};
export const LeadTypeCreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), ...LeadTypeFields },
  { additionalProperties: false },
);
export const LeadTypePatchBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...LeadTypeFields },
  { additionalProperties: false },
);

/** The catalog references a lead write may carry (added to lead.schema.ts LeadWriteFields). */
const Ref = (what: string) =>
  Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 2147483647, description: what })));
export const CatalogLeadFields = {
  lead_type_id: Ref('Lead type (GET /api/v1/lead-types): its defaults and contact rules apply on create'),
  category_id: Ref('Lead category (GET /api/v1/lead-categories)'),
  source_id: Ref('Lead source (GET /api/v1/lead-sources)'),
  privacy_level_id: Ref('Privacy level (GET /api/v1/privacy-levels)'),
  importance_level_id: Ref('Importance level (GET /api/v1/importance-levels)'),
  product_category_id: Ref('Product category (GET /api/v1/product-categories)'),
  project_id: Ref('Project (GET /api/v1/projects)'),
  estimated_completion: Type.Optional(Nullable(Estimate)),
};
export const CatalogLeadResponseFields = {
  lead_type_id: Nullable(Type.Integer()),
  category_id: Nullable(Type.Integer()),
  source_id: Nullable(Type.Integer()),
  privacy_level_id: Nullable(Type.Integer()),
  importance_level_id: Nullable(Type.Integer()),
  product_category_id: Nullable(Type.Integer()),
  project_id: Nullable(Type.Integer()),
  estimated_completion: Nullable(Estimate),
};
