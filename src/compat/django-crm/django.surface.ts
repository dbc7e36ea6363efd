import { defineSurface } from '../shared/surface.js';
import type { DjangoDeps } from './django.deps.js';
import { renderFailure } from './django.errors.js';
import { DJANGO_FIELDS } from './django.fields.js';
import { idOf } from './django.ids.js';
import { djangoRoutes } from './django.routes.js';

/**
 * Seed 004 (the leads API of MicroPyramid's Django-CRM) at /compat/django-crm: Bearer token (a Leadflow
 * session token or API key), the organization in `organization-id` (or `org`) as a UUID or an integer, DRF's
 * error shapes. docs/compat/django-crm.md maps every field.
 */
export const djangoCrmSurface = defineSurface<DjangoDeps>({
  name: 'djangocrm',
  prefix: '/compat/django-crm',
  auth: {
    forms: [{ kind: 'bearer' }],
    org: {
      headers: ['organization-id', 'org', 'x-organization-id'],
      // An organization UUID of this API, or Leadflow's integer; anything else is refused as it is.
      parse: (v) => String(idOf('org', v) ?? v),
    },
  },
  errors: { render: renderFailure },
  ownedFields: DJANGO_FIELDS,
  routes: (app, kit, deps) => djangoRoutes(app, kit, deps),
});
