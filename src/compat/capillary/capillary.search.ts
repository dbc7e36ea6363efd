import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { CapillaryDeps } from './capillary.deps.js';
import { ORG_SOURCE_FIELD, TYPE_FIELD, coreKeysReadingAs } from './capillary.mapping.js';
import type { SearchInput } from './capillary.schema.js';
import { viewLeads } from './capillary.view.js';

const PAGE = 200;

/**
 * GET /v2/leads. Filters the core list can apply go to it (status keys, sub-status, contact, custom field
 * values); the rest are this API's defaults ("no type" reads as SKU, "no orgSourceId" as -1), matched on each
 * listed lead so the search finds exactly what the surface shows. `offset` skips that many matches of the sorted result: the core
 * pages by keyset, so this walks pages (an offset costs what reading that many leads costs).
 */
export async function searchLeads(deps: CapillaryDeps, auth: AuthContext, q: SearchInput) {
  const limit = q.limit ?? 10;
  const offset = q.offset ?? 0;
  const desc = (q.sortOrder ?? 'ASC').toUpperCase() === 'DESC';
  const column = q.sortBy && q.sortBy.toLowerCase() === 'lastupdatedon' ? 'updated_at' : 'created_at';
  // Converted leads are leads that were won: this API lists them like any other.
  const core: Record<string, unknown> = {
    sort: `${desc ? '-' : ''}${column}`,
    limit: PAGE,
    include_converted: true,
  };
  const checks: Array<(l: LeadDto) => boolean> = [];

  if (q.status !== undefined) {
    const keys = coreKeysReadingAs(q.status, await deps.statuses.listStatusWords(auth));
    if (keys.length === 0) return { data: [], warnings: [], errors: [] };
    core.status = keys.join(',');
  }
  if (q.type !== undefined && q.type !== 'ALL') {
    if (q.type === 'SKU') checks.push((l) => (l.custom_fields[TYPE_FIELD] ?? 'SKU') === 'SKU');
    else core[`cf.${TYPE_FIELD}`] = q.type;
  }
  if (q.orgSourceId !== undefined) {
    if (q.orgSourceId === -1) checks.push((l) => (l.custom_fields[ORG_SOURCE_FIELD] ?? -1) === -1);
    else core[`cf.${ORG_SOURCE_FIELD}`] = String(q.orgSourceId);
  }
  if (q.substatus !== undefined) core.sub_status = q.substatus;
  if (q.userId !== undefined) core.contact_id = q.userId;

  // Without checks every listed lead counts, so a page of offset + limit is all it takes; with checks, read wide.
  core.limit = checks.length ? PAGE : Math.min(PAGE, offset + limit);
  const found: LeadDto[] = [];
  let skipped = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.leads.list(auth, { ...core, ...(cursor ? { cursor } : {}) });
    for (const lead of page.data) {
      if (!checks.every((c) => c(lead))) continue;
      if (skipped < offset) skipped++;
      else found.push(lead);
      if (found.length === limit) break;
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor && found.length < limit);

  return { data: await viewLeads(deps, auth, found), warnings: [], errors: [] };
}
