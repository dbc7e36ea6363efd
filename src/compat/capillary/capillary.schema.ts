import { Type, type Static } from 'typebox';

/** Request shapes of the seed document (002, the JSON v2 leads API). Unknown fields are refused, never dropped. */

export const SEED_STATUSES = ['OPEN', 'WON', 'LOST', 'ON_HOLD', 'DELETED'] as const;
export type SeedStatus = (typeof SEED_STATUSES)[number];
export const LEAD_TYPES = ['SKU', 'BRAND', 'CATEGORY', 'CUSTOM'] as const;
export type LeadType = (typeof LEAD_TYPES)[number];

const Enum = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
/** `YYYY-MM-DDThh:mm:ssTZD` (a plain `YYYY-MM-DD` is read as midnight UTC). Checked when mapped. */
const When = Type.String({
  minLength: 10,
  maxLength: 40,
  description: 'ISO 8601 date-time with zone, e.g. 2018-10-05T08:00:00+05:30',
});
/** A staff (entity) id of the client's system: kept as sent, it is not a Leadflow user. */
const StaffId = Type.Integer({ minimum: -2147483648, maximum: 9007199254740991 });
const ExtendedValue = Type.Unsafe<string | number | boolean | null>({
  type: ['string', 'number', 'boolean', 'null'],
});

export const FollowUpBody = Type.Object(
  {
    followedUpOn: When,
    followedUpBy: Type.Optional(StaffId),
    createdBy: StaffId,
    nextFollowUp: Type.Optional(When),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    scheduledFollowUp: Type.Optional(When),
  },
  { additionalProperties: false },
);
export type FollowUpInput = Static<typeof FollowUpBody>;

/** A follow-up inside a new lead: the same fields, createdBy optional (it defaults to the lead's createdBy). */
export const LeadFollowUpItem = Type.Object(
  {
    followedUpOn: When,
    followedUpBy: Type.Optional(StaffId),
    createdBy: Type.Optional(StaffId),
    nextFollowUp: Type.Optional(When),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    scheduledFollowUp: Type.Optional(When),
  },
  { additionalProperties: false },
);

export const StatusLogItem = Type.Object(
  {
    status: Enum(SEED_STATUSES),
    reasonId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    subStatus: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    createdBy: Type.Optional(StaffId),
    createdOn: Type.Optional(When),
  },
  { additionalProperties: false },
);
export type StatusLogInput = Static<typeof StatusLogItem>;

export const AddLeadBody = Type.Object(
  {
    type: Type.Optional(Enum(LEAD_TYPES, 'Default SKU')),
    leadFor: Type.String({ minLength: 1, maxLength: 500 }),
    userId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    idType: Type.Optional(Enum(['EMAIL', 'MOBILE'] as const)),
    identifier: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    status: Type.Optional(Enum(SEED_STATUSES)),
    subStatus: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    nextFollowUp: Type.Optional(When),
    lastFollowUp: Type.Optional(When),
    createdOn: Type.Optional(When),
    createdBy: Type.Optional(StaffId),
    lastUpdatedOn: Type.Optional(When),
    lastUpdatedBy: Type.Optional(StaffId),
    followUpDetails: Type.Optional(Type.Array(LeadFollowUpItem, { maxItems: 100 })),
    extendedFields: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), ExtendedValue),
    ),
    statusLogDetails: Type.Optional(Type.Array(StatusLogItem, { maxItems: 100 })),
    orgSourceId: Type.Optional(
      Type.Integer({ minimum: -2147483648, maximum: 2147483647, description: 'Default -1 (INSTORE)' }),
    ),
    owner: Type.Optional(
      Type.String({ minLength: 1, maxLength: 254, description: 'Username (email) of a Leadflow user' }),
    ),
  },
  { additionalProperties: false },
);
export type AddLeadInput = Static<typeof AddLeadBody>;

export const UpdateLeadBody = Type.Object(
  {
    extendedFields: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), ExtendedValue),
    ),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  },
  { additionalProperties: false },
);
export type UpdateLeadInput = Static<typeof UpdateLeadBody>;

export const UpdateStatusBody = Type.Object(
  {
    status: Enum(SEED_STATUSES),
    reasonId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
    subStatus: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    createdBy: Type.Optional(StaffId),
    createdOn: Type.Optional(When),
  },
  { additionalProperties: false },
);
export type UpdateStatusInput = Static<typeof UpdateStatusBody>;

export const SubStatusBody = Type.Object(
  { status: Enum(SEED_STATUSES), subStatus: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const ReasonsBody = Type.Array(
  Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
  { minItems: 1, maxItems: 200 },
);

export const LeadIdParams = Type.Object({ leadId: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

export const SearchQuery = Type.Object(
  {
    type: Type.Optional(Enum([...LEAD_TYPES, 'ALL'] as const)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 10 })),
    orgSourceId: Type.Optional(Type.Integer({ minimum: -2147483648, maximum: 2147483647 })),
    userId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    status: Type.Optional(Enum(SEED_STATUSES)),
    substatus: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
    sortBy: Type.Optional(Enum(['createdon', 'createdOn', 'lastUpdatedOn', 'lastupdatedon'] as const)),
    sortOrder: Type.Optional(Enum(['ASC', 'DESC', 'asc', 'desc'] as const)),
    owner: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 254,
        description: "Owner's username (a Leadflow user's email, or the client's own)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type SearchInput = Static<typeof SearchQuery>;
