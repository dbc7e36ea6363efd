import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { ReasonService } from './reason.service.js';
import type { CustomFieldService } from './custom-field.service.js';
import * as S from './pipeline.schema.js';

/** The reasons catalog and custom field definitions. */
export function reasonRoutes({
  reasons,
  customFields,
}: {
  reasons: ReasonService;
  customFields: CustomFieldService;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    const st = ['pipeline'];
    app.get(
      '/reasons',
      {
        schema: {
          tags: st,
          summary: 'The reasons catalog (?category=lost: those usable for lost statuses)',
          querystring: S.ReasonListQuery,
          response: { 200: S.ReasonList, ...errorResponses(400, 401) },
        },
      },
      async (req) => ({
        data: await reasons.listReasons(requireAuth(req), { category: req.query.category }),
      }),
    );
    app.get(
      '/reasons/:id',
      {
        schema: {
          tags: st,
          summary: 'Get a reason',
          params: IdParams,
          response: { 200: S.ReasonResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => reasons.getReason(requireAuth(req), req.params.id),
    );
    app.post(
      '/reasons',
      {
        schema: {
          tags: st,
          summary: 'Add a reason, or several (send an array: all or nothing)',
          body: S.ReasonCreateBodies,
          response: {
            201: Type.Union([S.ReasonResponse, S.ReasonList]),
            ...errorResponses(400, 401, 403, 409, 422),
          },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        const body = req.body;
        if (Array.isArray(body))
          return reply.code(201).send({ data: await reasons.createReasons(auth, body) });
        return reply.code(201).send(await reasons.createReason(auth, body));
      },
    );
    app.patch(
      '/reasons/:id',
      {
        schema: {
          tags: st,
          summary: 'Change a reason',
          params: IdParams,
          body: S.ReasonPatchBody,
          response: { 200: S.ReasonResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req) => reasons.updateReason(requireAuth(req), req.params.id, req.body),
    );
    app.delete(
      '/reasons/:id',
      {
        schema: {
          tags: st,
          summary: 'Retire a reason (history keeps its text)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        await reasons.deleteReason(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/custom-fields',
      {
        schema: {
          tags: st,
          summary: 'Custom field definitions',
          response: { 200: S.CustomFieldList, ...errorResponses(401) },
        },
      },
      async (req) => ({
        data: await customFields.listCustomFields(requireAuth(req)),
      }),
    );
    app.post(
      '/custom-fields',
      {
        schema: {
          tags: st,
          summary: 'Define a custom field',
          body: S.CustomFieldCreateBody,
          response: { 201: S.CustomFieldResponse, ...errorResponses(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await customFields.createCustomField(requireAuth(req), req.body)),
    );
    app.patch(
      '/custom-fields/:key',
      {
        schema: {
          tags: st,
          summary: 'Change a custom field definition',
          params: S.CustomFieldParams,
          body: S.CustomFieldPatchBody,
          response: { 200: S.CustomFieldResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => customFields.updateCustomField(requireAuth(req), req.params.key, req.body),
    );
    app.delete(
      '/custom-fields/:key',
      {
        schema: {
          tags: st,
          summary: 'Delete a definition (values on leads stay, unvalidated)',
          params: S.CustomFieldParams,
          response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        await customFields.deleteCustomField(requireAuth(req), req.params.key);
        return reply.code(204).send(null);
      },
    );
  };
}
