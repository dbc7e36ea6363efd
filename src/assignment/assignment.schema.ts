import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { CONDITION_OPS } from './conditions.js';

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Scalar = Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]);

export const ConditionSchema = Type.Object(
  {
    field: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'A lead field (source, country, state, city, email, value...) or custom_fields.<key>',
    }),
    op: Type.String({ minLength: 1, maxLength: 20, description: `One of: ${CONDITION_OPS.join(', ')}` }),
    value: Type.Optional(
      Nullable(
        Type.Union([
          Scalar,
          Type.Array(Type.Union([Type.String({ maxLength: 500 }), Type.Number()]), { maxItems: 200 }),
        ]),
      ),
    ),
  },
  { additionalProperties: false },
);

export const RuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    enabled: Type.Optional(Type.Boolean()),
    conditions: Type.Optional(
      Type.Array(ConditionSchema, { maxItems: 50, description: 'All must hold; none: every lead matches' }),
    ),
    strategy: Type.Union(
      [Type.Literal('round_robin'), Type.Literal('least_open'), Type.Literal('user'), Type.Literal('team')],
      {
        description: 'round_robin | least_open over user_ids (or the team), user: user_ids[0], team: team_id',
      },
    ),
    user_ids: Type.Optional(Type.Array(Id, { maxItems: 500 })),
    team_id: Type.Optional(Nullable(Id)),
    capacity: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 0,
          maximum: 100000,
          description: 'Leads per user per period; 0: no limit; default 30',
        }),
      ),
    ),
    capacity_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    sla_minutes: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          maximum: 525600,
          description: 'Reassign when not contacted within this time',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);

export const Rule = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  position: Type.Integer(),
  enabled: Type.Boolean(),
  conditions: Type.Array(
    Type.Object({
      field: Type.String(),
      op: Type.String(),
      value: Type.Optional(Type.Unknown()),
    }),
  ),
  strategy: Type.String(),
  user_ids: Type.Array(Type.Integer()),
  team_id: Nullable(Type.Integer()),
  capacity: Type.Integer(),
  capacity_days: Type.Integer(),
  sla_minutes: Nullable(Type.Integer()),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const RuleList = Type.Object({ data: Type.Array(Rule) });

export const OrderBody = Type.Object(
  { ids: Type.Array(Id, { minItems: 1, maxItems: 1000, description: 'Every rule id, in evaluation order' }) },
  { additionalProperties: false },
);

export const Availability = Type.Object({
  data: Type.Array(
    Type.Object({
      user_id: Type.Integer(),
      name: Type.String(),
      email: Type.String(),
      role: Type.String(),
      active: Type.Boolean(),
      away: Type.Boolean(),
      open_leads: Type.Integer(),
      assigned_last_30_days: Type.Integer(),
    }),
  ),
});

export const AwayBody = Type.Object({ away: Type.Boolean() }, { additionalProperties: false });
export const AwayResult = Type.Object({ user_id: Type.Integer(), away: Type.Boolean() });
export const UserParams = Type.Object({ user_id: Id });

export const AssignmentHistory = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      rule_id: Nullable(Type.Integer()),
      user_id: Nullable(Type.Integer()),
      team_id: Nullable(Type.Integer()),
      previous_user_id: Nullable(Type.Integer()),
      reason: Type.String({ description: 'rule | sla' }),
      sla_due_at: Nullable(Type.String()),
      resolved_at: Nullable(Type.String()),
      outcome: Nullable(Type.String({ description: 'contacted | reassigned | expired | superseded' })),
      created_at: Type.String(),
    }),
  ),
});
