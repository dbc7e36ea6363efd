/**
 * Which `leads` indexes the list, search and report queries use (issue 15: trim the indexes the query plans do not
 * use). Builds the app on a SQLite file, fills one organization with N leads (default 30,000) spread over
 * statuses, sub-statuses, owners, teams, sources, companies, lead types, follow-ups, values and scores, runs
 * ANALYZE, then sends every list sort (both directions), every list filter and every report through HTTP,
 * records the SQL at the driver and asks SQLite for each statement's plan (EXPLAIN QUERY PLAN). Prints, for each
 * index of `leads`, the requests whose plan uses it.
 *
 *   npx tsx bench/micro/lead-index-usage.micro.ts [--rows 30000]
 *
 * What it does not cover: writes (foreign-key checks and the lead service's own lookups by email, phone and
 * external id), duplicate detection, imports' dedupe and PostgreSQL's planner.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { withDriver } from '../../src/db/unit-of-work.js';
import { buildApp } from '../../src/app.js';
import { SORTS } from '../../src/leads/lead.schema.js';

const rows = Number(process.argv[process.argv.indexOf('--rows') + 1] || 30000);
const file = `/tmp/leadflow-index-usage-${randomBytes(3).toString('hex')}.db`;

let current: string | null = null;
const seen: Array<{ request: string; sql: string; params: readonly unknown[] }> = [];
const patched = new WeakSet<DatabaseConnection>();
/** Records the SELECTs over leads that each request sends (the connection's executeQuery, patched in place). */
const record = (dialect: Dialect): Dialect =>
  withDriver(dialect, (driver: Driver) => {
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => {
      const c = await acquire();
      if (!patched.has(c)) {
        patched.add(c);
        const run = c.executeQuery.bind(c);
        c.executeQuery = <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
          if (current && /^\s*(with|select)\b/i.test(q.sql) && /"?leads"?\b/.test(q.sql))
            seen.push({ request: current, sql: q.sql, params: q.parameters });
          return run<R>(q);
        };
      }
      return c;
    };
    return driver;
  });

