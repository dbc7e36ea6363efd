import { defineSurface } from '../shared/surface.js';
import type { CrmcomDeps } from './crmcom.deps.js';
import { renderFailure } from './crmcom.errors.js';
import { CRMCOM_FIELDS } from './crmcom.fields.js';
import { crmcomRoutes } from './crmcom.routes.js';

/**
 * Seed 003 (the CRM.COM Web API's leads methods) on the compat kit, at /compat/crmcom/crmapi/rest/v2/...: a
 * token from `authentication/token` passed as `token` in the query (GET) or the body (POST), the
 * `{ status, data }` envelope, and its UDFs as owned fields (docs/compat/crmcom.md).
 */
export const crmcomSurface = defineSurface<CrmcomDeps>({
  name: 'crmcom',
  prefix: '/compat/crmcom',
  auth: {
    forms: [
      { kind: 'query-token', param: 'token' },
      { kind: 'body-token', field: 'token' },
    ],
  },
  errors: { render: (failure, req) => renderFailure(failure, req) },
  ownedFields: CRMCOM_FIELDS,
  routes: (app, kit, deps) => crmcomRoutes(app, kit, deps),
});
