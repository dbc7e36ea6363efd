import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { runner, type TxOptions } from '../db/unit-of-work.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import type { LeadRepository, LeadRow } from './lead.repository.js';
import { toLeadResponse, type LeadDto, type LeadExtras } from './lead.schema.js';
import type { LeadPart } from './lead-parts.js';

/** Extras of no weight: the lead's own properties, to tell them from the parts' (a `fields` projection). */
const EMPTY_EXTRAS: LeadExtras = { tags: [], status: '', status_category: '', sub_status: null };
type StatusRow = Awaited<ReturnType<StatusRepository['listByOrg']>>[number];

/** What a lead response shows of its company and contacts (src/accounts' link describer). */
export type DescribeLinks = (
  orgId: number,
  rows: LeadRow[],
  trx: Kysely<Database>,
) => Promise<Map<number, NonNullable<LeadExtras['links']>>>;

/**
 * Lead rows into API responses: tags, status, sub-status, the accounts' links and every lead part's view. Built
 * from the repositories, the accounts link describer and the parts, before the services that show leads
 * (conversion, the lead service, follow-ups...), which take it as a value.
 */
export function createLeadPresenter({
  db,
  leads,
  statuses,
  describeLinks,
  parts = [],
}: {
  db: Kysely<Database>;
  leads: Pick<LeadRepository, 'tagsFor'>;
  statuses: Pick<StatusRepository, 'listByOrg' | 'subStatusesByIds'>;
  describeLinks?: DescribeLinks;
  parts?: LeadPart[];
}) {
  // The maps of one list of statuses, built once per list rather than once per lead read: the settings cache
  // answers a copy of its array but the same row objects until the statuses change (a read around the cache, or a
  // new version, gives new rows), so the maps are found by the first row and used only when every row is the same.
  const mapsOf = new WeakMap<
    object,
    { rows: StatusRow[]; byId: Map<number, StatusRow>; byKey: Map<string, StatusRow> }
  >();
  async function statusMap(orgId: number, trx: Kysely<Database> = db) {
    const rows = await statuses.listByOrg(orgId, trx);
    const known = rows.length ? mapsOf.get(rows[0]) : undefined;
    if (known && known.rows.length === rows.length && known.rows.every((r, i) => r === rows[i]))
      return { byId: known.byId, byKey: known.byKey };
    const maps = { byId: new Map(rows.map((s) => [s.id, s])), byKey: new Map(rows.map((s) => [s.key, s])) };
    if (rows.length) mapsOf.set(rows[0], { rows: [...rows], ...maps });
    return maps;
  }
  type StatusMap = Awaited<ReturnType<typeof statusMap>>;

  /** `known`: the organization's statuses when the caller has them already (one query less per list). */
  async function present(
    orgId: number,
    rows: LeadRow[],
    opts: TxOptions & { parts?: boolean; fields?: string[] } = {},
    known?: StatusMap,
  ): Promise<LeadDto[]> {
    const trx = runner(db, opts);
    // `fields` (a projection): what no asked-for property shows is not read at all.
    const { fields } = opts;
    const wants = (...names: string[]) => !fields || names.some((n) => fields.includes(n));
    const own = rows.length && fields ? Object.keys(toLeadResponse(rows[0], EMPTY_EXTRAS)) : [];
    const wantsParts = opts.parts !== false && (!fields || fields.some((f) => !own.includes(f)));
    const subIds = wants('sub_status') ? rows.flatMap((r) => (r.sub_status_id ? [r.sub_status_id] : [])) : [];
    const [tags, sm, subs, links, ...partViews] = await Promise.all([
      wants('tags')
        ? leads.tagsFor(
            orgId,
            rows.map((r) => r.id),
            trx,
          )
        : new Map<number, string[]>(),
      known ?? statusMap(orgId, trx),
      statuses.subStatusesByIds(orgId, subIds, trx),
      wants('company', 'contacts') ? describeLinks?.(orgId, rows, trx) : undefined,
      ...(wantsParts ? parts.map((p) => p.describe(orgId, rows, trx)) : []),
    ]);
    return rows.map((r) => {
      const st = sm.byId.get(r.status_id);
      const dto = toLeadResponse(r, {
        tags: tags.get(r.id) ?? [],
        status: st?.key ?? 'unknown',
        status_category: st?.category ?? 'open',
        sub_status: r.sub_status_id ? (subs.get(r.sub_status_id)?.name ?? null) : null,
        links: links?.get(r.id),
      });
      for (const view of partViews) Object.assign(dto, (view as Map<number, object>).get(r.id));
      return dto;
    });
  }

  return { statusMap, present };
}

export type LeadPresenter = ReturnType<typeof createLeadPresenter>;
