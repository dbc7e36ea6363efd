import { Type, type TSchema } from 'typebox';
import { Nullable } from '../../http/schemas.js';
import {
  VEHICLE_BOOLS,
  VEHICLE_DATES,
  VEHICLE_INTS,
  VEHICLE_MONEY,
  VEHICLE_TEXT,
} from '../../leads/lead-items.schema.js';
import {
  ENUMS,
  OWNED_DATES,
  SERVICE_BOOLS,
  SERVICE_DATES,
  SERVICE_INTS,
  SERVICE_TEXTS,
  UNSUBSCRIBE_DATES,
  USER_ROLES,
} from './activix.fields.js';

/**
 * Seed 000's request shapes. Enums, dates and E.164 numbers are checked by the handlers (every fault of a
 * request is collected and answered as one Laravel 422); the schemas check types, lengths and unknown fields.
 */
const Str = (max: number, description?: string) =>
  Type.Optional(Nullable(Type.String({ maxLength: max, ...(description ? { description } : {}) })));
const Int = (description?: string) =>
  Type.Optional(
    Nullable(Type.Integer({ minimum: 0, maximum: 2147483647, ...(description ? { description } : {}) })),
  );
const Bool = Type.Optional(Nullable(Type.Boolean()));
const When = (description = 'ISO 8601 datetime (UTC or with an offset)') =>
  Type.Optional(Nullable(Type.String({ maxLength: 40, description })));
const OneOf = (list: readonly string[]) => Str(40, `One of: ${list.join(', ')}`);

