import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { formatMoney } from '../lib/money.js';
import type { OpportunityRow } from './opportunity.repository.js';

const Str = (max: number) => Nullable(Type.String({ maxLength: max }));
const NStr = Nullable(Type.String());
const NInt = Nullable(Type.Integer());

/** Sales stages, in order; the last two close the opportunity. */
export const STAGES = [
  'qualification',
  'needs_analysis',
  'proposal',
  'negotiation',
  'closed_won',
  'closed_lost',
] as const;
export type Stage = (typeof STAGES)[number];
// A plain string checked by the service, so a wrong stage gets a 422 that lists the stages.
const StageSchema = Type.String({ maxLength: 50, description: `One of: ${STAGES.join(', ')}` });

export const Amount = Type.Unsafe<string | number | null>({
  type: ['string', 'number', 'null'],
  description: 'Decimal string ("75000.00") or number, at most 2 decimals',
});

export const OpportunityWriteFields = {
  name: Type.String({ minLength: 1, maxLength: 300 }),
  amount: Type.Optional(Amount),
  currency: Type.Optional(
    Nullable(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217, e.g. "EUR"' })),
  ),
  stage: Type.Optional(StageSchema),
  probability: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100 }))),
  close_date: Type.Optional(Nullable(Type.String({ format: 'date' }))),
  company_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  contact_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  owner_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  lead_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  description: Type.Optional(Str(20000)),
};

export const OpportunityCreateBody = Type.Object(OpportunityWriteFields, { additionalProperties: false });
export const OpportunityPatchBody = Type.Object(
  { ...OpportunityWriteFields, name: Type.Optional(OpportunityWriteFields.name) },
  { additionalProperties: false },
);
export type OpportunityCreateInput = Static<typeof OpportunityCreateBody>;
export type OpportunityPatchInput = Static<typeof OpportunityPatchBody>;

export const OpportunityResponse = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    amount: NStr,
    currency: NStr,
    stage: Type.String(),
    probability: NInt,
    close_date: NStr,
    company_id: NInt,
    contact_id: NInt,
    owner_id: NInt,
    lead_id: Nullable(
      Type.Integer({
        description: 'The lead it came from (its comments, attachments and history stay there)',
      }),
    ),
    description: NStr,
    created_at: Type.String(),
    updated_at: Type.String(),
    created_by: NInt,
    updated_by: NInt,
    version: Type.Integer(),
  },
  { $id: 'Opportunity' },
);
export type OpportunityDto = Static<typeof OpportunityResponse>;

export const OpportunityListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Words found in the name' })),
    stage: Type.Optional(Type.String({ description: 'A stage; several separated by commas' })),
    company_id: Type.Optional(Type.Integer({ minimum: 1 })),
    contact_id: Type.Optional(Type.Integer({ minimum: 1 })),
    lead_id: Type.Optional(Type.Integer({ minimum: 1 })),
    owner_id: Type.Optional(Type.Integer({ minimum: 1 })),
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
export type OpportunityListQueryInput = Static<typeof OpportunityListQuery>;

export const OpportunityListResponse = Type.Object({
  data: Type.Array(Type.Ref('Opportunity')),
  next_cursor: Nullable(Type.String()),
});

export function toOpportunityResponse(row: OpportunityRow): OpportunityDto {
  return {
    id: row.id,
    name: row.name,
    amount: formatMoney(row.amount_cents),
    currency: row.currency,
    stage: row.stage,
    probability: row.probability,
    close_date: row.close_date,
    company_id: row.company_id,
    contact_id: row.contact_id,
    owner_id: row.owner_id,
    lead_id: row.lead_id,
    description: row.description,
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
    version: row.version,
  };
}
