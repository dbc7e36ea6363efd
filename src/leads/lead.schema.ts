import { Type, type Static, type TOptional, type TString } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { AppError } from '../http/errors.js';
import { formatMoney } from '../lib/money.js';
import { RANGE_OPS, TEXT_FILTERS, type LeadRow, type RangeOp } from './lead.repository.js';
import { LeadUserResponseFields, LeadUserWriteFields } from './lead-users.schema.js';
import { ContactPointResponseFields, ContactPointWriteFields } from './contact-points.schema.js';
import { ItemResponseFields, ItemWriteFields } from './lead-items.schema.js';
import { ConsentResponseFields, ConsentWriteFields } from './lead-consent.schema.js';
import { DuplicateResponseFields } from '../duplicates/duplicates.schema.js';
import type { LeadCompanySummary, LeadContactSummary } from '../accounts/lead-link.types.js';
import { CatalogLeadFields, CatalogLeadResponseFields } from '../catalogs/catalog.schema.js';
import { ScoreResponseFields } from '../scoring/scoring.schema.js';

const Str = (max: number) => Nullable(Type.String({ maxLength: max }));

export const AddressSchema = Type.Object(
  {
    line1: Type.Optional(Str(300)),
    line2: Type.Optional(Str(300)),
    city: Type.Optional(Str(200)),
    state: Type.Optional(Str(100)),
    postal_code: Type.Optional(Str(40)),
    country: Type.Optional(
      Nullable(
        Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2 code, e.g. "US"' }),
      ),
    ),
  },
  { additionalProperties: false },
);

const CustomFieldValue = Type.Unsafe<string | number | boolean | null>({
  type: ['string', 'number', 'boolean', 'null'],
  maxLength: 10_000,
});

/** Every writable lead field. Create and PATCH share it: on PATCH, absent means unchanged and null clears. */
export const LeadWriteFields = {
  first_name: Type.Optional(Str(200)),
  last_name: Type.Optional(Str(200)),
  civility: Type.Optional(Str(20)),
  title: Type.Optional(Str(500)),
  job_title: Type.Optional(Str(200)),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  phone: Type.Optional(Str(50)),
  mobile: Type.Optional(Str(50)),
  company_name: Type.Optional(Str(300)),
  website: Type.Optional(Str(500)),
  source: Type.Optional(Str(200)),
  status: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'A status key of the organization' }),
  ),
  sub_status: Type.Optional(
    Nullable(
      Type.String({ minLength: 1, maxLength: 100, description: 'A sub-status name of the (new) status' }),
    ),
  ),
  reason_id: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        description: 'Why the status changes (GET /api/v1/reasons); required for lost statuses',
      }),
    ),
  ),
  owner_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  team_id: Type.Optional(
    Nullable(
      Type.Integer({ minimum: 1, description: 'The team the lead is assigned to (GET /api/v1/teams)' }),
    ),
  ),
  value: Type.Optional(
    Type.Unsafe<string | number | null>({
      type: ['string', 'number', 'null'],
      description: 'Amount as a decimal string ("1500.00") or number, at most 2 decimals',
    }),
  ),
  currency: Type.Optional(
    Nullable(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217, e.g. "EUR"' })),
  ),
  probability: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100 }))),
  rating: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 5 }))),
  priority: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 6 }))),
  importance: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 5 }))),
  description: Type.Optional(Str(20000)),
  address: Type.Optional(AddressSchema),
  locale: Type.Optional(
    Nullable(
      Type.String({ pattern: '^[A-Za-z]{2}([-_][A-Za-z]{2})?$', description: 'e.g. "fr" or "fr-CA"' }),
    ),
  ),
  birth_date: Type.Optional(Nullable(Type.String({ format: 'date' }))),
  external_id: Type.Optional(Str(200)),
  expected_close_date: Type.Optional(Nullable(Type.String({ format: 'date' }))),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
  custom_fields: Type.Optional(
    Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), CustomFieldValue, {
      maxProperties: 200,
      description: 'At most 200 keys per lead; text values at most 10,000 characters',
    }),
  ),
  company_id: Type.Optional(
    Nullable(
      Type.Integer({ minimum: 1, description: 'The company behind the lead (GET /api/v1/companies)' }),
    ),
  ),
  contact_ids: Type.Optional(
    Type.Array(Type.Integer({ minimum: 1 }), {
      maxItems: 50,
      description: 'The people behind the lead (replaces the list)',
    }),
  ),
  ...LeadUserWriteFields,
  ...ContactPointWriteFields,
  ...ItemWriteFields,
  ...ConsentWriteFields,
  ...CatalogLeadFields,
};

