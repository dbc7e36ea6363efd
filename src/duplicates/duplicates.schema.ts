import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';

const NInt = Nullable(Type.Integer());
const NStr = Nullable(Type.String());

/** What every lead answer says about duplicates (src/duplicates, a lead part). */
export const DuplicateResponseFields = {
  merged_into_id: Type.Optional(
    Nullable(
      Type.Integer({
        description: 'The lead this one was merged into (POST /leads/merge); null when not merged',
      }),
    ),
  ),
  possible_duplicates: Type.Optional(
    Type.Integer({ description: 'Open possible duplicates of this lead (GET /leads/{id}/duplicates)' }),
  ),
};

const Reason = Type.Union(
  [
    Type.Literal('email'),
    Type.Literal('phone'),
    Type.Literal('external_id'),
    Type.Literal('name'),
    Type.Literal('company'),
  ],
  { description: 'What matched: the normalized email, phone (E.164), external id, name, or company' },
);

export const LeadSummary = Type.Object({
  id: Type.Integer(),
  first_name: NStr,
  last_name: NStr,
  company_name: NStr,
  email: NStr,
  phone: NStr,
  owner_id: NInt,
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const CandidateList = Type.Object({
  data: Type.Array(
    Type.Object({
      lead_id: Type.Integer(),
      score: Type.Number({ description: '0..1; 0.8 and above is a possible duplicate' }),
      reasons: Type.Array(Reason),
      flagged: Type.Boolean({
        description: 'score at or above 0.8: listed in GET /duplicates unless dismissed',
      }),
      dismissed: Type.Boolean({ description: 'Someone said this pair is not a duplicate' }),
      lead: LeadSummary,
    }),
  ),
});

const Pair = Type.Object({
  lead_a: Type.Integer(),
  lead_b: Type.Integer(),
  score: Type.Number(),
  reasons: Type.Array(Reason),
});

export const GroupList = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer({ description: 'The smallest lead id of the group (the paging key)' }),
      score: Type.Number({ description: 'The highest score of the pairs in the group' }),
      leads: Type.Array(LeadSummary),
      pairs: Type.Array(Pair),
    }),
  ),
  next_cursor: NStr,
});

export const GroupQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9]+$' })),
  },
  { additionalProperties: false },
);

export const DismissBody = Type.Object(
  {
    lead_ids: Type.Array(Type.Integer({ minimum: 1, maximum: 2147483647 }), {
      minItems: 2,
      maxItems: 2,
      description: 'The two leads that are not duplicates of each other',
    }),
  },
  { additionalProperties: false },
);
export const DismissResponse = Type.Object({
  lead_a: Type.Integer(),
  lead_b: Type.Integer(),
  score: Type.Number(),
  reasons: Type.Array(Reason),
  status: Type.Literal('dismissed'),
});

export const MergeBody = Type.Object(
  {
    primary_id: Type.Integer({ minimum: 1, maximum: 2147483647, description: 'The lead that stays' }),
    ids: Type.Array(Type.Integer({ minimum: 1, maximum: 2147483647 }), {
      minItems: 1,
      maxItems: 50,
      description: 'The leads merged into it (kept, marked merged, hidden from lists)',
    }),
    fields: Type.Optional(
      Type.Record(Type.String({ maxLength: 40 }), Type.Integer({ minimum: 1, maximum: 2147483647 }), {
        description:
          'Field -> the lead whose value the primary takes (first_name, email, address...). Fields not named keep the primary value, or the first merged lead value when the primary has none',
      }),
    ),
    dry_run: Type.Optional(Type.Boolean({ description: 'true: answer the resulting lead, write nothing' })),
  },
  { additionalProperties: false },
);
export type MergeBodyT = Static<typeof MergeBody>;

export const MergeResponse = Type.Object({
  dry_run: Type.Boolean(),
  merge_id: NInt,
  lead: Type.Ref('Lead'),
  merged_ids: Type.Array(Type.Integer()),
  fields: Type.Array(Type.String(), { description: 'The fields of the primary the merge changed' }),
  moved: Type.Record(Type.String(), Type.Integer(), {
    description: 'Rows moved (or copied) to the primary lead, per kind: follow_ups, tasks, comments, tags...',
  }),
});

export const UnmergeResponse = Type.Object({
  merge_id: Type.Integer(),
  lead: Type.Ref('Lead'),
  unmerged_ids: Type.Array(Type.Integer()),
});
