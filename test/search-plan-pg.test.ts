import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type CompiledQuery, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { createLeadRepository } from '../src/leads/lead.repository.js';
import { createTestApp, onPostgres, signup, type Session, type TestApp } from './helpers.js';

/**
 * PostgreSQL estimates any prefix search (`'rara':*`) at a fixed share of the rows, so with the match as a filter
 * it walked the organization's `(org_id, created_at, id)` index newest first to fill a page a rare term never
 * fills: seconds at 300,000 leads (docs/scaling.md, "Search"). The list now reads a search's matches from the GIN
 * index first and, when there are few, fetches those by id. This replays the statements one `list` sends under
 * EXPLAIN, on enough leads that the old statement walks.
 */
describe.skipIf(!onPostgres)('the plan of a rare search (PostgreSQL)', () => {
  let t: TestApp;
  let s: Session;
  const MANY = 40_000;
  const page = { sort: 'created_at', desc: true, limit: 51, sortNumeric: false } as const;
  let rare: number[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    s = await signup(t.app);
    const k = t.db.kysely;
    const status = await k
      .selectFrom('statuses')
      .select('id')
      .where('org_id', '=', s.orgId)
      .where('key', '=', 'new')
      .executeTakeFirstOrThrow();
    // Set-based (the API would take minutes): common names, newest last; three rare leads among the oldest.
    await sql`INSERT INTO leads (org_id, first_name, last_name, status_id, custom_fields, status_changed_at,
        created_at, updated_at, version)
      SELECT ${s.orgId}, CASE WHEN i IN (7, 11, 13) THEN 'Rara' ELSE 'Comun' END, 'Popular' || (i % 50),
        ${status.id}, '{}', ts, ts, ts, 1
      FROM (SELECT i, to_char((timestamptz '2020-01-01' + i * interval '1 minute') AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts FROM generate_series(1, ${MANY}) i) g`.execute(k);
    await sql`ANALYZE leads`.execute(k);
    rare = await idsNamed('Rara');
  }, 120_000);
  afterAll(async () => t?.close());

  /** The ids of the leads with this first name, newest first (the list's order), at most `limit`. */
  async function idsNamed(firstName: string, limit = MANY): Promise<number[]> {
    const rows = await t.db.kysely
      .selectFrom('leads')
      .select('id')
      .where('org_id', '=', s.orgId)
      .where('first_name', '=', firstName)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The statements one `list` call sends, and each one's plan (EXPLAIN replayed with the same settings). */
  async function listPlans(terms: string[]) {
    const sent: Array<{ node: RootOperationNode; queryId: { queryId: string } }> = [];
    const capture: KyselyPlugin = {
      transformQuery: (a) => (sent.push({ node: a.node, queryId: a.queryId }), a.node),
      transformResult: async (a) => a.result,
    };
    const repo = createLeadRepository(t.db.kysely.withPlugin(capture), t.db.dialect);
    const rows = await repo.list(s.orgId, { terms }, page);
    const executor = t.db.kysely.getExecutor();
    const compiled: CompiledQuery[] = sent.map((x) => executor.compileQuery(x.node, x.queryId));
    const plans: string[] = [];
    await t.db.kysely.transaction().execute(async (trx) => {
      for (const q of compiled) {
        if (/^(begin|commit|rollback)/i.test(q.sql)) continue;
        if (q.sql.includes('set_config(')) {
          await trx.executeQuery(q);
          continue;
        }
        const r = await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `EXPLAIN ${q.sql}` });
        plans.push(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
      }
    });
    return { rows, plans };
  }

  it('the old statement walks the organization for a rare term (what the data is for)', async () => {
    const repo = createLeadRepository(t.db.kysely, t.db.dialect);
    const q = repo.listStatement(s.orgId, { terms: ['rara'] }, page, true);
    const r = await t.db.kysely.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `EXPLAIN ${q.sql}` });
    expect(r.rows.map((x) => x['QUERY PLAN']).join('\n')).toMatch(
      /Index Scan Backward using leads_org_created_idx/,
    );
  });

  it('a rare term reads the GIN index, then its matches by id', async () => {
    const { rows, plans } = await listPlans(['rara']);
    expect(rows.map((r) => r.id)).toEqual(rare);
    expect(plans.length).toBe(2);
    expect(plans[0]).toMatch(/Bitmap Index Scan on leads_search_idx/);
    expect(plans[1]).toMatch(/leads_pkey/);
    for (const p of plans) expect(p).not.toMatch(/leads_org_created_idx/);
  });

  it('a term with no match reads the GIN index only', async () => {
    const { rows, plans } = await listPlans(['zoe']);
    expect(rows).toEqual([]);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/Bitmap Index Scan on leads_search_idx/);
    expect(plans[0]).not.toMatch(/leads_org_created_idx|Seq Scan/);
  });

  it('a common term keeps the walk and the same first page', async () => {
    const { rows, plans } = await listPlans(['comun']);
    expect(rows.map((r) => r.id)).toEqual(await idsNamed('Comun', page.limit));
    // The GIN lookup stops at 2,001 matches; the page is then the old statement, without an id list.
    expect(plans).toHaveLength(2);
    expect(plans[1]).not.toMatch(/ANY/);
  });
});
