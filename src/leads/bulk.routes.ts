import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Nullable } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { LeadListQuery } from './lead.schema.js';
import { BULK_MAX, type BulkInput, type BulkService } from './bulk.service.js';

const {
  sort: _s,
  limit: _l,
  cursor: _c,
  include_total: _t,
  deleted: _d,
  ...filterProps
} = LeadListQuery.properties;

const BulkBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: BULK_MAX })),
    filter: Type.Optional(
      Type.Object(filterProps, {
        additionalProperties: false,
        patternProperties: { '^cf\\.[A-Za-z0-9_.-]{1,64}$': { type: 'string' } },
        description: "The lead list's filters: every matching lead the caller can see",
      }),
    ),
    action: Type.Union(
      ['status', 'owner', 'team', 'add_tags', 'remove_tags', 'custom_field', 'delete', 'restore'].map((a) =>
        Type.Literal(a),
      ),
    ),
    status: Type.Optional(Type.String({ minLength: 1 })),
    sub_status: Type.Optional(Type.String({ minLength: 1 })),
    reason_id: Type.Optional(Type.Integer({ minimum: 1 })),
    owner_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    team_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 }),
    ),
    field: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' })),
    value: Type.Optional(Nullable(Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
  },
  { additionalProperties: false },
);

const BulkResponse = Type.Object({
  matched: Type.Integer({ description: 'Leads found that the caller can see' }),
  changed: Type.Integer({ description: 'Leads the action was applied to (all in one transaction)' }),
  refused: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      field: Type.Optional(Type.String()),
      message: Type.String(),
    }),
  ),
});

export function bulkRoutes(bulk: BulkService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/leads/bulk',
      {
        schema: {
          tags: ['leads'],
          summary: `One action on many leads (ids or a list filter), at most ${BULK_MAX}, in one transaction`,
          body: BulkBody,
          response: { 200: BulkResponse, ...errorResponses(400, 401, 403, 413, 422) },
        },
      },
      async (req) => bulk.run(requireAuth(req), req.body as BulkInput),
    );
  };
}