export const LeadCreateBody = Type.Object(
  {
    ...LeadWriteFields,
    link: Type.Optional(
      Type.Unsafe<'match' | 'create' | 'contact' | 'none'>({
        type: 'string',
        enum: ['match', 'create', 'contact', 'none'],
        description:
          'match: link the company (email domain, website or name) and contact (email) that exist; create: also create them when missing; contact: match both, create only the contact',
      }),
    ),
    auto_convert: Type.Optional(
      Type.Boolean({ description: 'Convert at once (as POST /leads/:id/convert with an empty body)' }),
    ),
  },
  { additionalProperties: false },
);
export const LeadPatchBody = Type.Object(LeadWriteFields, { additionalProperties: false });
export type LeadCreateInput = Static<typeof LeadCreateBody>;
export type LeadPatchInput = Static<typeof LeadPatchBody>;

const NStr = Nullable(Type.String());
/** The customer flag of the lead's company or contact (seed 001's is_engaged), shown with the link. */
const CustomerFlag = Type.String({ description: 'prospect or customer' });
const NInt = Nullable(Type.Integer());

export const LeadResponse = Type.Object(
  {
    id: Type.Integer(),
    first_name: NStr,
    last_name: NStr,
    civility: NStr,
    title: NStr,
    job_title: NStr,
    email: NStr,
    phone: NStr,
    mobile: NStr,
    company_name: NStr,
    website: NStr,
    source: NStr,
    status: Type.String(),
    status_category: Type.String(),
    sub_status: NStr,
    owner_id: NInt,
    team_id: NInt,
    assignment_rule_id: Type.Optional(
      Nullable(
        Type.Integer({ description: 'The assignment rule that gave the lead its owner (src/assignment)' }),
      ),
    ),
    value: NStr,
    currency: NStr,
    probability: NInt,
    rating: NInt,
    priority: NInt,
    importance: NInt,
    description: NStr,
    address: Type.Object({
      line1: NStr,
      line2: NStr,
      city: NStr,
      state: NStr,
      postal_code: NStr,
      country: NStr,
    }),
    locale: NStr,
    birth_date: NStr,
    external_id: NStr,
    expected_close_date: NStr,
    tags: Type.Array(Type.String()),
    custom_fields: Type.Record(Type.String(), CustomFieldValue),
    next_follow_up_at: NStr,
    last_follow_up_at: NStr,
    status_changed_at: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
    created_by: NInt,
    updated_by: NInt,
    deleted_at: NStr,
    version: Type.Integer(),
    company_id: NInt,
    company: Nullable(
      Type.Object({ id: Type.Integer(), name: Type.String(), domain: NStr, customer_status: CustomerFlag }),
    ),
    contacts: Type.Array(
      Type.Object({
        id: Type.Integer(),
        first_name: NStr,
        last_name: NStr,
        email: NStr,
        customer_status: CustomerFlag,
      }),
    ),
    converted: Nullable(
      Type.Object(
        { at: Type.String(), by: NInt, company_id: NInt, contact_id: NInt, opportunity_id: NInt },
        { description: 'What the lead converted into (POST /leads/:id/convert); null until then' },
      ),
    ),
    ...LeadUserResponseFields,
    ...ContactPointResponseFields,
    ...ItemResponseFields,
    ...ConsentResponseFields,
    ...CatalogLeadResponseFields,
    ...ScoreResponseFields,
    ...DuplicateResponseFields,
  },
  { $id: 'Lead' },
);
export type LeadDto = Static<typeof LeadResponse>;

/** The properties `fields=` may name (the lead response's top-level properties). */
export const LEAD_FIELD_NAMES: readonly string[] = Object.keys(LeadResponse.properties);

/**
 * `fields=first_name,email`: the named properties (plus `id`), or undefined when not asked; an unknown name is
 * a 400 naming `fields`.
 */
export function parseLeadFields(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = [...new Set(raw.split(',').map((f) => f.trim()))].filter(Boolean);
  // `fields=` with no name asks for nothing in particular: the whole lead.
  if (!names.length) return undefined;
  const unknown = names.filter((n) => !LEAD_FIELD_NAMES.includes(n));
  if (unknown.length)
    throw new AppError(
      'validation_failed',
      `fields: unknown lead field ${unknown.map((n) => `"${n}"`).join(', ')}`,
      [
        {
          field: 'fields',
          message: `unknown ${unknown.join(', ')} (lead fields: ${LEAD_FIELD_NAMES.join(', ')})`,
        },
      ],
    );
  return names.includes('id') ? names : ['id', ...names];
}

