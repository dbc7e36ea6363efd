import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { contentEtag } from '../http/etag.js';
import type { KeyService } from './key.service.js';
import type { AuditService } from './audit.service.js';
import * as S from './access.schema.js';

const NoContent = { 204: Type.Null() };

/** API keys, web-to-lead keys (their management; the public endpoint is web-to-lead.routes.ts) and the audit log. */
export function keyRoutes(keys: KeyService, audit: AuditService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api-keys',
      {
        config: { sensitiveResponse: true },
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
      async (req, reply) => {
        const key = await keys.getWebKey(requireAuth(req), req.params.id);
        return reply.header('etag', contentEtag(key)).send(key);
      },
    );
    app.patch(
      '/web-to-lead-keys/:id',
      {
        schema: {
          tags: ['web-to-lead'],
          summary: 'Change origins, defaults or the rate limit of a web-to-lead key',
          params: IdParams,
          body: S.WebKeyPatchBody,
          response: { 200: S.WebKeyResponse, ...errorResponses(400, 401, 403, 404, 412, 422) },
        },
      },
      async (req, reply) => {
        const key = await keys.updateWebKey(
          requireAuth(req),
          req.params.id,
          req.body,
          req.headers['if-match'],
        );
        return reply.header('etag', contentEtag(key)).send(key);
      },
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
