import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { LeadListQuery } from '../leads/lead.schema.js';
import type { ExportService } from './export.service.js';

const {
  limit: _limit,
  cursor: _cursor,
  include_total: _total,
  sort: _sort,
  ...filters
} = LeadListQuery.properties;

/** The lead list filters (status, source, owner_id, tag, dates, q, cf.<key>...) plus the file format. */
export const ExportQuery = Type.Object(
  {
    ...filters,
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' })),
  },
  { additionalProperties: false, patternProperties: { '^cf\\.[A-Za-z0-9_.-]{1,64}$': { type: 'string' } } },
);

export function exportRoutes(exporter: ExportService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/leads/export',
      {
        schema: {
          tags: ['leads'],
          summary:
            'Download every lead matching the list filters as CSV or XLSX (streamed; the file imports back unchanged)',
          querystring: ExportQuery,
          produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
          response: { ...errorResponses(400, 401, 422) },
        },
      },
      async (req, reply) => {
        const format = req.query.format ?? 'csv';
        const stream = await exporter.export(requireAuth(req), req.query as never, format);
        const stamp = new Date().toISOString().slice(0, 10);
        return reply
          .type(
            format === 'csv'
              ? 'text/csv; charset=utf-8'
              : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          )
          .header('content-disposition', `attachment; filename="leads-${stamp}.${format}"`)
          .send(stream);
      },
    );
  };
}
