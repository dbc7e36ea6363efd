import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import { errorResponses } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { ReportService } from './report.service.js';
import {
  ActivityResponse,
  BoardResponse,
  ConversionQuery,
  ConversionResponse,
  CreatedQuery,
  CreatedResponse,
  FunnelResponse,
  OverdueResponse,
  ReportQuery,
  TimeInStatusResponse,
  toCsv,
  WonResponse,
  type ReportQueryInput,
} from './report.schema.js';

type Run = (
  s: ReportService,
) => (auth: ReturnType<typeof requireAuth>, q: ReportQueryInput) => Promise<{ data: object[] }>;

const REPORTS: Array<{ path: string; summary: string; query: TSchema; response: TSchema; run: Run }> = [
  {
    path: 'funnel',
    summary: 'Leads per status',
    query: ReportQuery,
    response: FunnelResponse,
    run: (s) => s.funnel,
  },
  {
    path: 'board',
    summary: 'Board columns: count, value and weighted value (value x probability) per status',
    query: ReportQuery,
    response: BoardResponse,
    run: (s) => s.board,
  },
  {
    path: 'created',
    summary: 'Leads created per day, week or month, by source',
    query: CreatedQuery,
    response: CreatedResponse,
    run: (s) => s.created,
  },
  {
    path: 'conversion',
    summary: 'Conversion rate by source or owner (leads that reached a won or converted status)',
    query: ConversionQuery,
    response: ConversionResponse,
    run: (s) => s.conversion,
  },
  {
    path: 'won-value',
    summary: 'Won leads and their value per month they were won',
    query: ReportQuery,
    response: WonResponse,
    run: (s) => s.wonValue,
  },
  {
    path: 'time-in-status',
    summary: 'Median and mean days spent in each status (completed stays, from the status history)',
    query: ReportQuery,
    response: TimeInStatusResponse,
    run: (s) => s.timeInStatus,
  },
  {
    path: 'overdue-follow-ups',
    summary: 'Planned follow-ups past their time and not done, per lead owner',
    query: ReportQuery,
    response: OverdueResponse,
    run: (s) => s.overdue,
  },
  {
    path: 'activity',
    summary: "Follow-ups, tasks and status changes recorded on each owner's leads",
    query: ReportQuery,
    response: ActivityResponse,
    run: (s) => s.activity,
  },
];

export function reportRoutes(reports: ReportService): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const r of REPORTS) {
      const run = r.run(reports);
      app.get(
        `/reports/${r.path}`,
        {
          schema: {
            tags: ['reports'],
            summary: r.summary,
            querystring: r.query,
            produces: ['application/json', 'text/csv'],
            response: { 200: r.response, ...errorResponses(400, 401, 403, 422) },
          },
        },
        async (req, reply) => {
          const q = req.query as ReportQueryInput;
          const result = await run(requireAuth(req), q);
          if (q.format !== 'csv') return result;
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="report-${r.path}.csv"`)
            .send(toCsv(result.data as Array<Record<string, unknown>>));
        },
      );
    }
  };
}
