import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { contentEtag } from '../http/etag.js';
import type { UserService } from './user.service.js';
import type { TeamService } from './team.service.js';
import type { KeyService } from './key.service.js';
import type { AuditService } from './audit.service.js';
import * as S from './access.schema.js';
import { keyRoutes } from './key.routes.js';

export interface AccessServices {
  users: UserService;
  teams: TeamService;
  keys: KeyService;
  audit: AuditService;
}

const NoContent = { 204: Type.Null() };

/** Users, invitations and teams; API keys, web-to-lead keys and the audit log come from key.routes.ts. */
export function accessRoutes({ users, teams, keys, audit }: AccessServices): FastifyPluginAsyncTypebox {
  const keyAndAudit = keyRoutes(keys, audit);
  return async (app) => {
    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Members of the organization',
          response: { 200: S.UserListResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => users.list(requireAuth(req)),
    );
    app.get(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'One member',
          params: IdParams,
          response: { 200: S.UserResponse, ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const user = await users.get(requireAuth(req), req.params.id);
        return reply.header('etag', contentEtag(user)).send(user);
      },
    );
    app.patch(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: "Change a member's role, deactivate (active: false) or reactivate them",
          params: IdParams,
          body: S.UserPatchBody,
          response: { 200: S.UserResponse, ...errorResponses(400, 401, 403, 404, 412, 422) },
        },
      },
      async (req, reply) => {
        const user = await users.update(requireAuth(req), req.params.id, req.body, req.headers['if-match']);
        return reply.header('etag', contentEtag(user)).send(user);
      },
    );

    app.post(
      '/invitations',
      {
        config: { sensitiveResponse: true },
        schema: {
          tags: ['users'],
          summary: 'Invite someone by email; returns a one-time token (shown once)',
          body: S.InvitationBody,
          response: { 201: S.InvitationCreatedResponse, ...errorResponses(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await users.invite(requireAuth(req), req.body)),
    );
    app.get(
      '/invitations',
      {
        schema: {
          tags: ['users'],
          summary: 'Invitations of the organization',
          response: { 200: S.InvitationListResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => users.listInvitations(requireAuth(req)),
    );
    app.delete(
      '/invitations/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'Revoke a pending invitation',
          params: IdParams,
          response: { ...NoContent, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        await users.revokeInvitation(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/invitations/:token/accept',
      {
        config: { public: true },
        schema: {
          tags: ['users'],
          summary: 'Accept an invitation (the token is the credential); returns a session token',
          security: [],
          params: S.TokenParams,
          body: S.AcceptBody,
          response: { 200: S.AcceptResponse, ...errorResponses(400, 401, 404, 422) },
        },
      },
      async (req) => users.accept(req.params.token, req.body, { ip: req.ip }),
    );

    app.get(
      '/teams',
      {
        schema: {
          tags: ['teams'],
          summary: 'Teams and their members',
          response: { 200: S.TeamListResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => teams.list(requireAuth(req)),
    );
    app.post(
      '/teams',
      {
        schema: {
          tags: ['teams'],
          summary: 'Create a team',
          body: S.TeamCreateBody,
          response: { 201: S.TeamResponse, ...errorResponses(400, 401, 403, 409, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await teams.create(requireAuth(req), req.body)),
    );
    app.get(
      '/teams/:id',
      {
        schema: {
          tags: ['teams'],
          summary: 'One team',
          params: IdParams,
          response: { 200: S.TeamResponse, ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const team = await teams.get(requireAuth(req), req.params.id);
        return reply.header('etag', contentEtag(team)).send(team);
      },
    );
    app.patch(
      '/teams/:id',
      {
        schema: {
          tags: ['teams'],
          summary: 'Rename a team',
          params: IdParams,
          body: S.TeamPatchBody,
          response: { 200: S.TeamResponse, ...errorResponses(400, 401, 403, 404, 409, 412) },
        },
      },
      async (req, reply) => {
        const team = await teams.rename(requireAuth(req), req.params.id, req.body, req.headers['if-match']);
        return reply.header('etag', contentEtag(team)).send(team);
      },
    );
    app.delete(
      '/teams/:id',
      {
        schema: {
          tags: ['teams'],
          summary: 'Delete a team (its leads stay, without a team)',
          params: IdParams,
          response: { ...NoContent, ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        await teams.remove(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.put(
      '/teams/:id/members/:userId',
      {
        schema: {
          tags: ['teams'],
          summary: 'Add a member to a team',
          params: S.TeamMemberParams,
          response: { 200: S.TeamResponse, ...errorResponses(401, 403, 404) },
        },
      },
      async (req) => teams.addMember(requireAuth(req), req.params.id, req.params.userId),
    );
    app.delete(
      '/teams/:id/members/:userId',
      {
        schema: {
          tags: ['teams'],
          summary: 'Remove a member from a team',
          params: S.TeamMemberParams,
          response: { ...NoContent, ...errorResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        await teams.removeMember(requireAuth(req), req.params.id, req.params.userId);
        return reply.code(204).send(null);
      },
    );
    await app.register(keyAndAudit);
  };
}