/** A user of the organization, matched by id, email, or first and last name (in that order). */
export const UserRef = Type.Object(
  {
    id: Type.Optional(Type.Integer({ minimum: 1 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    first_name: Type.Optional(Type.String({ maxLength: 200 })),
    last_name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const emailProps = {
  address: Type.String({ maxLength: 254 }),
  type: Type.Optional(Type.String({ maxLength: 20, description: 'home, work or other (default home)' })),
  valid: Type.Optional(Type.Boolean()),
};
const phoneProps = {
  number: Type.String({ maxLength: 30, description: 'E.164, e.g. +15145551234' }),
  type: Type.Optional(
    Type.String({ maxLength: 20, description: 'home, work, mobile, fax, pager or other (default home)' }),
  ),
  extension: Type.Optional(Nullable(Type.String({ maxLength: 20, pattern: '^[0-9]*$' }))),
  valid: Type.Optional(Type.Boolean()),
};
export const EmailBody = Type.Object(emailProps, { additionalProperties: false });
export const PhoneBody = Type.Object(phoneProps, { additionalProperties: false });

const vehicleProps: Record<string, TSchema> = {
  type: Type.Optional(Type.String({ maxLength: 20, description: 'wanted or exchange (default wanted)' })),
};
for (const [k, max] of Object.entries(VEHICLE_TEXT))
  if (k !== 'intent') vehicleProps[k] = Str(Math.max(max, 40));
for (const k of VEHICLE_INTS) vehicleProps[k] = Int();
for (const k of VEHICLE_BOOLS) vehicleProps[k] = Bool;
for (const k of VEHICLE_DATES) vehicleProps[k] = Str(40, 'ISO 8601 date');
for (const k of VEHICLE_MONEY)
  vehicleProps[k] = Type.Optional(
    Type.Unsafe<string | number | null>({ type: ['string', 'number', 'null'] }),
  );
export const VehicleBody = Type.Object(vehicleProps, { additionalProperties: false });

const leadProps: Record<string, TSchema> = {
  account_id: Type.Optional(Type.Integer({ minimum: 1, description: 'The organization (GET /account)' })),
  customer_id: Int('Groups leads together'),
  source_id: Int(),
  source: Str(200),
  birth_date: When('ISO 8601 date'),
  created_at: When('Backdates the creation (not in the future)'),
  address_line1: Str(300),
  address_line2: Str(300),
  city: Str(200),
  country: Str(2, 'ISO 3166-1 alpha-2'),
  province: Str(100, 'ISO 3166-2 subdivision code'),
  postal_code: Str(40),
  first_name: Str(200),
  last_name: Str(200),
  locale: Str(5, 'ISO 639-1'),
  gender: Type.Optional(Nullable(Type.Integer({ description: 'ISO/IEC 5218: 0, 1, 2 or 9' }))),
  rating: Type.Optional(Nullable(Type.Integer({ description: '1 to 5' }))),
  second_contact: Str(200),
  trigger_alerts: Type.Optional(
    Type.Boolean({ description: 'Accepted; Leadflow sends its own notifications' }),
  ),
  emails: Type.Optional(Type.Array(EmailBody, { maxItems: 20 })),
  phones: Type.Optional(Type.Array(PhoneBody, { maxItems: 20 })),
  vehicles: Type.Optional(Type.Array(VehicleBody, { maxItems: 20 })),
};
for (const [k, list] of Object.entries(ENUMS)) leadProps[k] = OneOf(list);
for (const k of [...OWNED_DATES, ...SERVICE_DATES, ...Object.keys(UNSUBSCRIBE_DATES)]) leadProps[k] = When();
for (const k of SERVICE_INTS) leadProps[k] = Int();
for (const k of SERVICE_BOOLS) leadProps[k] = Bool;
for (const k of SERVICE_TEXTS) leadProps[k] = Str(200);
for (const r of USER_ROLES) leadProps[r] = Type.Optional(Nullable(UserRef));

export const LeadBody = Type.Object(leadProps, { additionalProperties: false });
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

/** `?include[]=emails&include[]=phones` (also `include=emails,phones`). */
const IncludeParam = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));
export const GetQuery = Type.Object(
  { 'include[]': IncludeParam, include: IncludeParam },
  { additionalProperties: false },
);
/** Lists: `filter[field]=v`, `filter[field][gte]=v`, `page`, `per_page`, `include[]`. */
export const ListQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    'include[]': IncludeParam,
    include: IncludeParam,
    query: Type.Optional(Type.String({ maxLength: 200 })),
  },
  {
    additionalProperties: false,
    patternProperties: {
      '^filter\\[[a-z_]+\\](\\[(gt|gte|lt|lte)\\])?$': { type: 'string', maxLength: 500 },
    },
  },
);

export const LeadEmailBody = Type.Object(
  { lead_id: Type.Integer({ minimum: 1 }), ...emailProps },
  { additionalProperties: false },
);
export const LeadEmailPatch = Type.Partial(LeadEmailBody, { additionalProperties: false });
export const LeadPhoneBody = Type.Object(
  { lead_id: Type.Integer({ minimum: 1 }), ...phoneProps },
  { additionalProperties: false },
);
export const LeadPhonePatch = Type.Partial(LeadPhoneBody, { additionalProperties: false });
export const LeadVehicleBody = Type.Object(
  { lead_id: Type.Integer({ minimum: 1 }), ...vehicleProps },
  { additionalProperties: false },
);
export const LeadVehiclePatch = Type.Partial(LeadVehicleBody, { additionalProperties: false });

export const NoteBody = Type.Object(
  {
    content: Type.String({ minLength: 1, maxLength: 20000 }),
    parent_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    file_url: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  },
  { additionalProperties: false },
);
export const NoteParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  noteId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

const activityProps = {
  lead_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  owner: Type.Optional(Nullable(UserRef)),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  description: Str(20000),
  type: Type.Optional(Type.String({ maxLength: 40 })),
  start_at: When(),
  end_at: When(),
  priority: Str(20, 'low, normal, high or urgent'),
  done: Type.Optional(Type.Boolean()),
  canceled: Type.Optional(Type.Boolean()),
  confirmed: Type.Optional(Type.Boolean()),
  no_show: Type.Optional(Type.Boolean()),
};
export const ActivityBody = Type.Object(activityProps, { additionalProperties: false });
