import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams, Nullable } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { LeadListQuery } from './lead.schema.js';
import { BULK_MAX, BULK_SYNC_MAX, type BulkInput, type BulkService } from './bulk.service.js';

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

const BulkRefusals = Type.Array(
  Type.Object({
    id: Type.Integer(),
    code: Type.String({ description: 'not_found, reason_required, or the error code that refused the lead' }),
    field: Type.Optional(Type.String()),
    message: Type.String(),
  }),
);

const BulkResponse = Type.Object({
  matched: Type.Integer({ description: 'Leads found that the caller can see' }),
  changed: Type.Integer({ description: 'Leads the action was applied to (all in one transaction)' }),
  refused: BulkRefusals,
});

const BulkJob = Type.Object(
  {
    id: Type.Integer(),
    status: Type.Union(['queued', 'running', 'completed', 'failed'].map((s) => Type.Literal(s))),
    action: Type.String(),
    total: Type.Integer({ description: 'Leads the job changes (the visible leads that matched)' }),
    done: Type.Integer({ description: 'Leads handled so far (changed or refused)' }),
    changed: Type.Integer({ description: 'Leads changed so far' }),
    refused: BulkRefusals,
    error: Nullable(Type.String()),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    finished_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'BulkJob', description: 'A bulk action run in the background, with its progress' },
);

export function bulkRoutes(bulk: BulkService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addSchema(BulkJob);
    app.post(
      '/leads/bulk',
      {
        schema: {
          tags: ['leads'],
          summary:
            `One action on many leads (ids or a list filter), at most ${BULK_MAX}: up to ${BULK_SYNC_MAX} ` +
            'in one transaction (200), above that as a job (202, Location to poll)',
          body: BulkBody,
          response: {
            200: BulkResponse,
            202: Type.Ref('BulkJob'),
            ...errorResponses(400, 401, 403, 413, 422),
          },
        },
      },
      async (req, reply) => {
        const r = await bulk.run(requireAuth(req), req.body as BulkInput);
        if (r.kind === 'done') return reply.code(200).send(r.body);
        return reply.code(202).header('location', `/api/v1/leads/bulk/${r.body.id}`).send(r.body);
      },
    );

    app.get(
      '/leads/bulk/:id',
      {
        schema: {
          tags: ['leads'],
          summary: 'A bulk job: its progress, then its final counts and per-lead refusals',
          params: IdParams,
          response: { 200: Type.Ref('BulkJob'), ...errorResponses(401, 403, 404) },
        },
      },
      async (req) => bulk.getJob(requireAuth(req), req.params.id),
    );
  };
}
