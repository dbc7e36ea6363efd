import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { StatusService } from './status.service.js';
import type { ReasonService } from './reason.service.js';
import type { CustomFieldService } from './custom-field.service.js';
import type { StatusChangeService } from './status-change.service.js';
import * as S from './pipeline.schema.js';
import { reasonRoutes } from './reason.routes.js';

export interface PipelineServices {
  statuses: StatusService;
  reasons: ReasonService;
  customFields: CustomFieldService;
  changes: StatusChangeService;
}

/** Statuses and sub-statuses, the status of a lead with its history; reasons and custom fields (reason.routes). */
export function pipelineRoutes({
  statuses,
  reasons,
  customFields,
  changes,
}: PipelineServices): FastifyPluginAsyncTypebox {
  return async (app) => {
    const st = ['pipeline'];
    app.get(
      '/statuses',
      {
        schema: {
          tags: st,
          summary: 'List the pipeline statuses',
          response: { 200: S.StatusList, ...errorResponses(401) },
        },
      },
      async (req) => ({
        data: await statuses.listStatuses(requireAuth(req)),
      }),
    );
    app.get(
      '/statuses/:key',
      {
        schema: {
          tags: st,
          summary: 'Get a status',
          params: S.StatusKeyParams,
          response: { 200: S.StatusResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => statuses.getStatus(requireAuth(req), req.params.key),
    );
    app.post(
      '/statuses',
      {
        schema: {
          tags: st,
          summary: 'Add a status',
          body: S.StatusCreateBody,
          response: { 201: S.StatusResponse, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (req, reply) => reply.code(201).send(await statuses.createStatus(requireAuth(req), req.body)),
    );
    app.patch(
      '/statuses/:key',
      {
        schema: {
          tags: st,
          summary: 'Change a status (key, label, category, order, reason rule, default)',
          params: S.StatusKeyParams,
          body: S.StatusPatchBody,
          response: { 200: S.StatusResponse, ...errorResponses(400, 401, 403, 404, 409, 422) },
        },
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
      async (req) =>
        statuses.deleteStatus(requireAuth(req), req.params.key, {
          moveTo: req.query.move_to,
          reasonId: req.query.reason_id,
        }),
    );

    app.get(
      '/sub-statuses',
      {
        schema: {
          tags: st,
          summary: 'Every sub-status, of every status',
          response: { 200: S.SubStatusList, ...errorResponses(401) },
        },
      },
      async (req) => ({
        data: await statuses.listSubStatuses(requireAuth(req)),
      }),
    );
    app.get(
      '/statuses/:key/sub-statuses',
      {
        schema: {
          tags: st,
          summary: 'Sub-statuses of a status',
          params: S.StatusKeyParams,
          response: { 200: S.SubStatusList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({ data: await statuses.listSubStatuses(requireAuth(req), req.params.key) }),
    );
    app.post(
      '/statuses/:key/sub-statuses',
      {
        schema: {
          tags: st,
          summary: 'Add a sub-status to a status',
          params: S.StatusKeyParams,
          body: S.SubStatusCreateBody,
          response: { 201: S.SubStatusResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await statuses.createSubStatus(requireAuth(req), req.params.key, req.body)),
    );
    app.patch(
      '/statuses/:key/sub-statuses/:name',
      {
        schema: {
          tags: st,
          summary: 'Rename or reorder a sub-status',
          params: S.SubStatusParams,
          body: S.SubStatusPatchBody,
          response: { 200: S.SubStatusResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req) => statuses.updateSubStatus(requireAuth(req), req.params.key, req.params.name, req.body),
    );
    app.delete(
      '/statuses/:key/sub-statuses/:name',
      {
        schema: {
          tags: st,
          summary: 'Delete a sub-status no lead has',
          params: S.SubStatusParams,
          response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        await statuses.deleteSubStatus(requireAuth(req), req.params.key, req.params.name);
        return reply.code(204).send(null);
      },
    );

    await app.register(reasonRoutes({ reasons, customFields }));

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
        const { lead } = await changes.changeStatus(requireAuth(req), req.params.id, target, { at });
        return reply.header('etag', `"${lead.id}-${lead.version}"`).send(lead);
      },
    );
    app.get(
      '/leads/:id/status-history',
      {
        schema: {
          tags: ['leads'],
          summary: 'Status history of a lead, in the order the changes were applied',
          params: IdParams,
          querystring: S.PageQuery,
          response: { 200: S.HistoryList, ...errorResponses(400, 401, 404) },
        },
      },
      async (req) => changes.listStatusHistory(requireAuth(req), req.params.id, req.query),
    );
  };
}
