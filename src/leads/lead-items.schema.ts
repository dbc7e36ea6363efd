import { Type, type Static, type TSchema } from 'typebox';
import { Nullable } from '../http/schemas.js';

export const ITEM_TYPES = [
  'vehicle',
  'product',
  'service',
  'physical_good',
  'subscription',
  'competitor',
] as const;
export type ItemType = (typeof ITEM_TYPES)[number];
export const VEHICLE_CONDITIONS = ['rough', 'average', 'clean', 'extra_clean'] as const;
export const VEHICLE_MODALITIES = ['financing', 'cash', 'leasing'] as const;
export const VEHICLE_INTENTS = ['wanted', 'exchange'] as const;

const Str = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));
const Int = (description?: string) =>
  Type.Optional(
    Nullable(Type.Integer({ minimum: 0, maximum: 2147483647, ...(description ? { description } : {}) })),
  );
const Bool = Type.Optional(Nullable(Type.Boolean()));
const Day = Type.Optional(Nullable(Type.String({ format: 'date' })));
const Money = Type.Optional(
  Type.Unsafe<string | number | null>({
    type: ['string', 'number', 'null'],
    description: 'Decimal amount ("1500.00"), at most 2 decimals',
  }),
);

/** The vehicle's own fields, as seed 000's public Lead API describes its vehicle object. */
export const VEHICLE_TEXT = {
  make: 80,
  model: 80,
  trim: 80,
  vin: 17,
  stock: 50,
  license_plate: 20,
  engine: 80,
  driving_wheels: 20,
  color_exterior: 50,
  color_interior: 50,
  category: 50,
  fuel: 30,
  condition: 20,
  modality: 20,
  intent: 20,
  client_number: 50,
  offer_number: 50,
  order_number: 50,
  option: 500,
  sold_by: 200,
  comment: 2000,
  rate: 20,
} as const;
export const VEHICLE_INTS = ['year', 'odometer', 'allowed_odometer', 'term'] as const;
export const VEHICLE_BOOLS = [
  'certified',
  'extended_warranty',
  'recall',
  'sleeping',
  'sold',
  'tire',
  'warranty',
] as const;
export const VEHICLE_DATES = [
  'end_contract_date',
  'end_warranty_date',
  'purchase_date',
  'recorded_date',
  'sold_date',
] as const;
export const VEHICLE_MONEY = [
  'accessories',
  'actual_value',
  'balance',
  'cash_down',
  'payment',
  'preparation',
  'price',
  'profit',
  'residual',
  'security_deposit',
  'value',
] as const;

const vehicleProps: Record<string, TSchema> = {};
for (const [k, max] of Object.entries(VEHICLE_TEXT)) vehicleProps[k] = Str(max === 17 ? 40 : max);
vehicleProps.intent = Type.Optional(
  Nullable(Type.String({ maxLength: 20, description: 'wanted (the lead wants it) or exchange (trade-in)' })),
);
vehicleProps.vin = Type.Optional(Nullable(Type.String({ maxLength: 40, description: '17 characters' })));
vehicleProps.condition = Type.Optional(
  Nullable(Type.String({ maxLength: 20, description: VEHICLE_CONDITIONS.join(', ') })),
);
vehicleProps.modality = Type.Optional(
  Nullable(Type.String({ maxLength: 20, description: VEHICLE_MODALITIES.join(', ') })),
);
vehicleProps.rate = Type.Optional(
  Nullable(
    Type.String({ maxLength: 20, description: 'Interest rate in percent, as a decimal string ("4.99")' }),
  ),
);
vehicleProps.term = Int('Months');
for (const k of VEHICLE_INTS) if (k !== 'term') vehicleProps[k] = Int();
for (const k of VEHICLE_BOOLS) vehicleProps[k] = Bool;
for (const k of VEHICLE_DATES) vehicleProps[k] = Day;
for (const k of VEHICLE_MONEY) vehicleProps[k] = Money;

export const VehicleInput = Type.Object(vehicleProps, { additionalProperties: false });
export type VehicleInputT = Record<string, string | number | boolean | null | undefined>;

const itemFields = {
  type: Type.String({ minLength: 1, maxLength: 30, description: `One of: ${ITEM_TYPES.join(', ')}` }),
  name: Str(300),
  catalog_ref: Type.Optional(
    Nullable(
      Type.String({ maxLength: 200, description: 'The catalog entry (product, service...) it refers to' }),
    ),
  ),
  quantity: Type.Optional(
    Nullable(
      Type.Unsafe<string | number>({ type: ['string', 'number'], description: 'Decimal, e.g. 2 or "1.5"' }),
    ),
  ),
  price: Money,
  currency: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{3}$' }))),
  comment: Str(2000),
  vehicle: Type.Optional(Nullable(VehicleInput)),
};
export const ItemInput = Type.Object(itemFields, { additionalProperties: false });
export const ItemPatch = Type.Partial(ItemInput, { additionalProperties: false });
export type ItemInputT = Static<typeof ItemInput>;

const vehicleOut: Record<string, TSchema> = {};
for (const k of Object.keys(VEHICLE_TEXT)) vehicleOut[k] = Nullable(Type.String());
for (const k of VEHICLE_INTS) vehicleOut[k] = Nullable(Type.Integer());
for (const k of VEHICLE_BOOLS) vehicleOut[k] = Nullable(Type.Boolean());
for (const k of VEHICLE_DATES) vehicleOut[k] = Nullable(Type.String());
for (const k of VEHICLE_MONEY) vehicleOut[k] = Nullable(Type.String());

export const ItemResponse = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  name: Nullable(Type.String()),
  catalog_ref: Nullable(Type.String()),
  quantity: Nullable(Type.String()),
  price: Nullable(Type.String()),
  currency: Nullable(Type.String()),
  comment: Nullable(Type.String()),
  vehicle: Nullable(Type.Object(vehicleOut)),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type ItemDto = Static<typeof ItemResponse>;
export const ItemList = Type.Object({ data: Type.Array(ItemResponse) });

export const ItemWriteFields = {
  items: Type.Optional(
    Type.Array(ItemInput, { maxItems: 50, description: 'Every item of the lead (replaces the list)' }),
  ),
};
export const ItemResponseFields = { items: Type.Optional(Type.Array(ItemResponse)) };
