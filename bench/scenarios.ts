/**
 * What the benchmark measures. Each scenario has the HTTP requests autocannon sends, the bare loop (the same
 * SQL the endpoint needs for its response, through the same repository and lead-part reads, no HTTP, no auth,
 * no serialization) and the service call (everything but HTTP, the service the app builds) that sits between
 * the two and shows where the time goes.
 *
 * Until 2026-12-06 the bare loop of a get was the lead and its tags only (2 statements) while the response needs
 * ten (the lead parts: users, teams, contact points, items, consent, contact links, duplicate pairs...), and a
 * list's left out the same parts' reads: that old loop is still measured as `bareCore`, beside the new one.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { nowIso } from '../src/db/dialect.js';
import type { Database } from '../src/db/schema.js';
import type { AuthContext } from '../src/access/roles.js';
import { decodeCursor } from '../src/http/cursor.js';
import { searchTerms, type LeadFilter, type LeadRepository } from '../src/leads/lead.repository.js';
import type { LeadService } from '../src/leads/lead.service.js';
import type { LeadRow } from '../src/leads/lead.repository.js';
import type { Db } from '../src/db/database.js';
import type { Config } from '../src/config.js';
import { buildCore } from '../src/wiring/core.js';
import { createLeadRepository } from '../src/leads/lead.repository.js';
import { createStatusRepository } from '../src/pipeline/status.repository.js';
import { normalizeTags } from '../src/leads/lead.service.js';
import type { HttpRequestSpec } from './load.js';
import { rng } from './data.js';

export interface Scenario {
  name: string;
  label: string;
  requests: HttpRequestSpec[];
  /** The SQL the response needs: the lead rows, their tags, sub-statuses, links and every lead part's read. */
  bare: (i: number) => Promise<unknown>;
  /** The bare loop before 2026-12-06: the lead rows and their tags only (kept to compare). */
  bareCore?: (i: number) => Promise<unknown>;
  service: (i: number) => Promise<unknown>;
  /** Who sends the HTTP requests, when not the organization's owner (the agent's reports). */
  headers?: Record<string, string>;
  /** Targets of issue 2 for this scenario (checked on the 1M-lead run). */
  target?: { p99Ms: number; minRatio?: number };
}

export interface ScenarioContext {
  app: FastifyInstance;
  db: Kysely<Database>;
  leads: LeadRepository;
  /** The lead service as the app builds it (buildCore): parts, links, presenter and all. */
  service: LeadService;
  /**
   * What the presenter reads for a page of lead rows, as the app does it (src/leads/lead-presenter.ts): tags,
   * sub-statuses, the accounts' links and each lead part's `describe`, in parallel. The statuses come from the
   * per-organization cache in the app, so they are no query there either.
   */
  readLeadData: (orgId: number, rows: LeadRow[]) => Promise<unknown>;
  auth: AuthContext;
  headers: Record<string, string>;
}

/** Status filters the list scenarios rotate through: a common, a mid and a rare status. */
const LIST_STATUSES = ['new', 'qualified', 'won', 'negotiation'];
/** Search strings: whole names, a company word, a prefix, two terms. No accents: PostgreSQL's 'simple' config keeps them. */
const QUERIES = ['martin', 'lovelace', 'acme', 'hopp', 'ada turing', 'schmidt globex', 'kowalski', 'zenith'];

export const CREATE_BODIES = [
  {
    first_name: 'Bench',
    last_name: 'Create',
    email: 'bench.create@example.com',
    company_name: 'Bench Labs',
    source: 'web',
    tags: ['bench', 'hot'],
  },
  {
    first_name: 'Zoé',
    last_name: "O'Neil",
    phone: '+33 6 12 34 56 78',
    value: '1500.00',
    currency: 'EUR',
    status: 'qualified',
  },
  {
    company_name: 'Ünïcode GmbH',
    title: 'Fleet leasing',
    address: { city: 'Berlin', country: 'DE' },
    tags: ['b2b'],
  },
];

