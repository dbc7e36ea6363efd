import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { AssignmentService, RuleInput } from './assignment.service.js';
import * as S from './assignment.schema.js';

/** `guard`: 404 unless the caller may read the lead (its assignment history). */
export function assignmentRoutes(
  svc: AssignmentService,
  guard: (auth: ReturnType<typeof requireAuth>, leadId: number) => Promise<void>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['assignment'];
    app.get(
      '/assignment-rules',
      {
        schema: {
          tags,
          summary: 'List assignment rules in evaluation order',
          response: { 200: S.RuleList, ...errorResponses(401, 403) },
        },
      },
      async (req) => ({ data: await svc.list(requireAuth(req)) }),
    );
    app.post(
      '/assignment-rules',
      {
        schema: {
          tags,
          summary: 'Add an assignment rule (evaluated after the existing ones)',
          body: S.RuleBody,
          response: { 201: S.Rule, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await svc.create(requireAuth(req), req.body as RuleInput)),
    );
    app.put(
      '/assignment-rules/order',
      {
        schema: {
          tags,
          summary: 'Set the evaluation order of the assignment rules',
          body: S.OrderBody,
          response: { 200: S.RuleList, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => ({ data: await svc.reorder(requireAuth(req), req.body.ids) }),
    );
    app.get(
      '/assignment-rules/:id',
      {
        schema: {
          tags,
          summary: 'Get an assignment rule',
          params: IdParams,
          response: { 200: S.Rule, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => svc.get(requireAuth(req), req.params.id),
    );
    app.put(
      '/assignment-rules/:id',
      {
        schema: {
          tags,
          summary: 'Replace an assignment rule',
          params: IdParams,
          body: S.RuleBody,
          response: { 200: S.Rule, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => svc.replace(requireAuth(req), req.params.id, req.body as RuleInput),
    );
    app.delete(
      '/assignment-rules/:id',
      {
        schema: {
          tags,
          summary: 'Remove an assignment rule',
          params: IdParams,
          response: { 204: { type: 'null', description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await svc.remove(requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/assignment-users',
      {
        schema: {
          tags,
          summary: 'Members with their availability, open leads and leads assigned in the last 30 days',
          response: { 200: S.Availability, ...errorResponses(401, 403) },
        },
      },
      async (req) => ({ data: await svc.availability(requireAuth(req)) }),
    );
    app.put(
      '/assignment-users/:user_id/away',
      {
        config: { allowReadOnly: true },
        schema: {
          tags,
          summary: 'Mark a member away (assignment rules skip them) or back',
          params: S.UserParams,
          body: S.AwayBody,
          response: { 200: S.AwayResult, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => svc.setAway(requireAuth(req), req.params.user_id, req.body.away),
    );
    app.get(
      '/leads/:id/assignments',
      {
        schema: {
          tags,
          summary: 'Who a lead was assigned to, by which rule or SLA reassignment',
          params: IdParams,
          response: { 200: S.AssignmentHistory, ...errorResponses(400, 401, 404) },
        },
      },
      async (req) => {
        const auth = requireAuth(req);
        await guard(auth, req.params.id);
        const rows = await svc.history(auth, req.params.id);
        return {
          data: rows.map((r) => ({
            id: r.id,
            rule_id: r.rule_id,
            user_id: r.user_id,
            team_id: r.team_id,
            previous_user_id: r.previous_user_id,
            reason: r.reason,
            sla_due_at: r.sla_due_at,
            resolved_at: r.resolved_at,
            outcome: r.outcome,
            created_at: r.created_at,
          })),
        };
      },
    );
  };
}
