import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SurfaceKit } from '../shared/surface.js';
import type { CapillaryDeps } from './capillary.deps.js';
import {
  AddLeadBody,
  FollowUpBody,
  LeadIdParams,
  ReasonsBody,
  SearchQuery,
  SubStatusBody,
  UpdateLeadBody,
  UpdateStatusBody,
} from './capillary.schema.js';
import { addReasons, addSubStatus, getReasons, getSubStatuses } from './capillary.catalog.js';
import { addFollowUp, addLead, updateLead, updateStatus } from './capillary.write.js';
import { searchLeads } from './capillary.search.js';
import { viewLead } from './capillary.view.js';

const tags = ['compat: capillary (seed 002)'];

/**
 * The handlers of seed 002 (declared in capillary.surface.ts): thin translations onto the core (see
 * docs/compat.md for the mapping).
 */
export function capillaryRoutes(parent: FastifyInstance, kit: SurfaceKit, deps: CapillaryDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const compatAuth = kit.auth;
  {
    app.get('/v2/leads/reasons', { schema: { tags, summary: 'Reasons of the organization' } }, async (req) =>
      getReasons(deps, compatAuth(req)),
    );
    app.post(
      '/v2/leads/reasons',
      { schema: { tags, summary: 'Add reasons', body: ReasonsBody } },
      async (req) => addReasons(deps, compatAuth(req), req.body),
    );
    app.get(
      '/v2/leads/substatuses',
      { schema: { tags, summary: 'Sub-statuses of every status' } },
      async (req) => getSubStatuses(deps, compatAuth(req)),
    );
    app.post(
      '/v2/leads/substatus',
      { schema: { tags, summary: 'Add a sub-status to a status', body: SubStatusBody } },
      async (req) => addSubStatus(deps, compatAuth(req), req.body),
    );
    app.post('/v2/leads', { schema: { tags, summary: 'Add a lead', body: AddLeadBody } }, async (req) =>
      addLead(deps, kit, compatAuth(req), req.body),
    );
    app.get(
      '/v2/leads',
      { schema: { tags, summary: 'Search leads', querystring: SearchQuery } },
      async (req) => searchLeads(deps, kit, compatAuth(req), req.query),
    );
    app.get(
      '/v2/leads/:leadId',
      { schema: { tags, summary: 'Get a lead', params: LeadIdParams } },
      async (req) => viewLead(deps, compatAuth(req), req.params.leadId),
    );
    app.put(
      '/v2/leads/:leadId',
      {
        schema: {
          tags,
          summary: 'Update extended fields and owner',
          params: LeadIdParams,
          body: UpdateLeadBody,
        },
      },
      async (req) => updateLead(deps, kit, compatAuth(req), req.params.leadId, req.body),
    );
    app.put(
      '/v2/leads/:leadId/status',
      { schema: { tags, summary: 'Change the status', params: LeadIdParams, body: UpdateStatusBody } },
      async (req) => updateStatus(deps, kit, compatAuth(req), req.params.leadId, req.body),
    );
    app.post(
      '/v2/leads/:leadId/followup',
      { schema: { tags, summary: 'Record a follow-up', params: LeadIdParams, body: FollowUpBody } },
      async (req) => addFollowUp(deps, kit, compatAuth(req), req.params.leadId, req.body),
    );
  }
}