/** A lead limited to `fields` (from parseLeadFields). */
export function projectLead<T extends Record<string, unknown>>(lead: T, fields: string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in lead) out[f] = lead[f];
  return out as Partial<T>;
}

/** `fields` on GET /leads/:id. */
export const LeadFieldsQuery = Type.Object(
  {
    fields: Type.Optional(
      Type.String({
        maxLength: 2000,
        description:
          'Comma-separated lead properties: the answer has only these (and `id`); the others are left out',
      }),
    ),
  },
  // Other query parameters stay ignored, as before this schema.
  { additionalProperties: true },
);

export const SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'value',
  '-value',
  'last_name',
  '-last_name',
  'score',
  '-score',
  ...(
    [
      'first_name',
      'email',
      'company_name',
      'source',
      'city',
      'phone',
      'next_follow_up_at',
      'last_follow_up_at',
      'status_changed_at',
      'status',
      'owner',
      'tags',
    ] as const
  ).flatMap((k) => [k, `-${k}`] as const),
] as const;
export type LeadSort = (typeof SORTS)[number];

const TEXT_FILTER_HELP: Record<(typeof TEXT_FILTERS)[number], string> = {
  first_name: 'First name',
  last_name: 'Last name',
  name: 'First name, last name, or "first last"',
  title: 'Title of the lead',
  email: 'The email or any email of the lead',
  phone: 'Any phone of the lead, digits compared',
  city: 'City',
  postal_code: 'Postal code',
  company: 'Company name (typed, or of the linked company)',
};
const TextFilterQuery = Object.fromEntries(
  TEXT_FILTERS.map((f) => [
    f,
    Type.Optional(
      Type.String({
        maxLength: 1000,
        description: `${TEXT_FILTER_HELP[f]}: exact, case-insensitive; \`*\` is a wildcard; commas separate alternatives`,
      }),
    ),
  ]),
) as Record<(typeof TEXT_FILTERS)[number], TOptional<TString>>;

/** `<field>.gt|gte|lt|lte` on the lead's instants and value (custom fields: `cf.<key>.gte`...). */
export const RANGE_FIELDS = ['created_at', 'updated_at', 'converted_at', 'value'] as const;
const RangeQuery = Object.fromEntries(
  RANGE_FIELDS.flatMap((f) =>
    Object.keys(RANGE_OPS).map((op) => [
      `${f}.${op}`,
      Type.Optional(
        Type.String({
          maxLength: 40,
          description:
            f === 'value'
              ? `value ${RANGE_OPS[op as RangeOp]} this decimal amount`
              : `${f} ${RANGE_OPS[op as RangeOp]} this ISO 8601 instant (a date alone: that day in the organization's time zone)`,
        }),
      ),
    ]),
  ),
) as Record<`${(typeof RANGE_FIELDS)[number]}.${RangeOp}`, TOptional<TString>>;

