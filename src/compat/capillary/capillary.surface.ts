import type { FastifyInstance } from 'fastify';
import { defineSurface } from '../shared/surface.js';
import { renderFailure } from './capillary.errors.js';
import { CAPILLARY, type CapillaryDeps } from './capillary.deps.js';
import { CAPILLARY_FIELDS } from './capillary.fields.js';
import { capillaryRoutes } from './capillary.routes.js';

/**
 * Seed 002 (the JSON v2 leads API) declared with the compat kit: mounted at /compat/capillary, Bearer or Basic
 * (token as username, or a user's email and password), the organization from `X-Organization-Id`,
 * `organization-id` or `org`, its `{ warnings, errors }` envelope, and its two owned fields.
 */
export const capillarySurface = defineSurface<CapillaryDeps>({
  name: CAPILLARY,
  prefix: '/compat/capillary',
  auth: {
    forms: [{ kind: 'bearer' }, { kind: 'basic-token' }, { kind: 'basic-password' }],
    org: { headers: ['x-organization-id', 'organization-id', 'org'] },
  },
  errors: { render: renderFailure },
  ownedFields: CAPILLARY_FIELDS,
  routes: (app: FastifyInstance, kit, deps) => capillaryRoutes(app, kit, deps),
});
