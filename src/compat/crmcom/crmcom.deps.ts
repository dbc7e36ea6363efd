import type { Core } from '../../wiring/core.js';

/**
 * The core services seed 003 translates onto (a subset of the Core object, wired in src/wiring/surfaces.ts).
 * The surface holds no SQL and no rules of its own beyond naming: every write goes through these.
 */
export interface CrmcomDeps {
  tokens: Pick<Core['auth'], 'issueToken' | 'exchangeApiKey' | 'releaseToken'>;
  catalogs: Pick<Core['catalogs'], 'listEntries' | 'listLeadTypes'>;
  statuses: Pick<Core['pipeline']['statuses'], 'listStatuses'>;
  reasons: Pick<Core['pipeline']['reasons'], 'listReasons'>;
  teams: Pick<Core['access']['teams'], 'list'>;
  users: Pick<Core['access']['users'], 'list'>;
  leads: Pick<Core['leads'], 'create' | 'get' | 'update' | 'list'>;
  contacts: Pick<Core['accounts']['contactService'], 'get' | 'list'>;
  companies: Pick<Core['accounts']['companyService'], 'get' | 'list'>;
  view: Core['leadViews']['view'];
  transaction: Core['unitOfWork'];
}
