import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { OpportunityService } from './opportunity.service.js';
import {
  OpportunityCreateBody,
  OpportunityListQuery,
  OpportunityListResponse,
  OpportunityPatchBody,
} from './opportunity.schema.js';
import { etagOf } from './fields.js';

const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String()) });

export function opportunityRoutes(opportunities: OpportunityService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/opportunities',
      {
        schema: {
          tags: ['opportunities'],
          summary: 'Create an opportunity',
          body: OpportunityCreateBody,
          response: { 201: Type.Ref('Opportunity'), ...errorResponses(400, 401, 409, 422) },
        },
      },
      async (req, reply) => {
        const c = await opportunities.create(requireAuth(req), req.body);
        return reply
          .code(201)
          .header('etag', etagOf(c))
          .header('location', `/api/v1/opportunities/${c.id}`)
          .send(c);
      },
    );
    app.get(
      '/opportunities',
      {
        schema: {
          tags: ['opportunities'],
          summary: 'List and search opportunities (keyset pagination)',
          querystring: OpportunityListQuery,
          response: { 200: OpportunityListResponse, ...errorResponses(400, 401, 422) },
        },
      },
      async (req) => opportunities.list(requireAuth(req), req.query),
    );
    app.get(
      '/opportunities/:id',
      {
        schema: {
          tags: ['opportunities'],
          summary: 'Get an opportunity',
          params: IdParams,
          response: { 200: Type.Ref('Opportunity'), ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        const c = await opportunities.get(requireAuth(req), req.params.id);
        return reply.header('etag', etagOf(c)).send(c);
      },
    );
    app.patch(
      '/opportunities/:id',
      {
        schema: {
          tags: ['opportunities'],
          summary: 'Update some fields of an opportunity (If-Match: the ETag)',
          params: IdParams,
          headers: IfMatchHeaders,
          body: OpportunityPatchBody,
          response: { 200: Type.Ref('Opportunity'), ...errorResponses(400, 401, 404, 409, 412, 422) },
        },
      },
      async (req, reply) => {
        const c = await opportunities.update(
          requireAuth(req),
          req.params.id,
          req.body,
          req.headers['if-match'],
        );
        return reply.header('etag', etagOf(c)).send(c);
      },
    );
    app.delete(
      '/opportunities/:id',
      {
        schema: {
          tags: ['opportunities'],
          summary: 'Delete an opportunity (soft delete: the lead may then become a new opportunity)',
          params: IdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 409, 412) },
        },
      },
      async (req, reply) => {
        await opportunities.remove(requireAuth(req), req.params.id, req.headers['if-match']);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/opportunities/:id/restore',
      {
        schema: {
          tags: ['opportunities'],
          summary:
            'Restore a deleted opportunity (undo a delete): it shows again in lists and where it was linked',
          params: IdParams,
          response: { 200: Type.Ref('Opportunity'), ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const x = await opportunities.restore(requireAuth(req), req.params.id);
        return reply.header('etag', etagOf(x)).send(x);
      },
    );
  };
}
