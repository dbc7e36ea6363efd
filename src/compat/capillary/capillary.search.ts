import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import { readOffset } from '../shared/paging.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { CapillaryDeps } from './capillary.deps.js';
import { ORG_SOURCE_FIELD, TYPE_FIELD, fields } from './capillary.fields.js';
import { coreKeysReadingAs } from './capillary.mapping.js';
import type { SearchInput } from './capillary.schema.js';
import { viewLeads } from './capillary.view.js';
import { ownerOf } from './capillary.checks.js';

const empty = { data: [], warnings: [], errors: [] };

/** What this API shows of a lead (capillary.view.ts): the core reads nothing else (no tags, parts, names). */
const SHOWN = [
  'title',
  'status',
  'status_category',
  'sub_status',
  'owner_id',
  'custom_fields',
  'created_at',
  'updated_at',
  'next_follow_up_at',
  'last_follow_up_at',
  'contacts',
].join(',');

/**
 * GET /v2/leads. Filters the core list can apply go to it (status keys, sub-status, contact, owner, custom
 * field values); the rest are this API's defaults ("no type" reads as SKU, "no orgSourceId" as -1) and a
 * client's owner username (kept in refs), matched on each listed lead so the search finds exactly what the
 * surface shows. `offset` goes through the kit's adapter over the core's keyset pages.
 */
export async function searchLeads(deps: CapillaryDeps, _kit: SurfaceKit, auth: AuthContext, q: SearchInput) {
  const limit = q.limit ?? 10;
  const offset = q.offset ?? 0;
  const desc = (q.sortOrder ?? 'ASC').toUpperCase() === 'DESC';
  const column = q.sortBy && q.sortBy.toLowerCase() === 'lastupdatedon' ? 'updated_at' : 'created_at';
  // Converted leads are leads that were won: this API lists them like any other.
  const core: Record<string, unknown> = {
    sort: `${desc ? '-' : ''}${column}`,
    include_converted: true,
    fields: SHOWN,
  };
  const checks: Array<(l: LeadDto) => boolean> = [];

  if (q.status !== undefined) {
    const keys = coreKeysReadingAs(q.status, await deps.statuses.listStatusWords(auth));
    if (keys.length === 0) return empty;
    core.status = keys.join(',');
  }
  if (q.type !== undefined && q.type !== 'ALL') {
    if (q.type === 'SKU') checks.push((l) => (fields.read(l.custom_fields, 'lead_type') ?? 'SKU') === 'SKU');
    else core[`cf.${TYPE_FIELD}`] = q.type;
  }
  if (q.orgSourceId !== undefined) {
    if (q.orgSourceId === -1)
      checks.push((l) => (fields.read(l.custom_fields, 'org_source_id') ?? -1) === -1);
    else core[`cf.${ORG_SOURCE_FIELD}`] = String(q.orgSourceId);
  }
  if (q.substatus !== undefined) core.sub_status = q.substatus;
  if (q.userId !== undefined) core.contact_id = q.userId;
  if (q.owner !== undefined) {
    const owner = await ownerOf(deps, auth, q.owner);
    if (owner.userId !== undefined) core.owner_id = owner.userId;
    else {
      const ids = new Set(await deps.refs.findIds(auth, 'lead', 'owner', owner.username!));
      if (ids.size === 0) return empty;
      checks.push((l) => ids.has(l.id));
    }
  }

  const { items } = await readOffset(
    (cursor, pageSize) =>
      deps.leads.list(
        auth,
        { ...core, limit: pageSize, ...(cursor ? { cursor } : {}) },
        // This API shows none of the lead parts (users, contact points, items): they are not read.
        { parts: false },
      ),
    { offset, limit, keep: checks.length ? (l) => checks.every((c) => c(l)) : undefined },
  );
  return { data: await viewLeads(deps, auth, items), warnings: [], errors: [] };
}
