import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { ContactService } from './contact.service.js';
import {
  ContactCreateBody,
  ContactListQuery,
  ContactListResponse,
  ContactPatchBody,
} from './contact.schema.js';
import { etagOf } from './fields.js';

const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String()) });

export function contactRoutes(contacts: ContactService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/contacts',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Create a contact',
          body: ContactCreateBody,
          response: { 201: Type.Ref('Contact'), ...errorResponses(400, 401, 422) },
        },
      },
      async (req, reply) => {
        const c = await contacts.create(requireAuth(req), req.body);
        return reply
          .code(201)
          .header('etag', etagOf(c))
          .header('location', `/api/v1/contacts/${c.id}`)
          .send(c);
      },
    );
    app.get(
      '/contacts',
      {
        schema: {
          tags: ['contacts'],
          summary: 'List and search contacts (keyset pagination)',
          querystring: ContactListQuery,
          response: { 200: ContactListResponse, ...errorResponses(400, 401) },
        },
      },
      async (req) => contacts.list(requireAuth(req), req.query),
    );
    app.get(
      '/contacts/:id',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Get a contact',
          params: IdParams,
          response: { 200: Type.Ref('Contact'), ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        const c = await contacts.get(requireAuth(req), req.params.id);
        return reply.header('etag', etagOf(c)).send(c);
      },
    );
    app.patch(
      '/contacts/:id',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Update some fields of a contact (If-Match: the ETag)',
          params: IdParams,
          headers: IfMatchHeaders,
          body: ContactPatchBody,
          response: { 200: Type.Ref('Contact'), ...errorResponses(400, 401, 404, 409, 412, 422) },
        },
      },
      async (req, reply) => {
        const c = await contacts.update(requireAuth(req), req.params.id, req.body, req.headers['if-match']);
        return reply.header('etag', etagOf(c)).send(c);
      },
    );
    app.delete(
      '/contacts/:id',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Delete a contact (soft delete: links from leads stay in their history)',
          params: IdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 409, 412) },
        },
      },
      async (req, reply) => {
        await contacts.remove(requireAuth(req), req.params.id, req.headers['if-match']);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/contacts/:id/restore',
      {
        schema: {
          tags: ['contacts'],
          summary:
            'Restore a deleted contact (undo a delete): it shows again in lists and where it was linked',
          params: IdParams,
          response: { 200: Type.Ref('Contact'), ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const x = await contacts.restore(requireAuth(req), req.params.id);
        return reply.header('etag', etagOf(x)).send(x);
      },
    );
  };
}
