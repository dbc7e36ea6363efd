import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CustomFieldDefRow, ReasonRepository, ReasonRow } from './reason.repository.js';
import type { StatusRepository, StatusRow, SubStatusRow } from './status.repository.js';

/**
 * The organization's small catalogs (live statuses, sub-statuses, reasons, custom field definitions), read once
 * for a request that checks and writes many entries: the composite lead create checks its whole status log and
 * every custom value against one snapshot instead of reading a catalog per entry (docs/decisions.md, "Unit of
 * work"). The status rules and the custom field checks take it as `known`; without it they read as before.
 */
export interface CatalogSnapshot {
  statuses: StatusRow[];
  subStatuses: SubStatusRow[];
  reasons: ReasonRow[];
  fields: CustomFieldDefRow[];
}

/** Four reads, side by side, in the caller's transaction when it has one. */
export async function readCatalogSnapshot(
  repos: { statuses: StatusRepository; reasons: ReasonRepository },
  orgId: number,
  trx: Kysely<Database>,
): Promise<CatalogSnapshot> {
  const [statuses, subStatuses, reasons, fields] = await Promise.all([
    repos.statuses.listByOrg(orgId, trx),
    repos.statuses.listSubStatuses(orgId, undefined, trx),
    repos.reasons.list(orgId, trx),
    repos.reasons.listFields(orgId, trx),
  ]);
  return { statuses, subStatuses, reasons, fields };
}