/**
 * The lead service and the lead data reads as the app wires them: a second core (`buildCore`, as `buildApp`
 * makes it) over the same database, with its own caches; its background work is never started.
 */
export function appLeadPieces(config: Config, db: Db, log: FastifyInstance['log']) {
  const kysely = db.kysely;
  const leads = createLeadRepository(kysely, db.dialect);
  const core = buildCore({ config, db, log });
  const parts = [...core.leadParts.parts, core.scoring.part, core.dedupe.detection.part];
  const statuses = createStatusRepository(kysely);
  // What src/leads/lead-presenter.ts reads for a page of rows (its status map comes from a per-organization cache).
  const readLeadData = (orgId: number, rows: LeadRow[]) =>
    Promise.all([
      leads.tagsFor(
        orgId,
        rows.map((r) => r.id),
        kysely,
      ),
      statuses.subStatusesByIds(
        orgId,
        rows.flatMap((r) => (r.sub_status_id ? [r.sub_status_id] : [])),
        kysely,
      ),
      core.accounts.describeLinks(orgId, rows, kysely),
      ...parts.map((p) => p.describe(orgId, rows, kysely)),
    ]);
  return { leads, service: core.leads, readLeadData, scoring: core.scoring };
}

const pageOf = (p: URLSearchParams) => `/api/v1/leads?${p.toString()}`;

