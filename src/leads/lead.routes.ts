import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import type { LeadService } from './lead.service.js';
import type { DoneFuncWithErrOrRes, FastifyReply, FastifyRequest } from 'fastify';
import {
  LeadCreateBody,
  LeadFieldsQuery,
  parseLeadFields,
  projectLead,
  LeadListQuery,
  LeadListResponse,
  LeadPatchBody,
  type LeadDto,
} from './lead.schema.js';

const etag = (l: LeadDto) => `"${l.id}-${l.version}"`;
const projections = new WeakMap<FastifyReply, { fields: string[]; shape: 'list' | 'one' }>();

/**
 * `fields=`: the answer is serialized whole against its schema first, then cut down to the named properties, so
 * the documented schema and the serializer stay those of the full lead (src/leads/lead.schema.ts).
 */
function limitFields(reply: FastifyReply, fields: string[] | undefined, shape: 'list' | 'one') {
  if (fields) projections.set(reply, { fields, shape });
}
/** Synchronous (no promise per request): most requests name no `fields`. */
function projectPayload(
  _req: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: DoneFuncWithErrOrRes,
) {
  const p = projections.get(reply);
  if (!p || reply.statusCode !== 200 || typeof payload !== 'string') return done(null, payload);
  const body = JSON.parse(payload) as Record<string, unknown>;
  if (p.shape === 'one') return done(null, JSON.stringify(projectLead(body, p.fields)));
  const data = (body.data as Array<Record<string, unknown>>).map((l) => projectLead(l, p.fields));
  done(null, JSON.stringify({ ...body, data }));
}
const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String()) });

export function leadRoutes(leads: LeadService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onSend', projectPayload);
    app.post(
      '/leads',
      {
        schema: {
          tags: ['leads'],
          summary: 'Create a lead',
          body: LeadCreateBody,
          response: { 201: Type.Ref('Lead'), ...errorResponses(400, 401, 409, 413, 422) },
        },
      },
      async (req, reply) => {
        const lead = await leads.create(requireAuth(req), req.body);
        return reply
          .code(201)
          .header('etag', etag(lead))
          .header('location', `/api/v1/leads/${lead.id}`)
          .send(lead);
      },
    );
    app.get(
      '/leads',
      {
        schema: {
          tags: ['leads'],
          summary: 'List and search leads (keyset pagination)',
          querystring: LeadListQuery,
          response: { 200: LeadListResponse, ...errorResponses(400, 401, 422) },
        },
      },
      async (req, reply) => {
        const { fields, ...query } = req.query as typeof req.query & Record<string, unknown>;
        limitFields(reply, parseLeadFields(fields as string | undefined), 'list');
        return leads.list(requireAuth(req), query);
      },
    );
    app.get(
      '/leads/:id',
      {
        schema: {
          tags: ['leads'],
          summary: 'Get a lead',
          params: IdParams,
          querystring: LeadFieldsQuery,
          response: { 200: Type.Ref('Lead'), ...errorResponses(400, 401, 404) },
        },
      },
      async (req, reply) => {
        limitFields(reply, parseLeadFields(req.query.fields), 'one');
        const lead = await leads.get(requireAuth(req), req.params.id);
        return reply.header('etag', etag(lead)).send(lead);
      },
    );
    app.patch(
      '/leads/:id',
      {
        schema: {
          tags: ['leads'],
          summary: 'Update some fields of a lead (If-Match: the ETag for optimistic concurrency)',
          params: IdParams,
          headers: IfMatchHeaders,
          body: LeadPatchBody,
          response: { 200: Type.Ref('Lead'), ...errorResponses(400, 401, 404, 409, 412, 422) },
        },
      },
      async (req, reply) => {
        const lead = await leads.update(requireAuth(req), req.params.id, req.body, req.headers['if-match']);
        return reply.header('etag', etag(lead)).send(lead);
      },
    );
    app.delete(
      '/leads/:id',
      {
        schema: {
          tags: ['leads'],
          summary: 'Delete a lead (soft delete; restore brings it back)',
          params: IdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 412) },
        },
      },
      async (req, reply) => {
        await leads.remove(requireAuth(req), req.params.id, req.headers['if-match']);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/leads/:id/restore',
      {
        schema: {
          tags: ['leads'],
          summary: 'Restore a soft-deleted lead',
          params: IdParams,
          response: { 200: Type.Ref('Lead'), ...errorResponses(401, 404, 409) },
        },
      },
      async (req, reply) => {
        const lead = await leads.restore(requireAuth(req), req.params.id);
        return reply.header('etag', etag(lead)).send(lead);
      },
    );
  };
}
