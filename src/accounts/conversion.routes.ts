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
      },
      async (req) => conversion.convert(requireAuth(req), req.params.id, req.body ?? {}),
    );
  };
}
