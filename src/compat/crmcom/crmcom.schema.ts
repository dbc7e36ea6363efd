import { Type, type Static, type TSchema } from 'typebox';

const N = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const Str = (max: number) => Type.String({ maxLength: max });
const IdValue = Type.Unsafe<string | number>({ type: ['string', 'integer'], maxLength: 200 });

/**
 * A one-key identifier object (`{"id": 3}`, `{"name": "Web"}`, `{"alternative_code": "WEB"}`, `{"number": "19"}`,
 * `{"username": "a@b.c"}`); which keys a parameter allows is checked by the handler (a 422 naming the parameter).
 */
export const Identifier = Type.Object(
  {
    id: Type.Optional(IdValue),
    name: Type.Optional(Str(300)),
    alternative_code: Type.Optional(Str(200)),
    number: Type.Optional(IdValue),
    username: Type.Optional(Str(254)),
    code: Type.Optional(Str(200)),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
export type IdentifierT = Static<typeof Identifier>;

const TimePeriod = Type.Object(
  {
    time_period_value: Type.Integer({ minimum: 0, maximum: 100000 }),
    time_period_uot: Type.Unsafe<'MINUTES' | 'HOURS' | 'DAYS' | 'WEEKS' | 'MONTHS' | 'YEARS'>({
      type: 'string',
      enum: ['MINUTES', 'HOURS', 'DAYS', 'WEEKS', 'MONTHS', 'YEARS'],
    }),
  },
  { additionalProperties: false },
);

const ContactInformation = Type.Object(
  {
    id: Type.Optional(IdValue),
    type: Type.Optional(Type.Unsafe<'PERSON' | 'COMPANY'>({ type: 'string', enum: ['PERSON', 'COMPANY'] })),
    first_name: N(Str(200)),
    last_name: N(Str(200)),
    middle_name: N(Str(200)),
    company_name: N(Str(300)),
    title: N(Str(20)),
  },
  { additionalProperties: false },
);

const ItemOf = (key: string) =>
  Type.Object(
    {
      [key]: Identifier,
      quantity: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })),
      notes: N(Str(2000)),
    },
    { additionalProperties: false },
  );

const udfs: Record<string, TSchema> = {};
for (let i = 1; i <= 8; i++) udfs[`udf_string_${i}`] = N(Str(10000));
for (let i = 1; i <= 4; i++) udfs[`udf_float_${i}`] = N(Type.Number());
for (let i = 1; i <= 4; i++) udfs[`udf_date_${i}`] = N(Str(40));

/** Every lead parameter of `leads/create` (and `leads/update`, where null clears a field). */
const LeadFields = {
  contact_email: N(Str(254)),
  contact_phone: N(Str(50)),
  accounts_receivable_identifier: N(Identifier),
  description: N(Str(20000)),
  probability_to_win: N(Type.Number({ minimum: 0, maximum: 100 })),
  importance: N(Str(20)),
  priority: N(Type.Unsafe<string | number>({ type: ['string', 'integer'] })),
  target_amount: N(Type.Number({ minimum: 0, maximum: 1e13 })),
  type_identifier: N(Identifier),
  status_identifier: N(Identifier),
  lost_reason_identifier: N(Identifier),
  category_identifier: N(Identifier),
  owned_by_group_identifier: N(Identifier),
  privacy_level_identifier: N(Identifier),
  lead_owner: N(Identifier),
  ...udfs,
  start_date: N(Str(40)),
  expected_completion_date: N(Str(40)),
  estimated_completion_time: N(TimePeriod),
  contact_information: N(ContactInformation),
  lead_source: N(
    Type.Object({ source_identifier: Identifier, description: N(Str(500)) }, { additionalProperties: false }),
  ),
  assigned_to: N(
    Type.Object(
      { user_identifier: N(Identifier), group_identifier: N(Identifier) },
      { additionalProperties: false },
    ),
  ),
  competitors_set: N(Type.Array(ItemOf('competitor_identifier'), { maxItems: 20 })),
  lead_users_set: N(
    Type.Array(Type.Object({ user_identifier: Identifier }, { additionalProperties: false }), {
      maxItems: 20,
    }),
  ),
  products_set: N(Type.Array(ItemOf('product_identifier'), { maxItems: 20 })),
  services_set: N(Type.Array(ItemOf('service_identifier'), { maxItems: 20 })),
  physical_goods_set: N(Type.Array(ItemOf('physical_good_identifier'), { maxItems: 20 })),
  subscription_package: N(ItemOf('subscription_package_identifier')),
  fields_set: Type.Optional(Str(2000)),
};

export const CreateBody = Type.Object(LeadFields, { additionalProperties: false });
export const UpdateBody = Type.Object(
  { lead_identifier: Identifier, ...LeadFields },
  { additionalProperties: false },
);
export type LeadFieldsT = Static<typeof CreateBody>;
export type UpdateBodyT = Static<typeof UpdateBody>;

export const LoseBody = Type.Object(
  {
    lead_identifier: Identifier,
    lost_reason_identifier: Type.Optional(Identifier),
    status_identifier: Type.Optional(Identifier),
    fields_set: Type.Optional(Str(2000)),
  },
  { additionalProperties: false },
);
export const CancelBody = Type.Object(
  {
    lead_identifier: Identifier,
    status_identifier: Type.Optional(Identifier),
    fields_set: Type.Optional(Str(2000)),
  },
  { additionalProperties: false },
);

/** GET parameters: identifiers as `field=value` (`lead_identifier=number=19`). */
export const ShowQuery = Type.Object(
  { lead_identifier: Str(300), fields_set: Type.Optional(Str(2000)) },
  { additionalProperties: false },
);
export const ListQuery = Type.Object(
  {
    type_identifier: Type.Optional(Str(300)),
    status_identifier: Type.Optional(Str(300)),
    life_cycle_state: Type.Optional(Str(100)),
    owned_by_group_identifier: Type.Optional(Str(300)),
    lead_owner: Type.Optional(Str(300)),
    created_date_from: Type.Optional(Str(40)),
    created_date_to: Type.Optional(Str(40)),
    updated_date_from: Type.Optional(Str(40)),
    search_value: Type.Optional(Str(200)),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    records_per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    fields_set: Type.Optional(Str(2000)),
  },
  { additionalProperties: false },
);
export const ConfigQuery = Type.Object({}, { additionalProperties: false });

export const TokenBody = Type.Object(
  { username: Str(254), password: Str(1000), organisation: Type.Optional(Str(300)) },
  { additionalProperties: false },
);
export const ReleaseBody = Type.Object({}, { additionalProperties: false });
