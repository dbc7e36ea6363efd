/**
 * The lead list sorted by a nullable column (value, last_name, score; nulls last in both directions) in one large
 * organization: seeds like `npm run bench` (bench/seed.ts), gives part of the leads a score and takes the last
 * name of some away (the seed sets every last name and no score), then times GET /api/v1/leads in-process
 * (app.inject: the whole Fastify stack) for each sort in both directions: the first page, page 2 through the
 * cursor, the page that crosses from values to nulls and a page among the nulls (cursors built from the last
 * value), and the same with a status filter. Prints each request's median and the plan of every statement over
 * `leads` it sent (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL).
 *
 *   npx tsx bench/micro/sort-index.micro.ts [--leads 300000] [--db sqlite|postgres] [--reps 15] [--label x]
 *
 * Figures: docs/performance.md, "Nullable sorts by index".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { withDriver } from '../../src/db/unit-of-work.js';
import { buildApp } from '../../src/app.js';
import { encodeCursor } from '../../src/http/cursor.js';
import { seed } from '../seed.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
};
const leads = Number(arg('leads', '300000'));
const dialect = arg('db', 'sqlite') as 'sqlite' | 'postgres';
const reps = Number(arg('reps', '15'));
const label = arg('label', 'run');
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const tag = randomBytes(3).toString('hex');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-sort-'));
const file = path.join(dataDir, 'bench.db');
const schema = `bench_sort_${tag}`;
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

let current: string | null = null;
const seen: Array<{ request: string; sql: string; params: readonly unknown[] }> = [];
const patched = new WeakSet<DatabaseConnection>();
/** Records the SELECTs over leads each request sends (the connection's executeQuery, patched in place). */
const record = (d: Dialect): Dialect =>
  withDriver(d, (driver: Driver) => {
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => {
      const c = await acquire();
      if (!patched.has(c)) {
        patched.add(c);
        const run = c.executeQuery.bind(c);
        c.executeQuery = <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
          if (current && /^\s*(with|select)\b/i.test(q.sql) && /from "leads"/i.test(q.sql))
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
    DATA_DIR: dataDir,
    LOG_LEVEL: 'fatal',
  });
  const app = await buildApp({
    config,
    db,
    webDir: null,
    rateLimits: { authenticatedPerMinute: 1e9, anonymousPerMinute: 1e9 },
  });
  await app.ready();
  const su = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: {
      email: 'sort@example.com',
      password: 'correct horse battery',
      name: 'Sort',
      organization_name: 'Sort Big Org',
    },
  });
  if (su.statusCode !== 201) throw new Error(`signup: ${su.statusCode} ${su.body}`);
  const { token, user, organization } = su.json();
  const orgId = organization.id as number;
  log(`${dialect}: seeding ${leads.toLocaleString('en-US')} leads`);
  const seeded = await seed(
    { db, sqlitePath: dialect === 'sqlite' ? file : undefined, pgUrl: PG_URL, pgSchema: schema },
    { leads, bigOrg: { id: orgId, ownerId: user.id }, bigShare: 1, seed: 42, log },
  );
  log(`seeded in ${seeded.seconds.toFixed(1)} s, ${seeded.bigOrgLeads} leads in the organization`);
  const k = db.kysely;
  const raw = <R>(text: string, parameters: readonly unknown[] = []) =>
    k.executeQuery<R>({ sql: text, parameters, query: { kind: 'RawNode' } } as never);
  // Scores on two leads in three (0-100), no last name on one lead in twenty: nulls in all three sorts.
  await raw(`UPDATE leads SET score = (id * 7) % 101 WHERE id % 3 <> 0`);
  await raw(`UPDATE leads SET last_name = NULL WHERE id % 20 = 7`);
  await raw(dialect === 'postgres' ? 'VACUUM ANALYZE leads' : 'ANALYZE');
  const status = await k
    .selectFrom('statuses')
    .select(['id', 'key'])
    .where('org_id', '=', orgId)
    .where('key', '=', 'new')
    .executeTakeFirstOrThrow();

  const headers = { authorization: `Bearer ${token}` };
  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    return r.json() as { data: Array<Record<string, unknown>>; next_cursor: string | null };
  };
  const requests: Array<{ name: string; url: string }> = [];
  const col = { value: 'value_cents', last_name: 'last_name', score: 'score' } as const;
  for (const s of ['value', 'last_name', 'score'] as const) {
    for (const desc of [false, true]) {
      const sort = `${desc ? '-' : ''}${s}`;
      const base = `/leads?limit=50&sort=${sort}`;
      requests.push({ name: `${sort} page 1`, url: base });
      const p1 = await get(base);
      requests.push({ name: `${sort} page 2`, url: `${base}&cursor=${encodeURIComponent(p1.next_cursor!)}` });
      // The last lead with a value in this order, then the first null: a page that crosses, and one among nulls.
      const c = col[s];
      const edge = (
        await raw<{ v: string | number; id: number }>(
          `SELECT ${c} AS v, id FROM leads WHERE org_id = ${orgId} AND deleted_at IS NULL AND ${c} IS NOT NULL
           ORDER BY ${c} ${desc ? 'ASC' : 'DESC'}, id ${desc ? 'ASC' : 'DESC'} LIMIT 1 OFFSET 20`,
        )
      ).rows[0];
      const v = typeof edge.v === 'string' && s !== 'last_name' ? Number(edge.v) : edge.v;
      requests.push({
        name: `${sort} crossing to nulls`,
        url: `${base}&cursor=${encodeCursor({ s: sort, v, id: edge.id })}`,
      });
      const nullId = (
        await raw<{ id: number }>(
          `SELECT id FROM leads WHERE org_id = ${orgId} AND ${c} IS NULL ORDER BY id ${desc ? 'DESC' : 'ASC'} LIMIT 1 OFFSET 1000`,
        )
      ).rows[0].id;
      requests.push({
        name: `${sort} among nulls`,
        url: `${base}&cursor=${encodeCursor({ s: sort, v: null, id: nullId })}`,
      });
      requests.push({ name: `${sort} status=new page 1`, url: `${base}&status=${status.key}` });
    }
  }
  requests.push({ name: '-created_at page 1 (reference)', url: '/leads?limit=50' });

  const results: Array<{ name: string; url: string; p50: number; p90: number; plans: string[] }> = [];
  const loadBefore = os.loadavg()[0];
  for (const r of requests) {
    seen.length = 0;
    current = r.name;
    await get(r.url);
    current = null;
    const plans: string[] = [];
    for (const q of seen) {
      const rows =
        dialect === 'postgres'
          ? (await raw<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.sql}`, q.params)).rows.map(
              (x) => x['QUERY PLAN'],
            )
          : (await raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${q.sql}`, q.params)).rows.map(
              (x) => x.detail,
            );
      plans.push(rows.join('\n    '));
    }
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await get(r.url);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const row = { ...r, p50: ms[Math.floor(ms.length / 2)], p90: ms[Math.floor(ms.length * 0.9)], plans };
    results.push(row);
    log(`${r.name}: p50 ${row.p50.toFixed(1)} ms, p90 ${row.p90.toFixed(1)} ms`);
  }
  const load = { before: loadBefore, after: os.loadavg()[0] };
  log(`load average ${load.before.toFixed(1)} -> ${load.after.toFixed(1)}`);
  for (const r of results) console.log(`\n${r.name}:\n  ${r.plans.join('\n  ---\n  ')}`);
  const out = path.join(
    'bench',
    'results',
    `${new Date().toISOString().slice(0, 10)}-sort-index-${dialect}-${leads}-${label}.json`,
  );
  fs.writeFileSync(
    out,
    JSON.stringify({ at: new Date().toISOString(), dialect, leads, reps, load, results }, null, 2),
  );
  console.log(`\nwritten ${out}\n| request | p50 ms | p90 ms |\n|---|---:|---:|`);
  for (const r of results) console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} |`);
  await app.close();
} finally {
  await db.close();
  if (admin) {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
