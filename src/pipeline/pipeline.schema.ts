import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { CATEGORIES } from './default-statuses.js';
import { FIELD_TYPES } from './custom-field.service.js';
import { LIFECYCLES } from '../catalogs/lifecycle.js';

const Lifecycle = Type.Unsafe<(typeof LIFECYCLES)[number]>({
  type: 'string',
  enum: [...LIFECYCLES],
  description: 'Life-cycle state beside the category; defaults from the category',
});

const Category = Type.Union(CATEGORIES.map((c) => Type.Literal(c)));
const StatusKey = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,49}$',
  description: 'lower_snake_case, e.g. "on_hold"',
});
const SubStatusName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^~]+$' });
const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 with a time zone' });

export const StatusResponse = Type.Object({
  key: Type.String(),
  label: Type.String(),
  position: Type.Integer(),
  category: Type.String(),
  reason_required: Type.Boolean(),
  is_default: Type.Boolean(),
  lifecycle: Lifecycle,
  sub_statuses: Type.Array(Type.String()),
  lead_count: Type.Integer({ description: 'Live leads in this status' }),
});
export const StatusList = Type.Object({ data: Type.Array(StatusResponse) });

const statusFields = {
  label: Type.String({ minLength: 1, maxLength: 100 }),
  category: Category,
  position: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  reason_required: Type.Boolean(),
  is_default: Type.Boolean(),
};
export const StatusCreateBody = Type.Object(
  {
    key: StatusKey,
    label: statusFields.label,
    category: statusFields.category,
    position: Type.Optional(statusFields.position),
    reason_required: Type.Optional(statusFields.reason_required),
    is_default: Type.Optional(statusFields.is_default),
    lifecycle: Type.Optional(Lifecycle),
  },
  { additionalProperties: false },
);
export const StatusPatchBody = Type.Object(
  {
    key: Type.Optional(StatusKey),
    label: Type.Optional(statusFields.label),
    category: Type.Optional(statusFields.category),
    position: Type.Optional(statusFields.position),
    reason_required: Type.Optional(statusFields.reason_required),
    is_default: Type.Optional(statusFields.is_default),
    lifecycle: Type.Optional(Lifecycle),
  },
  { additionalProperties: false },
);
export const StatusKeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }) });
export const StatusDeleteQuery = Type.Object(
  {
    move_to: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Status key that receives the leads of the deleted status',
      }),
    ),
    reason_id: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Reason recorded on the moves, when move_to requires one' }),
    ),
  },
  { additionalProperties: false },
);
export const StatusDeleteResponse = Type.Object({ moved: Type.Integer() });

export const SubStatusResponse = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  name: Type.String(),
  position: Type.Integer(),
  created_at: Type.String(),
});
export const SubStatusList = Type.Object({ data: Type.Array(SubStatusResponse) });
export const SubStatusCreateBody = Type.Object(
  { name: SubStatusName, position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })) },
  { additionalProperties: false },
);
export const SubStatusPatchBody = Type.Object(
  {
    name: Type.Optional(SubStatusName),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export const SubStatusParams = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 100 }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
});

export const ReasonResponse = Type.Object({
  id: Type.Integer(),
  number: Type.Integer({
    description: 'Its number within the organization (1, 2, 3... in order of creation, never reused)',
  }),
  text: Type.String(),
  categories: Nullable(Type.Array(Type.String())),
  position: Type.Integer(),
  created_at: Type.String(),
});
export const ReasonList = Type.Object({ data: Type.Array(ReasonResponse) });
const reasonFields = {
  text: Type.String({ minLength: 1, maxLength: 300 }),
  categories: Nullable(
    Type.Array(Category, {
      maxItems: 10,
      description: 'Status categories it applies to; null or absent = any',
    }),
  ),
  position: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
};
export const ReasonCreateBody = Type.Object(
  {
    text: reasonFields.text,
    categories: Type.Optional(reasonFields.categories),
    position: Type.Optional(reasonFields.position),
  },
  { additionalProperties: false },
);
export const ReasonCreateBodies = Type.Union([
  ReasonCreateBody,
  Type.Array(ReasonCreateBody, { minItems: 1, maxItems: 200 }),
]);
export const ReasonPatchBody = Type.Object(
  {
    text: Type.Optional(reasonFields.text),
    categories: Type.Optional(reasonFields.categories),
    position: Type.Optional(reasonFields.position),
  },
  { additionalProperties: false },
);
export const ReasonListQuery = Type.Object(
  { category: Type.Optional(Category) },
  { additionalProperties: false },
);

export const CustomFieldResponse = Type.Object({
  key: Type.String(),
  label: Type.String(),
  type: Type.String(),
  options: Nullable(Type.Array(Type.String())),
  required: Type.Boolean(),
  position: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export const CustomFieldList = Type.Object({ data: Type.Array(CustomFieldResponse) });
const FieldType = Type.Union(FIELD_TYPES.map((t) => Type.Literal(t)));
const Options = Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }));
export const CustomFieldCreateBody = Type.Object(
  {
    key: Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$',
      description: 'Letters, digits and _, e.g. "trial_status"',
    }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
    type: FieldType,
    options: Type.Optional(Options),
    required: Type.Optional(Type.Boolean()),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export const CustomFieldPatchBody = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(FieldType),
    options: Type.Optional(Options),
    required: Type.Optional(Type.Boolean()),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export const CustomFieldParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 64 }) });

export const StatusChangeBody = Type.Object(
  {
    status: Type.String({ minLength: 1, maxLength: 100, description: 'Status key' }),
    sub_status: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 100, description: 'Sub-status name of that status' })),
    ),
    reason_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    note: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    at: Type.Optional({
      ...Instant,
      description: 'When it happened, for backdated entries (default: now; never in the future)',
    }),
  },
  { additionalProperties: false },
);

export const HistoryEntryResponse = Type.Object({
  id: Type.Integer(),
  from: Nullable(Type.String()),
  to: Type.String(),
  to_category: Type.String(),
  sub_status: Nullable(Type.String()),
  reason: Nullable(Type.Object({ id: Type.Integer(), text: Type.String() })),
  note: Nullable(Type.String()),
  by: Nullable(Type.Integer()),
  at: Type.String(),
});
export const HistoryList = Type.Object({
  data: Type.Array(HistoryEntryResponse),
  next_cursor: Nullable(Type.String()),
});
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
