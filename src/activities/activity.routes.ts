import type { AuthContext } from '../access/roles.js';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { FollowUpService } from './follow-up.service.js';
import type { TaskService } from './task.service.js';
import type { TimelineService } from './timeline.service.js';
import type { ActivityRepository } from './activity.repository.js';
import { assertCan } from '../access/roles.js';
import * as S from './activity.schema.js';

export interface ActivityServices {
  followUps: FollowUpService;
  tasks: TaskService;
  timeline: TimelineService;
  /** Tag counts are a single read; no rules of their own. */
  /** Tag counts over the leads this caller sees (src/access/policy.ts). */
  tagCounts: (auth: AuthContext) => ReturnType<ActivityRepository['tagCounts']>;
}

/** Follow-ups, tasks and events, comments, tags and the timeline of leads. */
export function activityRoutes({
  followUps,
  tasks,
  timeline,
  tagCounts,
}: ActivityServices): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['activities'];
    const noContent = { 204: Type.Null() };

    app.get(
      '/leads/:id/follow-ups',
      {
        schema: {
          tags,
          summary: 'Follow-ups of a lead, oldest first',
          params: IdParams,
          response: { 200: S.FollowUpList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({
        data: await followUps.listFollowUps(requireAuth(req), req.params.id),
      }),
    );
    app.post(
      '/leads/:id/follow-ups',
      {
        schema: {
          tags,
          summary: "Record a follow-up (planned or done); the lead's next/last follow-up follow",
          params: IdParams,
          body: S.FollowUpCreateBody,
          response: { 201: S.FollowUpResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await followUps.addFollowUp(requireAuth(req), req.params.id, req.body)),
    );
    app.patch(
      '/leads/:id/follow-ups/:itemId',
      {
        schema: {
          tags,
          summary: 'Change a follow-up (e.g. mark it done)',
          params: S.LeadChildParams,
          body: S.FollowUpPatchBody,
          response: { 200: S.FollowUpResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req) => followUps.updateFollowUp(requireAuth(req), req.params.id, req.params.itemId, req.body),
    );
    app.delete(
      '/leads/:id/follow-ups/:itemId',
      {
        schema: {
          tags,
          summary: 'Delete a follow-up',
          params: S.LeadChildParams,
          response: { ...noContent, ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        await followUps.deleteFollowUp(requireAuth(req), req.params.id, req.params.itemId);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/follow-ups',
      {
        schema: {
          tags,
          summary: 'Follow-up queue: leads due for a follow-up, soonest first',
          querystring: S.FollowUpQueueQuery,
          response: { 200: S.FollowUpQueueResponse, ...errorResponses(400, 401, 422) },
        },
      },
      async (req) => followUps.listDueFollowUps(requireAuth(req), req.query),
    );

    app.get(
      '/leads/:id/tasks',
      {
        schema: {
          tags,
          summary: 'Tasks and events of a lead',
          params: IdParams,
          response: { 200: S.TaskList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({
        data: await tasks.listTasks(requireAuth(req), req.params.id),
      }),
    );
    app.post(
      '/leads/:id/tasks',
      {
        schema: {
          tags,
          summary: 'Add a task or event (call, meeting, appointment, road test...)',
          params: IdParams,
          body: S.TaskCreateBody,
          response: { 201: S.TaskResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await tasks.createTask(requireAuth(req), req.params.id, req.body)),
    );
    app.patch(
      '/leads/:id/tasks/:itemId',
      {
        schema: {
          tags,
          summary: 'Change a task (done: true closes it)',
          params: S.LeadChildParams,
          body: S.TaskPatchBody,
          response: { 200: S.TaskResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req) => tasks.updateTask(requireAuth(req), req.params.id, req.params.itemId, req.body),
    );
    app.delete(
      '/leads/:id/tasks/:itemId',
      {
        schema: {
          tags,
          summary: 'Delete a task',
          params: S.LeadChildParams,
          response: { ...noContent, ...errorResponses(401, 404) },
        },
      },
      async (req, reply) => {
        await tasks.deleteTask(requireAuth(req), req.params.id, req.params.itemId);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/tasks',
      {
        schema: {
          tags,
          summary: 'Tasks across leads (?assignee_id=&done=false&due_before=)',
          querystring: S.TaskQueueQuery,
          response: { 200: S.TaskPage, ...errorResponses(400, 401, 422) },
        },
      },
      async (req) => tasks.listAllTasks(requireAuth(req), req.query),
    );

    app.get(
      '/leads/:id/comments',
      {
        schema: {
          tags,
          summary: 'Comments on a lead, oldest first',
          params: IdParams,
          response: { 200: S.CommentList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({
        data: await tasks.listComments(requireAuth(req), req.params.id),
      }),
    );
    app.post(
      '/leads/:id/comments',
      {
        schema: {
          tags,
          summary: 'Comment on a lead',
          params: IdParams,
          body: S.CommentCreateBody,
          response: { 201: S.CommentResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(
          await tasks.addComment(requireAuth(req), req.params.id, req.body.body, {
            created_at: req.body.created_at,
            parent_id: req.body.parent_id,
            file_url: req.body.file_url,
            attachment_id: req.body.attachment_id,
          }),
        ),
    );
    app.patch(
      '/leads/:id/comments/:itemId',
      {
        schema: {
          tags,
          summary: 'Edit your comment (author only)',
          params: S.LeadChildParams,
          body: S.CommentPatchBody,
          response: { 200: S.CommentResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => {
        const { body, ...links } = req.body;
        return tasks.editComment(requireAuth(req), req.params.id, req.params.itemId, body, links);
      },
    );
    app.delete(
      '/leads/:id/comments/:itemId',
      {
        schema: {
          tags,
          summary: 'Delete a comment (author or admin)',
          params: S.LeadChildParams,
          response: { ...noContent, ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        await tasks.deleteComment(requireAuth(req), req.params.id, req.params.itemId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/tags',
      {
        schema: {
          tags,
          summary: 'Tags in use, with how many live leads carry each',
          response: { 200: S.TagList, ...errorResponses(401) },
        },
      },
      async (req) => {
        const auth = requireAuth(req);
        assertCan(auth, 'leads:read');
        return { data: await tagCounts(auth) };
      },
    );

    app.get(
      '/leads/:id/timeline',
      {
        schema: {
          tags,
          summary:
            'Everything that happened to a lead, newest first (creation, field and status changes, follow-ups, tasks, comments, attachments)',
          params: IdParams,
          querystring: S.TimelineQuery,
          response: { 200: S.TimelineResponse, ...errorResponses(400, 401, 404) },
        },
      },
      async (req) => timeline.getTimeline(requireAuth(req), req.params.id, req.query),
    );
  };
}
