import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { ViewService } from './view.service.js';
import {
  ViewCreateBody,
  ViewListResponse,
  ViewPatchBody,
  ViewResponse,
  type ViewCreateInput,
  type ViewPatchInput,
} from './view.schema.js';

export function viewRoutes(views: ViewService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['views'];
    app.get(
      '/views',
      {
        schema: {
          tags,
          summary: "Saved list views you can use: yours, your teams' and the organization's",
          response: { 200: ViewListResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => views.list(requireAuth(req)),
    );
    app.post(
      '/views',
      {
        schema: {
          tags,
          summary: 'Save a list view (filters, sort, columns), private or shared',
          body: ViewCreateBody,
          response: { 201: ViewResponse, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req, reply) => {
        const view = await views.create(requireAuth(req), req.body as ViewCreateInput);
        return reply.code(201).header('location', `/api/v1/views/${view.id}`).send(view);
      },
    );
    app.get(
      '/views/:id',
      {
        schema: {
          tags,
          summary: 'One saved view',
          params: IdParams,
          response: { 200: ViewResponse, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => views.get(requireAuth(req), req.params.id),
    );
    app.patch(
      '/views/:id',
      {
        schema: {
          tags,
          summary: 'Rename, refilter or reshare a saved view (its owner, or a manager when shared)',
          params: IdParams,
          body: ViewPatchBody,
          response: { 200: ViewResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => views.update(requireAuth(req), req.params.id, req.body as ViewPatchInput),
    );
    app.delete(
      '/views/:id',
      {
        schema: {
          tags,
          summary: 'Delete a saved view (its owner, or a manager when shared)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await views.remove(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
