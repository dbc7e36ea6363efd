import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { CompanyService } from './company.service.js';
import {
  CompanyCreateBody,
  CompanyListQuery,
  CompanyListResponse,
  CompanyPatchBody,
} from './company.schema.js';
import { etagOf } from './fields.js';

const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String()) });

export function companyRoutes(companies: CompanyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/companies',
      {
        schema: {
          tags: ['companies'],
          summary: 'Create a company',
          body: CompanyCreateBody,
          response: { 201: Type.Ref('Company'), ...errorResponses(400, 401, 422) },
        },
      },
      async (req, reply) => {
        const c = await companies.create(requireAuth(req), req.body);
        return reply
          .code(201)
          .header('etag', etagOf(c))
          .header('location', `/api/v1/companies/${c.id}`)
          .send(c);
      },
    );
    app.get(
      '/companies',
      {
        schema: {
          tags: ['companies'],
          summary: 'List and search companies (keyset pagination)',
          querystring: CompanyListQuery,
          response: { 200: CompanyListResponse, ...errorResponses(400, 401) },
        },
      },
      async (req) => companies.list(requireAuth(req), req.query),
    );
    app.get(
      '/companies/:id',
      {
        schema: {
          tags: ['companies'],
          summary: 'Get a company',
          params: IdParams,
          response: { 200: Type.Ref('Company'), ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        const c = await companies.get(requireAuth(req), req.params.id);
        return reply.header('etag', etagOf(c)).send(c);
      },
    );
    app.patch(
      '/companies/:id',
      {
        schema: {
          tags: ['companies'],
          summary: 'Update some fields of a company (If-Match: the ETag)',
          params: IdParams,
          headers: IfMatchHeaders,
          body: CompanyPatchBody,
          response: { 200: Type.Ref('Company'), ...errorResponses(400, 401, 404, 409, 412, 422) },
        },
      },
      async (req, reply) => {
        const c = await companies.update(requireAuth(req), req.params.id, req.body, req.headers['if-match']);
        return reply.header('etag', etagOf(c)).send(c);
      },
    );
    app.delete(
      '/companies/:id',
      {
        schema: {
          tags: ['companies'],
          summary: 'Delete a company (soft delete: links from leads stay in their history)',
          params: IdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 409, 412) },
        },
      },
      async (req, reply) => {
        await companies.remove(requireAuth(req), req.params.id, req.headers['if-match']);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/companies/:id/restore',
      {
        schema: {
          tags: ['companies'],
          summary:
            'Restore a deleted company (undo a delete): it shows again in lists and where it was linked',
          params: IdParams,
          response: { 200: Type.Ref('Company'), ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const x = await companies.restore(requireAuth(req), req.params.id);
        return reply.header('etag', etagOf(x)).send(x);
      },
    );
  };
}
