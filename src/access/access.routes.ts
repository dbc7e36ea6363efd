import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { UserService } from './user.service.js';
import type { TeamService } from './team.service.js';
import type { KeyService } from './key.service.js';
import type { AuditService } from './audit.service.js';
import * as S from './access.schema.js';

export interface AccessServices {
  users: UserService;
  teams: TeamService;
  keys: KeyService;
  audit: AuditService;
}

const NoContent = { 204: Type.Null() };

/** Users, invitations, teams, API keys, web-to-lead keys and the audit log (all behind authentication). */
export function accessRoutes({ users, teams, keys, audit }: AccessServices): FastifyPluginAsyncTypebox {
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
      async (req) => users.get(requireAuth(req), req.params.id),
    );
    app.patch(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: "Change a member's role, deactivate (active: false) or reactivate them",
          params: IdParams,
          body: S.UserPatchBody,
          response: { 200: S.UserResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => users.update(requireAuth(req), req.params.id, req.body),
    );

    app.post(
      '/invitations',
      {
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
      async (req) => teams.get(requireAuth(req), req.params.id),
    );
    app.patch(
      '/teams/:id',
      {
        schema: {
          tags: ['teams'],
          summary: 'Rename a team',
          params: IdParams,
          body: S.TeamPatchBody,
          response: { 200: S.TeamResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req) => teams.rename(requireAuth(req), req.params.id, req.body),
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

    app.post(
      '/api-keys',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'Create an API key (the secret is shown once)',
          body: S.ApiKeyBody,
          response: { 201: S.ApiKeyCreatedResponse, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await keys.createApiKey(requireAuth(req), req.body)),
    );
    app.get(
      '/api-keys',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'API keys with their last use (never the secret)',
          response: { 200: S.ApiKeyListResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => keys.listApiKeys(requireAuth(req)),
    );
    app.delete(
      '/api-keys/:id',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'Revoke an API key (at once)',
          params: IdParams,
          response: { ...NoContent, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        await keys.revokeApiKey(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/web-to-lead-keys',
      {
        schema: {
          tags: ['web-to-lead'],
          summary: 'Create a public web-to-lead key for a form',
          body: S.WebKeyCreateBody,
          response: { 201: S.WebKeyResponse, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await keys.createWebKey(requireAuth(req), req.body)),
    );
    app.get(
      '/web-to-lead-keys',
      {
        schema: {
          tags: ['web-to-lead'],
          summary: 'Web-to-lead keys',
          response: { 200: S.WebKeyListResponse, ...errorResponses(401, 403) },
        },
      },
      async (req) => keys.listWebKeys(requireAuth(req)),
    );
    app.get(
      '/web-to-lead-keys/:id',
      {
        schema: {
          tags: ['web-to-lead'],
          summary: 'One web-to-lead key',
          params: IdParams,
          response: { 200: S.WebKeyResponse, ...errorResponses(401, 403, 404) },
        },
      },
      async (req) => keys.getWebKey(requireAuth(req), req.params.id),
    );
    app.patch(
      '/web-to-lead-keys/:id',
      {
        schema: {
          tags: ['web-to-lead'],
          summary: 'Change origins, defaults or the rate limit of a web-to-lead key',
          params: IdParams,
          body: S.WebKeyPatchBody,
          response: { 200: S.WebKeyResponse, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => keys.updateWebKey(requireAuth(req), req.params.id, req.body),
    );
    app.delete(
      '/web-to-lead-keys/:id',
      {
        schema: {
          tags: ['web-to-lead'],
          summary: 'Revoke a web-to-lead key',
          params: IdParams,
          response: { ...NoContent, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        await keys.revokeWebKey(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/audit-log',
      {
        schema: {
          tags: ['audit'],
          summary: 'Security-relevant events, newest first (owners and admins)',
          querystring: S.AuditQuery,
          response: { 200: S.AuditListResponse, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => audit.list(requireAuth(req), req.query),
    );
  };
}
