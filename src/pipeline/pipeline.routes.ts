import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { StatusService } from './status.service.js';
import type { ReasonService } from './reason.service.js';
import type { CustomFieldService } from './custom-field.service.js';
import type { StatusChangeService } from './status-change.service.js';
import * as S from './pipeline.schema.js';

export interface PipelineServices {
  statuses: StatusService;
  reasons: ReasonService;
  customFields: CustomFieldService;
  changes: StatusChangeService;
}

/** Statuses, sub-statuses, reasons, custom fields, and the status of a lead with its history. */
export function pipelineRoutes({ statuses, reasons, customFields, changes }: PipelineServices): FastifyPluginAsyncTypebox {
  return async (app) => {
    const st = ['pipeline'];
    app.get('/statuses', { schema: { tags: st, summary: 'List the pipeline statuses', response: { 200: S.StatusList, ...errorResponses(401) } } }, async (req) => ({
      data: await statuses.listStatuses(requireAuth(req)),
    }));
    app.get(
      '/statuses/:key',
      { schema: { tags: st, summary: 'Get a status', params: S.StatusKeyParams, response: { 200: S.StatusResponse, ...errorResponses(401, 404) } } },
      async (req) => statuses.getStatus(requireAuth(req), req.params.key),
    );
    app.post(
      '/statuses',
      { schema: { tags: st, summary: 'Add a status', body: S.StatusCreateBody, response: { 201: S.StatusResponse, ...errorResponses(400, 401, 403, 409) } } },
      async (req, reply) => reply.code(201).send(await statuses.createStatus(requireAuth(req), req.body)),
    );
    app.patch(
      '/statuses/:key',
      {
        schema: { tags: st, summary: 'Change a status (key, label, category, order, reason rule, default)', params: S.StatusKeyParams, body: S.StatusPatchBody, response: { 200: S.StatusResponse, ...errorResponses(400, 401, 403, 404, 409, 422) } },
      },
      async (req) => statuses.updateStatus(requireAuth(req), req.params.key, req.body),
    );
    app.delete(
      '/statuses/:key',
      {
        schema: {
          tags: st,
          summary: 'Delete a status; leads in it must be moved with ?move_to=<key> (409 otherwise)',
          params: S.StatusKeyParams,
          querystring: S.StatusDeleteQuery,
          response: { 200: S.StatusDeleteResponse, ...errorResponses(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req) => statuses.deleteStatus(requireAuth(req), req.params.key, { moveTo: req.query.move_to, reasonId: req.query.reason_id }),
    );

    app.get('/sub-statuses', { schema: { tags: st, summary: 'Every sub-status, of every status', response: { 200: S.SubStatusList, ...errorResponses(401) } } }, async (req) => ({
      data: await statuses.listSubStatuses(requireAuth(req)),
    }));
    app.get(
      '/statuses/:key/sub-statuses',
      { schema: { tags: st, summary: 'Sub-statuses of a status', params: S.StatusKeyParams, response: { 200: S.SubStatusList, ...errorResponses(401, 404) } } },
      async (req) => ({ data: await statuses.listSubStatuses(requireAuth(req), req.params.key) }),
    );
    app.post(
      '/statuses/:key/sub-statuses',
      {
        schema: { tags: st, summary: 'Add a sub-status to a status', params: S.StatusKeyParams, body: S.SubStatusCreateBody, response: { 201: S.SubStatusResponse, ...errorResponses(400, 401, 403, 404, 409) } },
      },
      async (req, reply) => reply.code(201).send(await statuses.createSubStatus(requireAuth(req), req.params.key, req.body)),
    );
    app.patch(
      '/statuses/:key/sub-statuses/:name',
      {
        schema: { tags: st, summary: 'Rename or reorder a sub-status', params: S.SubStatusParams, body: S.SubStatusPatchBody, response: { 200: S.SubStatusResponse, ...errorResponses(400, 401, 403, 404, 409) } },
      },
      async (req) => statuses.updateSubStatus(requireAuth(req), req.params.key, req.params.name, req.body),
    );
    app.delete(
      '/statuses/:key/sub-statuses/:name',
      { schema: { tags: st, summary: 'Delete a sub-status no lead has', params: S.SubStatusParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) } } },
      async (req, reply) => {
        await statuses.deleteSubStatus(requireAuth(req), req.params.key, req.params.name);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/reasons',
      { schema: { tags: st, summary: 'The reasons catalog (?category=lost: those usable for lost statuses)', querystring: S.ReasonListQuery, response: { 200: S.ReasonList, ...errorResponses(400, 401) } } },
      async (req) => ({ data: await reasons.listReasons(requireAuth(req), { category: req.query.category }) }),
    );
    app.get(
      '/reasons/:id',
      { schema: { tags: st, summary: 'Get a reason', params: IdParams, response: { 200: S.ReasonResponse, ...errorResponses(401, 404) } } },
      async (req) => reasons.getReason(requireAuth(req), req.params.id),
    );
    app.post(
      '/reasons',
      {
        schema: {
          tags: st,
          summary: 'Add a reason, or several (send an array: all or nothing)',
          body: S.ReasonCreateBodies,
          response: { 201: Type.Union([S.ReasonResponse, S.ReasonList]), ...errorResponses(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        const body = req.body;
        if (Array.isArray(body)) return reply.code(201).send({ data: await reasons.createReasons(auth, body) });
        return reply.code(201).send(await reasons.createReason(auth, body));
      },
    );
    app.patch(
      '/reasons/:id',
      { schema: { tags: st, summary: 'Change a reason', params: IdParams, body: S.ReasonPatchBody, response: { 200: S.ReasonResponse, ...errorResponses(400, 401, 403, 404, 409) } } },
      async (req) => reasons.updateReason(requireAuth(req), req.params.id, req.body),
    );
    app.delete(
      '/reasons/:id',
      { schema: { tags: st, summary: 'Retire a reason (history keeps its text)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
      async (req, reply) => {
        await reasons.deleteReason(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get('/custom-fields', { schema: { tags: st, summary: 'Custom field definitions', response: { 200: S.CustomFieldList, ...errorResponses(401) } } }, async (req) => ({
      data: await customFields.listCustomFields(requireAuth(req)),
    }));
    app.post(
      '/custom-fields',
      { schema: { tags: st, summary: 'Define a custom field', body: S.CustomFieldCreateBody, response: { 201: S.CustomFieldResponse, ...errorResponses(400, 401, 403, 409, 422) } } },
      async (req, reply) => reply.code(201).send(await customFields.createCustomField(requireAuth(req), req.body)),
    );
    app.patch(
      '/custom-fields/:key',
      {
        schema: { tags: st, summary: 'Change a custom field definition', params: S.CustomFieldParams, body: S.CustomFieldPatchBody, response: { 200: S.CustomFieldResponse, ...errorResponses(400, 401, 403, 404, 422) } },
      },
      async (req) => customFields.updateCustomField(requireAuth(req), req.params.key, req.body),
    );
    app.delete(
      '/custom-fields/:key',
      { schema: { tags: st, summary: 'Delete a definition (values on leads stay, unvalidated)', params: S.CustomFieldParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
      async (req, reply) => {
        await customFields.deleteCustomField(requireAuth(req), req.params.key);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/leads/:id/status',
      {
        schema: {
          tags: ['leads'],
          summary: 'Change the status of a lead (sub-status, reason, note; appends to its history)',
          params: IdParams,
          body: S.StatusChangeBody,
          response: { 200: Type.Ref('Lead'), ...errorResponses(400, 401, 404, 409, 422) },
        },
      },
      async (req, reply) => {
        const { at, ...target } = req.body;
        const lead = await changes.changeStatus(requireAuth(req), req.params.id, target, { at });
        return reply.header('etag', `"${lead.id}-${lead.version}"`).send(lead);
      },
    );
    app.get(
      '/leads/:id/status-history',
      {
        schema: { tags: ['leads'], summary: 'Status history of a lead, in the order the changes were applied', params: IdParams, querystring: S.PageQuery, response: { 200: S.HistoryList, ...errorResponses(400, 401, 404) } },
      },
      async (req) => changes.listStatusHistory(requireAuth(req), req.params.id, req.query),
    );
  };
}
