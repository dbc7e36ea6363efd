import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { LeadConsentService } from './lead-consent.service.js';
import * as S from './lead-consent.schema.js';

/** Consent of a lead: the channels it opted out of, with since when. */
export function leadConsentRoutes(consent: LeadConsentService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['lead consent'];
    app.get(
      '/leads/:id/consent',
      {
        schema: {
          tags,
          summary: 'Consent of a lead (do not call / email / sms / contact at all, with dates)',
          params: IdParams,
          response: { 200: S.ConsentResponse, ...errorResponses(401, 404) },
        },
      },
      async (req) => consent.get(requireAuth(req), req.params.id),
    );
    app.patch(
      '/leads/:id/consent',
      {
        schema: {
          tags,
          summary: 'Change the channels named in the body (a date sets since when)',
          params: IdParams,
          body: S.ConsentInput,
          response: { 200: S.ConsentResponse, ...errorResponses(400, 401, 404, 409) },
        },
      },
      async (req) => consent.update(requireAuth(req), req.params.id, req.body as S.ConsentInputT),
    );
    app.delete(
      '/leads/:id/consent',
      {
        schema: {
          tags,
          summary: 'Opt the lead in again on every channel',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 409) },
        },
      },
      async (req, reply) => {
        await consent.clear(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
