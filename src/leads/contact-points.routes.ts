import { Type, type TSchema } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { ContactPointService } from './contact-points.service.js';
import * as S from './contact-points.schema.js';

const PointParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  pointId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

/** A lead's emails and phones, each a row with an id; the primary ones are the lead's email, phone and mobile. */
export function contactPointRoutes(points: ContactPointService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['lead contact points'];
    const kinds = [
      {
        path: 'emails',
        svc: points.emails,
        input: S.EmailInput,
        patch: S.EmailPatch,
        one: S.EmailResponse,
        list: S.EmailList,
        what: 'email',
      },
      {
        path: 'phones',
        svc: points.phones,
        input: S.PhoneInput,
        patch: S.PhonePatch,
        one: S.PhoneResponse,
        list: S.PhoneList,
        what: 'phone',
      },
    ] as const;
    for (const k of kinds) {
      const svc = k.svc as ContactPointService['emails'];
      app.get(
        `/leads/:id/${k.path}`,
        {
          schema: {
            tags,
            summary: `The ${k.what}s of a lead`,
            params: IdParams,
            response: { 200: k.list as TSchema, ...errorResponses(401, 404) },
          },
        },
        async (req) => ({ data: await svc.list(requireAuth(req), req.params.id) }),
      );
      app.post(
        `/leads/:id/${k.path}`,
        {
          schema: {
            tags,
            summary: `Add an ${k.what} to a lead (primary: true makes it the lead's own)`,
            params: IdParams,
            body: k.input as TSchema,
            response: { 201: k.one as TSchema, ...errorResponses(400, 401, 404, 409, 422) },
          },
        },
        async (req, reply) =>
          reply.code(201).send(await svc.add(requireAuth(req), req.params.id, req.body as never)),
      );
      app.get(
        `/leads/:id/${k.path}/:pointId`,
        {
          schema: {
            tags,
            summary: `One ${k.what} of a lead`,
            params: PointParams,
            response: { 200: k.one as TSchema, ...errorResponses(401, 404) },
          },
        },
        async (req) => svc.get(requireAuth(req), req.params.id, req.params.pointId),
      );
      app.patch(
        `/leads/:id/${k.path}/:pointId`,
        {
          schema: {
            tags,
            summary: `Change an ${k.what} of a lead`,
            params: PointParams,
            body: k.patch as TSchema,
            response: { 200: k.one as TSchema, ...errorResponses(400, 401, 404, 409, 422) },
          },
        },
        async (req) => svc.update(requireAuth(req), req.params.id, req.params.pointId, req.body as never),
      );
      app.delete(
        `/leads/:id/${k.path}/:pointId`,
        {
          schema: {
            tags,
            summary: `Remove an ${k.what} from a lead (the next one of its kind becomes primary)`,
            params: PointParams,
            response: { 204: Type.Null(), ...errorResponses(401, 404, 409) },
          },
        },
        async (req, reply) => {
          await svc.remove(requireAuth(req), req.params.id, req.params.pointId);
          return reply.code(204).send(null);
        },
      );
    }
  };
}