export const LeadListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ description: 'Status key; several separated by commas' })),
    sub_status: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Sub-status name (within the statuses asked for, if any)',
      }),
    ),
    source: Type.Optional(Type.String()),
    owner_id: Type.Optional(Type.Integer({ minimum: 1 })),
    team_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Leads of this team (primary or not)' })),
    user_id: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Leads this user holds (in any role, or in `role`)' }),
    ),
    role: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'Leads with a user in this role (owner, assignee, advisor...)',
      }),
    ),
    company_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Leads linked to this company' })),
    contact_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Leads linked to this contact' })),
    lead_type_id: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Leads of this lead type (GET /api/v1/lead-types)' }),
    ),
    tag: Type.Optional(Type.String()),
    created_after: Type.Optional(Type.String({ format: 'date-time' })),
    created_before: Type.Optional(Type.String({ format: 'date-time' })),
    updated_after: Type.Optional(Type.String({ format: 'date-time' })),
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Full text over names, emails, phones, company, title, city, postal code and the second contact',
      }),
    ),
    deleted: Type.Optional(Type.Boolean({ description: 'true lists only soft-deleted leads (the trash)' })),
    sort: Type.Optional(
      Type.String({
        pattern: `^-?(${SORTS.filter((x) => !x.startsWith('-')).join('|')}|cf\\.[A-Za-z0-9_.-]{1,64})$`,
        default: '-created_at',
        description:
          'A column, `-` first for descending: ' +
          SORTS.filter((x) => !x.startsWith('-')).join(', ') +
          ', or a custom field as `cf.<key>` (numbers as numbers, text case-insensitive). `status` follows the ' +
          "pipeline order of the organization's statuses, `owner` the owner's name, `tags` the lead's first tag " +
          'alphabetically. Empty values (no owner, no tag) come last.',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    include_total: Type.Optional(Type.Boolean()),
    score_gte: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        description:
          'Leads scored at least this (0-100); unscored leads are left out (see GET /scoring/model)',
      }),
    ),
    include_converted: Type.Optional(
      Type.Boolean({
        description: 'Converted leads are hidden unless true (or a status filter asks for them)',
      }),
    ),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Offset paging: skip this many leads; the answer then has `total`, `offset` and `limit`',
      }),
    ),
    updated_before: Type.Optional(Type.String({ format: 'date-time' })),
    ...TextFilterQuery,
    ...RangeQuery,
    fields: Type.Optional(
      Type.String({
        maxLength: 2000,
        description:
          'Comma-separated lead properties: each lead has only these (and `id`); the others are left out',
      }),
    ),
  },
  {
    additionalProperties: false,
    patternProperties: { '^cf\\.[A-Za-z0-9_.-]{1,64}$': { type: 'string' } },
  },
);
export type LeadListQueryInput = Static<typeof LeadListQuery>;

export const LeadListResponse = Type.Object({
  data: Type.Array(Type.Ref('Lead')),
  next_cursor: Nullable(Type.String()),
  total: Type.Optional(Type.Integer()),
  offset: Type.Optional(Type.Integer()),
  limit: Type.Optional(Type.Integer()),
});

export interface LeadExtras {
  tags: string[];
  status: string;
  status_category: string;
  sub_status: string | null;
  /** Company and contacts (src/accounts); none when absent. */
  links?: {
    company: LeadCompanySummary | null;
    contacts: LeadContactSummary[];
  };
}

export function toLeadResponse(row: LeadRow, extras: LeadExtras): LeadDto {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    civility: row.civility,
    title: row.title,
    job_title: row.job_title,
    email: row.email,
    phone: row.phone,
    mobile: row.mobile,
    company_name: row.company_name,
    website: row.website,
    source: row.source,
    status: extras.status,
    status_category: extras.status_category,
    sub_status: extras.sub_status,
    owner_id: row.owner_id,
    team_id: row.team_id,
    assignment_rule_id: row.assignment_rule_id ?? null,
    value: formatMoney(row.value_cents),
    currency: row.currency,
    probability: row.probability,
    rating: row.rating,
    priority: row.priority,
    importance: row.importance,
    description: row.description,
    address: {
      line1: row.address_line1,
      line2: row.address_line2,
      city: row.city,
      state: row.state,
      postal_code: row.postal_code,
      country: row.country,
    },
    locale: row.locale,
    birth_date: row.birth_date,
    external_id: row.external_id,
    expected_close_date: row.expected_close_date,
    tags: extras.tags,
    custom_fields: JSON.parse(row.custom_fields || '{}'),
    next_follow_up_at: row.next_follow_up_at,
    last_follow_up_at: row.last_follow_up_at,
    status_changed_at: row.status_changed_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
    deleted_at: row.deleted_at,
    version: row.version,
    company_id: row.company_id ?? null,
    company: extras.links?.company ?? null,
    contacts: extras.links?.contacts ?? [],
    converted: row.converted_at
      ? {
          at: row.converted_at,
          by: row.converted_by,
          company_id: row.converted_company_id,
          contact_id: row.converted_contact_id,
          opportunity_id: row.converted_opportunity_id,
        }
      : null,
    lead_type_id: row.lead_type_id ?? null,
    category_id: row.category_id ?? null,
    source_id: row.source_id ?? null,
    privacy_level_id: row.privacy_level_id ?? null,
    importance_level_id: row.importance_level_id ?? null,
    product_category_id: row.product_category_id ?? null,
    project_id: row.project_id ?? null,
    estimated_completion:
      row.estimated_completion_value !== null && row.estimated_completion_unit
        ? {
            value: row.estimated_completion_value,
            unit: row.estimated_completion_unit as 'days',
          }
        : null,
  };
}

export function etagOf(row: { id: number; version: number }): string {
  return `"${row.id}-${row.version}"`;
}
