import { defineSurface } from '../shared/surface.js';
import type { ActivixDeps } from './activix.deps.js';
import { renderFailure } from './activix.errors.js';
import { ACTIVIX_FIELDS } from './activix.fields.js';
import { activixRoutes } from './activix.routes.js';

/**
 * Seed 000 (the automotive Lead API, REST v2) declared with the compat kit: mounted at /compat/activix, Bearer
 * (a Leadflow session token or API key), the organization from `X-Organization-Id` for a user in several,
 * Laravel's `{ message }` / 422 `{ message, errors }` envelope, and the Lead object's attributes that have no
 * core column as owned fields (`activix__<key>`). docs/compat/activix.md.
 */
export const activixSurface = defineSurface<ActivixDeps>({
  name: 'activix',
  prefix: '/compat/activix',
  auth: { forms: [{ kind: 'bearer' }], org: { headers: ['x-organization-id', 'organization-id'] } },
  errors: { render: renderFailure },
  ownedFields: ACTIVIX_FIELDS,
  routes: (app, kit, deps) => activixRoutes(app, kit, deps),
});
