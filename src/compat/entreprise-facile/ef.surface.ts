import type { FastifyInstance } from 'fastify';
import { defineSurface } from '../shared/surface.js';
import type { EfDeps } from './ef.deps.js';
import { renderFailure } from './ef.errors.js';
import { EF_FIELDS } from './ef.fields.js';
import { efRoutes } from './ef.routes.js';

/**
 * Seed 001 (the XML leads API of the incwo family) declared with the compat kit: mounted at
 * /compat/entreprise-facile, HTTP Basic with a user's email and password (or an API key as the username), the
 * organization from the per-account path `/{account}/leads.xml` or `X-Organization-Id`, an XML error body, and
 * its owned fields (the three learnings, and is_engaged of a lead with no contact or firm).
 */
export const entrepriseFacileSurface = defineSurface<EfDeps>({
  name: 'entreprisefacile',
  prefix: '/compat/entreprise-facile',
  auth: {
    forms: [{ kind: 'basic-password' }, { kind: 'basic-token' }, { kind: 'bearer' }],
    org: { pathParam: 'account', headers: ['x-organization-id'] },
  },
  errors: { render: renderFailure, contentType: 'application/xml; charset=utf-8' },
  ownedFields: EF_FIELDS,
  routes: (app: FastifyInstance, kit, deps) => efRoutes(app, kit, deps),
});
