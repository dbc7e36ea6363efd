import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { LeadItemService } from './lead-items.service.js';
import * as S from './lead-items.schema.js';

const ItemParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  itemId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

/** Typed items of a lead: vehicles, products, services, physical goods, subscriptions, competitors. */
export function leadItemRoutes(items: LeadItemService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['lead items'];
    app.get(
      '/leads/:id/items',
      {
        schema: {
          tags,
          summary: 'Items of a lead, in order',
          params: IdParams,
          response: { 200: S.ItemList, ...errorResponses(401, 404) },
        },
      },
      async (req) => ({ data: await items.list(requireAuth(req), req.params.id) }),
    );
    app.post(
      '/leads/:id/items',
      {
        schema: {
          tags,
          summary: 'Add an item (vehicle, product, service, physical_good, subscription, competitor)',
          params: IdParams,
          body: S.ItemInput,
          response: { 201: S.ItemResponse, ...errorResponses(400, 401, 404, 409, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await items.add(requireAuth(req), req.params.id, req.body)),
    );
    app.get(
      '/leads/:id/items/:itemId',
      {
        schema: {
          tags,
          summary: 'One item of a lead',
          params: ItemParams,
          response: { 200: S.ItemResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => items.get(requireAuth(req), req.params.id, req.params.itemId),
    );
    app.patch(
      '/leads/:id/items/:itemId',
      {
        schema: {
          tags,
          summary: 'Change some fields of an item (vehicle fields merge)',
          params: ItemParams,
          body: S.ItemPatch,
          response: { 200: S.ItemResponse, ...errorResponses(400, 401, 404, 409, 422) },
        },
      },
      async (req) => items.update(requireAuth(req), req.params.id, req.params.itemId, req.body),
    );
    app.delete(
      '/leads/:id/items/:itemId',
      {
        schema: {
          tags,
          summary: 'Remove an item from a lead',
          params: ItemParams,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 409) },
        },
      },
      async (req, reply) => {
        await items.remove(requireAuth(req), req.params.id, req.params.itemId);
        return reply.code(204).send(null);
      },
    );
  };
}
