import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { ActivityByIdService } from './activity-by-id.service.js';
import * as S from './activity.schema.js';

const TaskParams = Type.Object({ taskId: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
const CommentParams = Type.Object({ commentId: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
const FollowUpParams = Type.Object({ followUpId: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

const TaskCreateAnyBody = Type.Object(
  {
    ...S.TaskCreateBody.properties,
    lead_id: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 2147483647 }), Type.Null()], {
        description: 'The lead it belongs to; absent or null: a task or event of no lead',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Activities by their own id (no lead id in the path), and tasks/events of no lead. */
export function activityByIdRoutes(svc: ActivityByIdService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['activities'];
    app.post(
      '/tasks',
      {
        schema: {
          tags,
          summary: 'Add a task or event, of a lead (lead_id) or of no lead',
          body: TaskCreateAnyBody,
          response: { 201: S.TaskResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await svc.createTask(requireAuth(req), req.body)),
    );
    app.get(
      '/tasks/:taskId',
      {
        schema: {
          tags,
          summary: 'A task or event by its id',
          params: TaskParams,
          response: { 200: S.TaskResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => svc.getTask(requireAuth(req), req.params.taskId),
    );
    app.patch(
      '/tasks/:taskId',
      {
        schema: {
          tags,
          summary: 'Change a task or event by its id (done, canceled, confirmed, no_show, priority...)',
          params: TaskParams,
          body: S.TaskPatchBody,
          response: { 200: S.TaskResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req) => svc.updateTask(requireAuth(req), req.params.taskId, req.body),
    );
    app.delete(
      '/tasks/:taskId',
      {
        schema: {
          tags,
          summary: 'Delete a task or event by its id',
          params: TaskParams,
          response: { 204: Type.Null(), ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        await svc.deleteTask(requireAuth(req), req.params.taskId);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/comments/:commentId',
      {
        schema: {
          tags,
          summary: 'A comment (note) by its id',
          params: CommentParams,
          response: { 200: S.CommentResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => svc.getComment(requireAuth(req), req.params.commentId),
    );
    app.patch(
      '/comments/:commentId',
      {
        schema: {
          tags,
          summary: 'Edit your comment by its id (author only)',
          params: CommentParams,
          body: S.CommentPatchBody,
          response: { 200: S.CommentResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => {
        const { body, ...links } = req.body;
        return svc.updateComment(requireAuth(req), req.params.commentId, body, links);
      },
    );
    app.delete(
      '/comments/:commentId',
      {
        schema: {
          tags,
          summary: 'Delete a comment by its id (author or admin)',
          params: CommentParams,
          response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        await svc.deleteComment(requireAuth(req), req.params.commentId);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/follow-ups/:followUpId',
      {
        schema: {
          tags,
          summary: 'A follow-up by its id',
          params: FollowUpParams,
          response: { 200: S.FollowUpResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => svc.getFollowUp(requireAuth(req), req.params.followUpId),
    );
  };
}
