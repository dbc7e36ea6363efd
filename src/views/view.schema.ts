import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { LeadListQuery, SORTS } from '../leads/lead.schema.js';
import type { SavedViewRow } from './view.repository.js';

/** The list's query parameters a view may hold (its filters; paging is not part of a view). */
const PAGING = new Set(['sort', 'limit', 'cursor', 'include_total', 'offset', 'fields']);
export const VIEW_FILTER_KEYS: ReadonlySet<string> = new Set(
  Object.keys(LeadListQuery.properties).filter((k) => !PAGING.has(k)),
);
export const CF_FILTER_RE = /^cf\.[A-Za-z0-9_.-]{1,64}$/;

const Visibility = Type.Union([Type.Literal('private'), Type.Literal('organization'), Type.Literal('team')], {
  description: 'private: only you; organization: everyone in it; team: the members of team_id',
});
const Filters = Type.Object(
  {},
  {
    additionalProperties: Type.String({ maxLength: 500 }),
    maxProperties: 40,
    description:
      'GET /leads query parameters and their values, e.g. { "status": "new,qualified", "q": "acme" }',
  },
);
const Sort = Type.Union(
  SORTS.map((s) => Type.Literal(s)),
  { description: 'A sort of GET /leads' },
);
const Columns = Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), {
  maxItems: 50,
  description: 'List column keys, in order',
});

export const ViewCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    filters: Type.Optional(Filters),
    sort: Type.Optional(Nullable(Sort)),
    columns: Type.Optional(Columns),
    visibility: Type.Optional(Visibility),
    team_id: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 2147483647 }))),
  },
  { additionalProperties: false },
);
export type ViewCreateInput = Static<typeof ViewCreateBody>;

export const ViewPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    filters: Type.Optional(Filters),
    sort: Type.Optional(Nullable(Sort)),
    columns: Type.Optional(Columns),
    visibility: Type.Optional(Visibility),
    team_id: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 2147483647 }))),
  },
  { additionalProperties: false },
);
export type ViewPatchInput = Static<typeof ViewPatchBody>;

export const ViewResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  filters: Type.Record(Type.String(), Type.String()),
  sort: Nullable(Type.String()),
  columns: Type.Array(Type.String()),
  visibility: Type.String({ description: 'private | organization | team' }),
  team_id: Nullable(Type.Integer()),
  owner_id: Type.Integer(),
  mine: Type.Boolean({ description: 'You saved it' }),
  can_edit: Type.Boolean({
    description: 'You may change or delete it (yours, or shared and you manage users)',
  }),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type ViewOut = Static<typeof ViewResponse>;
export const ViewListResponse = Type.Object({ data: Type.Array(ViewResponse) });

export function toViewResponse(row: SavedViewRow, userId: number | null, canEdit: boolean): ViewOut {
  return {
    id: row.id,
    name: row.name,
    filters: JSON.parse(row.filters) as Record<string, string>,
    sort: row.sort,
    columns: JSON.parse(row.columns) as string[],
    visibility: row.visibility,
    team_id: row.team_id,
    owner_id: row.owner_id,
    mine: row.owner_id === userId,
    can_edit: canEdit,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
