import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { WebhookService } from './webhook.service.js';
import { WEBHOOK_EVENTS } from './events.js';
import * as S from './webhook.schema.js';

export function webhookRoutes(svc: WebhookService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['webhooks'];
    app.get(
      '/webhooks',
      {
        schema: {
          tags,
          summary: 'List webhook endpoints',
          response: { 200: S.EndpointList, ...errorResponses(401, 403) },
        },
      },
      async (req) => ({ data: await svc.list(requireAuth(req)) }),
    );
    app.post(
      '/webhooks',
      {
        schema: {
          tags,
          summary: 'Add a webhook endpoint (answers its signing secret, once)',
          body: S.EndpointBody,
          response: { 201: S.Endpoint, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await svc.create(requireAuth(req), req.body)),
    );
    app.get(
      '/webhook-event-types',
      {
        schema: {
          tags,
          summary: 'The events a webhook endpoint may subscribe to',
          response: { 200: S.EventTypes, ...errorResponses(401) },
        },
      },
      async (req) => {
        requireAuth(req);
        return { data: [...WEBHOOK_EVENTS] };
      },
    );
    app.get(
      '/webhook-settings',
      {
        schema: {
          tags,
          summary: 'Whether webhooks may call private network addresses',
          response: { 200: S.Settings, ...errorResponses(401, 403) },
        },
      },
      async (req) => svc.settings(requireAuth(req)),
    );
    app.put(
      '/webhook-settings',
      {
        schema: {
          tags,
          summary: 'Allow or refuse private network addresses for webhooks (owner or admin)',
          body: S.Settings,
          response: { 200: S.Settings, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => svc.setSettings(requireAuth(req), req.body.allow_private_networks),
    );
    app.get(
      '/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'Get a webhook endpoint',
          params: IdParams,
          response: { 200: S.Endpoint, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => svc.get(requireAuth(req), req.params.id),
    );
    app.patch(
      '/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'Change a webhook endpoint (enabled: true turns a disabled one back on)',
          params: IdParams,
          body: S.EndpointPatch,
          response: { 200: S.Endpoint, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => svc.update(requireAuth(req), req.params.id, req.body),
    );
    app.delete(
      '/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'Remove a webhook endpoint and its delivery log',
          params: IdParams,
          response: { 204: { type: 'null', description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await svc.remove(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/webhooks/:id/rotate-secret',
      {
        schema: {
          tags,
          summary: 'Replace the signing secret (answers the new one, once)',
          params: IdParams,
          response: { 200: S.Endpoint, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => svc.rotateSecret(requireAuth(req), req.params.id),
    );
    app.get(
      '/webhooks/:id/deliveries',
      {
        schema: {
          tags,
          summary: 'The delivery log of an endpoint, newest first, with every attempt',
          params: IdParams,
          querystring: S.DeliveryQuery,
          response: { 200: S.DeliveryList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => svc.deliveries(requireAuth(req), req.params.id, req.query),
    );
    app.post(
      '/webhooks/:id/deliveries/:delivery_id/redeliver',
      {
        schema: {
          tags,
          summary: 'Send one delivery again',
          params: S.DeliveryParams,
          response: { 202: S.Queued, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req, reply) =>
        reply.code(202).send(await svc.redeliver(requireAuth(req), req.params.id, req.params.delivery_id)),
    );
    app.post(
      '/webhooks/:id/redeliver-failed',
      {
        schema: {
          tags,
          summary: 'Send every failed delivery of an endpoint again',
          params: IdParams,
          response: { 202: S.Queued, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req, reply) => reply.code(202).send(await svc.redeliverFailed(requireAuth(req), req.params.id)),
    );
  };
}
