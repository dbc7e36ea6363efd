/**
 * Which `leads` indexes the list, search and report queries use (issue 15: trim the indexes the query plans do not
 * use). Builds the app on a SQLite file, fills one organization with N leads (default 30,000) spread over
 * statuses, sub-statuses, owners, teams, sources, companies, lead types, follow-ups, values and scores, runs
 * ANALYZE, then sends every list sort (both directions), every list filter and every report through HTTP,
 * records the SQL at the driver and asks SQLite for each statement's plan (EXPLAIN QUERY PLAN). Prints, for each
 * index of `leads`, the requests whose plan uses it.
 *
 *   npx tsx bench/micro/lead-index-usage.micro.ts [--rows 30000] [--db sqlite|postgres] [--drop a,b] [--repeat 5]
 *
 * `--db postgres` runs the same on PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test,
 * in a schema of its own, dropped at the end) and reads its plans with EXPLAIN. Every request is also timed (median
 * of `--repeat` runs after one warm-up). `--drop a,b`: after that first pass, drops the named indexes, analyzes
 * again and repeats the pass, then prints each request whose plan or median changed (the A/B of an index drop on
 * the same data, back to back).
 *
 * What it does not cover: writes (foreign-key checks and the lead service's own lookups by email, phone and
 * external id), duplicate detection and imports' dedupe.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { withDriver } from '../../src/db/unit-of-work.js';
import { buildApp } from '../../src/app.js';
import { SORTS } from '../../src/leads/lead.schema.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
};
const rows = Number(arg('rows', '30000'));
const dialect = arg('db', 'sqlite') as 'sqlite' | 'postgres';
const drop = arg('drop', '').split(',').filter(Boolean);
const repeat = Number(arg('repeat', '5'));
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const tag = randomBytes(3).toString('hex');
const file = `/tmp/leadflow-index-usage-${tag}.db`;
const schema = `bench_index_usage_${tag}`;

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

const admin = dialect === 'postgres' ? new pg.Client({ connectionString: PG_URL }) : null;
if (admin) {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
}
const db =
  dialect === 'postgres'
    ? openDb({ dialect, databaseUrl: PG_URL, pgSchema: schema, poolSize: 5, wrapDialect: record })
    : openDb({ dialect, sqlitePath: file, wrapDialect: record });
try {
  await migrateToLatest(db.kysely);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dialect === 'postgres' ? PG_URL : `sqlite:${file}`,
    LOG_LEVEL: 'fatal',
  });
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
      // One lead in 1,000 has a rare source: the list's source filter when few leads match.
      source: i % 1000 === 999 ? 'Rare source' : SOURCES[i % SOURCES.length],
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
  const raw = <R>(text: string, parameters: readonly unknown[] = []) =>
    k.executeQuery<R>({ sql: text, parameters, query: { kind: 'RawNode' } } as never);
  await raw('ANALYZE');

  const auth = { authorization: `Bearer ${token}` };
  const requests: string[] = ['/leads'];
  for (const s of SORTS) requests.push(`/leads?sort=${encodeURIComponent(s)}`);
  const status = statuses[1].key;
  requests.push(
    `/leads?status=${status}`,
    `/leads?status=${status}&sort=-updated_at`,
    `/leads?source=${encodeURIComponent('Source 7')}`,
    `/leads?source=${encodeURIComponent('rare SOURCE')}`,
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

  const listIndexes = async () =>
    dialect === 'postgres'
      ? (
          await raw<{ name: string }>(
            `SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename = 'leads'`,
            [schema],
          )
        ).rows.map((r) => r.name)
      : (
          await raw<{ name: string }>(
            `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads'`,
          )
        ).rows.map((r) => r.name);
  const planOf = async (q: { sql: string; params: readonly unknown[] }) =>
    dialect === 'postgres'
      ? (await raw<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.sql}`, q.params)).rows.map((r) => r['QUERY PLAN'])
      : (await raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${q.sql}`, q.params)).rows.map((r) => r.detail);

  /** One pass: every request once (recorded, plans read), then `repeat` timed runs; the median per request. */
  async function pass() {
    seen.length = 0;
    const failed: string[] = [];
    const ms = new Map<string, number>();
    for (const r of requests) {
      current = r;
      const res = await app.inject({ method: 'GET', url: `/api/v1${r}`, headers: auth });
      if (res.statusCode !== 200) failed.push(`${r}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      current = null;
      const times: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const t0 = performance.now();
        await app.inject({ method: 'GET', url: `/api/v1${r}`, headers: auth });
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      ms.set(r, times[Math.floor(times.length / 2)]);
    }
    const indexes = await listIndexes();
    const usedBy = new Map<string, Set<string>>(indexes.map((i) => [i, new Set<string>()]));
    const plans = new Map<string, string[]>();
    for (const s of seen) {
      const plan = await planOf(s);
      plans.set(s.request, [...(plans.get(s.request) ?? []), ...plan]);
      for (const p of plan)
        for (const i of indexes) if (new RegExp(`\\b${i}\\b`).test(p)) usedBy.get(i)!.add(s.request);
    }
    console.log(
      `${dialect}: ${rows} leads, ${requests.length} requests, ${seen.length} statements over leads`,
    );
    if (failed.length) console.log('requests that failed:\n  ' + failed.join('\n  '));
    for (const [i, reqs] of usedBy)
      console.log(`${i}: ${reqs.size ? [...reqs].join(', ') : 'UNUSED by these requests'}`);
    return { ms, plans };
  }

  const before = await pass();
  if (drop.length) {
    for (const i of drop) await raw(`DROP INDEX ${i}`);
    await raw('ANALYZE');
    console.log(`\n--- dropped ${drop.join(', ')}, analyzed again ---`);
    const after = await pass();
    console.log('\nrequest | median ms before | after | ratio | plan changed');
    for (const r of requests) {
      const a = before.ms.get(r)!;
      const b = after.ms.get(r)!;
      // PostgreSQL's plans carry cost and row estimates (new after ANALYZE) and the request's clock: compared without.
      const shape = (p: string[] | undefined) =>
        JSON.stringify(
          (p ?? []).map((l) =>
            l.replace(/\(cost=[^)]*\)/g, '').replace(/'\d{4}-\d\d-\d\dT[\d:.]+Z'/g, "'<time>'"),
          ),
        );
      const changed = shape(before.plans.get(r)) !== shape(after.plans.get(r));
      console.log(
        `${r} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} | ${changed ? 'yes' : ''}`,
      );
      if (changed)
        console.log(
          `  before: ${(before.plans.get(r) ?? []).join(' / ')}\n  after:  ${(after.plans.get(r) ?? []).join(' / ')}`,
        );
    }
  } else {
    console.log('\nrequest | median ms');
    for (const r of requests) console.log(`${r} | ${before.ms.get(r)!.toFixed(1)}`);
  }
  await app.close();
} finally {
  await db.close();
  if (admin) {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}
