import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { LeadUserService } from './lead-users.service.js';
import * as S from './lead-users.schema.js';

const EntryParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  entryId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});
const TeamParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  teamId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

/** The users with a role on a lead, and its teams. */
export function leadUserRoutes(users: LeadUserService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['lead users'];
    app.get(
      '/leads/:id/users',
      {
        schema: {
          tags,
          summary: 'Users of a lead with their role (the owner first)',
          params: IdParams,
          response: { 200: S.LeadUserList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({ data: await users.list(requireAuth(req), req.params.id) }),
    );
    app.post(
      '/leads/:id/users',
      {
        schema: {
          tags,
          summary: 'Give a user a role on a lead (role owner sets owner_id when the lead has none)',
          params: IdParams,
          body: S.LeadUserInput,
          response: { 201: S.LeadUserResponse, ...errorResponses(400, 401, 404, 409, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await users.add(requireAuth(req), req.params.id, req.body)),
    );
    app.get(
      '/leads/:id/users/:entryId',
      {
        schema: {
          tags,
          summary: 'One user entry of a lead',
          params: EntryParams,
          response: { 200: S.LeadUserResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => users.get(requireAuth(req), req.params.id, req.params.entryId),
    );
    app.patch(
      '/leads/:id/users/:entryId',
      {
        schema: {
          tags,
          summary: 'Change the user or the role of an entry',
          params: EntryParams,
          body: S.LeadUserPatch,
          response: { 200: S.LeadUserResponse, ...errorResponses(400, 401, 404, 409, 422) },
        },
      },
      async (req) => users.update(requireAuth(req), req.params.id, req.params.entryId, req.body),
    );
    app.delete(
      '/leads/:id/users/:entryId',
      {
        schema: {
          tags,
          summary: 'Remove a user entry from a lead',
          params: EntryParams,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 409) },
        },
      },
      async (req, reply) => {
        await users.remove(requireAuth(req), req.params.id, req.params.entryId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/leads/:id/teams',
      {
        schema: {
          tags,
          summary: 'Teams of a lead (the primary team_id first)',
          params: IdParams,
          response: { 200: S.LeadTeamList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({ data: await users.listTeams(requireAuth(req), req.params.id) }),
    );
    app.post(
      '/leads/:id/teams',
      {
        schema: {
          tags,
          summary: 'Add a team to a lead (the first becomes its team_id)',
          params: IdParams,
          body: S.LeadTeamInput,
          response: { 201: S.LeadTeamResponse, ...errorResponses(400, 401, 404, 409, 422) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await users.addTeam(requireAuth(req), req.params.id, req.body.team_id)),
    );
    app.get(
      '/leads/:id/teams/:teamId',
      {
        schema: {
          tags,
          summary: 'One team of a lead',
          params: TeamParams,
          response: { 200: S.LeadTeamResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => users.getTeam(requireAuth(req), req.params.id, req.params.teamId),
    );
    app.delete(
      '/leads/:id/teams/:teamId',
      {
        schema: {
          tags,
          summary: 'Remove a team from a lead',
          params: TeamParams,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 409) },
        },
      },
      async (req, reply) => {
        await users.removeTeam(requireAuth(req), req.params.id, req.params.teamId);
        return reply.code(204).send(null);
      },
    );
  };
}
