import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { ConversionService } from './conversion.service.js';
import { ConvertBody, ConvertResponse } from './conversion.schema.js';

export function conversionRoutes(conversion: ConversionService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/leads/:id/convert',
      {
        schema: {
          tags: ['leads'],
          summary: 'Convert a lead into a company, a contact and optionally an opportunity (one transaction)',
          params: IdParams,
          body: ConvertBody,
          response: { 200: ConvertResponse, ...errorResponses(400, 401, 404, 409, 422) },
        },
        // No body at all means "convert with what the lead holds", like {}.
        preValidation: async (req) => {
          if (req.body === undefined || req.body === null) (req as { body: unknown }).body = {};
        },
      },
      async (req) => conversion.convert(requireAuth(req), req.params.id, req.body),
    );
  };
}