export async function buildScenarios(ctx: ScenarioContext): Promise<Scenario[]> {
  const { app, db, leads, service, auth, headers, readLeadData } = ctx;
  const orgId = auth.orgId;
  const r = rng(7);

  // Ids to fetch: a random sample of the large organization's live leads.
  const ids = (
    await db
      .selectFrom('leads')
      .select('id')
      .where('org_id', '=', orgId)
      .where('deleted_at', 'is', null)
      .execute()
  ).map((x) => x.id);
  const sample = Array.from({ length: Math.min(500, ids.length) }, () => ids[r.int(ids.length)]);

  const statusRows = await db
    .selectFrom('statuses')
    .select(['id', 'key'])
    .where('org_id', '=', orgId)
    .execute();
  const statusId = (k: string) => statusRows.find((s) => s.key === k)!.id;

  // Page 2 of each status list: follow next_cursor of page 1 as a client would.
  const page2: Array<{ status: string; cursor: string }> = [];
  for (const status of LIST_STATUSES) {
    const res = await app.inject({
      method: 'GET',
      url: pageOf(new URLSearchParams({ status, limit: '50' })),
      headers,
    });
    if (res.statusCode !== 200) throw new Error(`page 1 of status=${status}: ${res.statusCode} ${res.body}`);
    const cursor = res.json().next_cursor as string | null;
    if (cursor) page2.push({ status, cursor });
  }
  if (page2.length === 0) throw new Error('no status list has a second page: seed more leads');

  const listRows = (f: LeadFilter, after?: { v: string | number | null; id: number }) =>
    leads.list(orgId, f, { sort: 'created_at', desc: true, limit: 51, after });
  const listBare = async (f: LeadFilter, after?: { v: string | number | null; id: number }) =>
    readLeadData(orgId, (await listRows(f, after)).slice(0, 50));
  const listBareCore = async (f: LeadFilter, after?: { v: string | number | null; id: number }) => {
    const rows = await listRows(f, after);
    return leads.tagsFor(
      orgId,
      rows.slice(0, 50).map((x) => x.id),
    );
  };

  return [
    {
      name: 'create',
      label: 'create (POST /leads)',
      requests: CREATE_BODIES.map((b) => ({
        method: 'POST',
        path: '/api/v1/leads',
        body: JSON.stringify(b),
      })),
      bare: (i) => {
        const b = CREATE_BODIES[0];
        const now = nowIso();
        const tags = normalizeTags(b.tags ?? []);
        return db.transaction().execute(async (trx) => {
          const row = await leads.insert(trx, {
            org_id: orgId,
            first_name: b.first_name,
            last_name: b.last_name,
            email: b.email,
            company_name: b.company_name,
            source: b.source,
            status_id: statusId('new'),
            custom_fields: '{}',
            status_changed_at: now,
            created_at: now,
            updated_at: now,
            created_by: auth.userId,
            updated_by: auth.userId,
            version: 1,
            external_id: `bare-${i}`,
          });
          await leads.replaceTags(trx, orgId, row.id, tags);
          await leads.insertStatusHistory(trx, {
            org_id: orgId,
            lead_id: row.id,
            from_status_id: null,
            to_status_id: row.status_id,
            sub_status_id: null,
            reason_id: null,
            note: null,
            created_by: auth.userId,
            created_at: now,
          });
          return row;
        });
      },
      service: (i) => service.create(auth, CREATE_BODIES[i % CREATE_BODIES.length] as never),
      target: { p99Ms: 10 },
    },
    {
      name: 'get',
      label: 'get (GET /leads/:id)',
      requests: sample.map((id) => ({ method: 'GET', path: `/api/v1/leads/${id}` })),
      bare: async (i) => {
        const row = await leads.findById(orgId, sample[i % sample.length]);
        return readLeadData(orgId, [row!]);
      },
      bareCore: async (i) => {
        const id = sample[i % sample.length];
        await leads.findById(orgId, id);
        return leads.tagsFor(orgId, [id]);
      },
      service: (i) => service.get(auth, sample[i % sample.length]),
    },
    {
      name: 'list_status',
      label: 'list by status, 50 rows',
      requests: LIST_STATUSES.map((status) => ({
        method: 'GET',
        path: pageOf(new URLSearchParams({ status, limit: '50' })),
      })),
      bare: (i) => listBare({ statusIds: [statusId(LIST_STATUSES[i % LIST_STATUSES.length])] }),
      bareCore: (i) => listBareCore({ statusIds: [statusId(LIST_STATUSES[i % LIST_STATUSES.length])] }),
      service: (i) => service.list(auth, { status: LIST_STATUSES[i % LIST_STATUSES.length], limit: 50 }),
      target: { p99Ms: 20, minRatio: 0.6 },
    },
    {
      name: 'list_page2',
      label: 'list page 2 (cursor)',
      requests: page2.map((p) => ({
        method: 'GET',
        path: pageOf(new URLSearchParams({ status: p.status, limit: '50', cursor: p.cursor })),
      })),
      bare: (i) => {
        const p = page2[i % page2.length];
        const c = decodeCursor(p.cursor, '-created_at');
        return listBare({ statusIds: [statusId(p.status)] }, { v: c.v, id: c.id });
      },
      bareCore: (i) => {
        const p = page2[i % page2.length];
        const c = decodeCursor(p.cursor, '-created_at');
        return listBareCore({ statusIds: [statusId(p.status)] }, { v: c.v, id: c.id });
      },
      service: (i) => {
        const p = page2[i % page2.length];
        return service.list(auth, { status: p.status, limit: 50, cursor: p.cursor });
      },
      target: { p99Ms: 20, minRatio: 0.6 },
    },
    {
      name: 'search',
      label: 'search `q`',
      requests: QUERIES.map((q) => ({
        method: 'GET',
        path: pageOf(new URLSearchParams({ q, limit: '50' })),
      })),
      // Without a status filter the service hides converted leads: the bare loop asks for the same.
      bare: (i) => listBare({ terms: searchTerms(QUERIES[i % QUERIES.length]), excludeConverted: true }),
      bareCore: (i) =>
        listBareCore({ terms: searchTerms(QUERIES[i % QUERIES.length]), excludeConverted: true }),
      service: (i) => service.list(auth, { q: QUERIES[i % QUERIES.length], limit: 50 }),
      target: { p99Ms: 50 },
    },
  ];
}