const db = openDb({ dialect: 'sqlite', sqlitePath: file, wrapDialect: record });
try {
  await migrateToLatest(db.kysely);
  const config = loadConfig({ ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'fatal' });
  const app = await buildApp({ config, db });
  const su = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: {
      email: 'idx@example.com',
      password: 'correct horse battery',
      name: 'Idx',
      organization_name: 'Idx',
    },
  });
  const { token } = su.json() as { token: string };
  const k = db.kysely;
  const user = await k
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select(['users.id as id', 'memberships.org_id as org_id'])
    .where('users.email', '=', 'idx@example.com')
    .executeTakeFirstOrThrow();
  const orgId = user.org_id;
  const statuses = await k.selectFrom('statuses').select(['id', 'key']).where('org_id', '=', orgId).execute();
  const now = new Date().toISOString();
  // Ten teams and forty sources: a filter on one of them is selective (2.5% of the leads each), as in an
  // organization with many campaigns; with a few values the planner rightly scans newest-first instead.
  const teams: number[] = [];
  for (let i = 0; i < 10; i++)
    teams.push(
      (
        await k
          .insertInto('teams')
          .values({ org_id: orgId, name: `Team ${i}`, created_at: now } as never)
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );
  const companies: number[] = [];
  for (let i = 0; i < 50; i++)
    companies.push(
      (
        await k
          .insertInto('companies')
          .values({
            org_id: orgId,
            name: `Company ${i}`,
            name_key: `company ${i}`,
            created_at: now,
            updated_at: now,
          } as never)
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );
  const LAST = ['Lovelace', 'Hopper', 'Turing', 'Müller', 'Patel', 'Dubois'];
  const SOURCES = Array.from({ length: 40 }, (_, i) => `Source ${i}`);
  const batch: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    const at = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
    batch.push({
      org_id: orgId,
      first_name: `First${i % 97}`,
      last_name: LAST[i % LAST.length],
      email: `p${i}@example.com`,
      phone: `+1415555${String(i % 10000).padStart(4, '0')}`,
      company_name: `Company ${i % 50}`,
      company_id: i % 3 === 0 ? companies[i % 50] : null,
      source: SOURCES[i % SOURCES.length],
      owner_id: i % 2 ? user.id : null,
      team_id: i % 4 === 0 ? teams[(i / 4) % 10] : null,
      status_id: statuses[i % statuses.length].id,
      value_cents: (i % 100) * 1000,
      score: i % 5 === 0 ? i % 101 : null,
      next_follow_up_at: i % 7 === 0 ? at : null,
      custom_fields: '{}',
      status_changed_at: at,
      created_at: at,
      updated_at: at,
      deleted_at: i % 50 === 1 ? at : null,
      converted_at: i % 40 === 2 ? at : null,
      version: 1,
    });
    if (batch.length === 500 || i === rows - 1)
      await k
        .insertInto('leads')
        .values(batch.splice(0) as never)
        .execute();
  }
  await k.executeQuery({ sql: 'ANALYZE', parameters: [], query: { kind: 'RawNode' } } as never);

  const auth = { authorization: `Bearer ${token}` };
  const requests: string[] = ['/leads'];
  for (const s of SORTS) requests.push(`/leads?sort=${encodeURIComponent(s)}`);
  const status = statuses[1].key;
  requests.push(
    `/leads?status=${status}`,
    `/leads?status=${status}&sort=-updated_at`,
    `/leads?source=${encodeURIComponent('Source 7')}`,
    `/leads?owner_id=${user.id}`,
    `/leads?team_id=${teams[3]}`,
    `/leads?company_id=${companies[3]}`,
    `/leads?q=lovelace`,
    `/leads?q=p12`,
    `/leads?deleted=true`,
    `/leads?include_converted=true`,
    `/leads?score_gte=50`,
    `/leads?created_after=2025-01-10T00:00:00Z`,
    `/leads?updated_after=2025-01-10T00:00:00Z`,
    `/leads?value.gte=50000`,
    `/leads?include_total=true`,
    `/leads?offset=100`,
  );
  for (const r of [
    'funnel',
    'board',
    'created',
    'conversion',
    'won-value',
    'time-in-status',
    'overdue-follow-ups',
    'activity',
  ])
    requests.push(`/reports/${r}`);
  const failed: string[] = [];
  for (const r of requests) {
    current = r;
    const res = await app.inject({ method: 'GET', url: `/api/v1${r}`, headers: auth });
    if (res.statusCode !== 200) failed.push(`${r}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
  current = null;

  const indexes = (
    await k
      .selectFrom('sqlite_master' as never)
      .select(['name' as never])
      .where('type' as never, '=', 'index' as never)
      .where('tbl_name' as never, '=', 'leads' as never)
      .execute()
  ).map((r) => (r as { name: string }).name);
  const usedBy = new Map<string, Set<string>>(indexes.map((i) => [i, new Set<string>()]));
  for (const s of seen) {
    const plan = await k.executeQuery<{ detail: string }>({
      sql: `EXPLAIN QUERY PLAN ${s.sql}`,
      parameters: s.params,
      query: { kind: 'RawNode' },
    } as never);
    for (const p of plan.rows)
      for (const i of indexes) if (new RegExp(`\\b${i}\\b`).test(p.detail)) usedBy.get(i)!.add(s.request);
  }
  console.log(`${rows} leads, ${requests.length} requests, ${seen.length} statements over leads`);
  if (failed.length) console.log('requests that failed:\n  ' + failed.join('\n  '));
  for (const [i, reqs] of usedBy)
    console.log(`${i}: ${reqs.size ? [...reqs].join(', ') : 'UNUSED by these requests'}`);
  await app.close();
} finally {
  await db.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}
