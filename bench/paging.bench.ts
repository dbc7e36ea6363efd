/**
 * Offset paging next to cursor paging deep into one large organization (issue 14): seeds a database as
 * `npm run bench` does (bench/seed.ts), then times GET /api/v1/leads requests one after the other (in-process,
 * app.inject: the whole Fastify stack, schema, auth and serialization, no socket), and prints the query plans.
 *
 *   npm run bench:paging -- [--leads 1000000] [--big-share 1] [--db sqlite|postgres|both] [--reps 60]
 *                           [--depth 10000] [--pg-url postgres://...]
 *
 * Figures and how to read them: docs/performance.md, "Offset paging".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Migrator, sql, type Kysely } from 'kysely';
import { loadConfig } from '../src/config.js';
import { openDb, type Db } from '../src/db/database.js';
import { migrations } from '../src/db/migrations/index.js';
import { buildApp } from '../src/app.js';
import { seed } from './seed.js';
import { machineInfo } from './report.js';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '1000000' },
    'big-share': { type: 'string', default: '1' },
    db: { type: 'string', default: 'both' },
    reps: { type: 'string', default: '60' },
    depth: { type: 'string', default: '10000' },
    'pg-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
  },
});
const leadsCount = Number(args.leads);
const reps = Number(args.reps);
const depth = Number(args.depth);
const dbs = (args.db === 'both' ? ['sqlite', 'postgres'] : [args.db]) as Array<'sqlite' | 'postgres'>;
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function freshDb(kind: 'sqlite' | 'postgres') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-paging-'));
  if (kind === 'sqlite') {
    const file = path.join(dataDir, 'bench.db');
    return {
      db: openDb({ dialect: 'sqlite', sqlitePath: file }),
      url: `sqlite:${file}`,
      sqlitePath: file,
      pgSchema: undefined,
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const url = args['pg-url']!;
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  return {
    db: openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: schema, poolSize: 4 }),
    url,
    sqlitePath: undefined,
    pgSchema: schema,
    dataDir,
    drop: async () => {
      await admin(`DROP SCHEMA ${schema} CASCADE`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function plan(db: Db, query: { sql: string; parameters: readonly unknown[] }): Promise<string> {
  const k = db.kysely as Kysely<any>;
  if (db.dialect === 'sqlite') {
    const r = await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${inline(query)}`).execute(k);
    return r.rows.map((x) => x.detail).join('\n');
  }
  const r = await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${inline(query)}`).execute(k);
  return r.rows.map((x) => x['QUERY PLAN']).join('\n');
}
/** The query with its parameters written in (for EXPLAIN; numbers and plain strings only). */
function inline(q: { sql: string; parameters: readonly unknown[] }): string {
  let i = 0;
  const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  return q.sql.replace(/\?|\$(\d+)/g, (_m, n?: string) => lit(q.parameters[n ? Number(n) - 1 : i++]));
}

async function benchOne(kind: 'sqlite' | 'postgres') {
  const target = await freshDb(kind);
  const db = target.db;
  const captured: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  try {
    const migrator = new Migrator({
      db: db.kysely,
      provider: { getMigrations: async () => migrations },
      allowUnorderedMigrations: true,
      ...(target.pgSchema ? { migrationTableSchema: target.pgSchema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: target.url, DATA_DIR: target.dataDir });
    const app = await buildApp({
      config,
      db,
      webDir: null,
      rateLimits: { authenticatedPerMinute: 1e9, anonymousPerMinute: 1e9 },
    });
    await app.ready();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: {
        email: 'bench@example.com',
        password: 'bench password 123',
        name: 'Bench Owner',
        organization_name: 'Bench Big Org',
      },
    });
    if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
    const { token, user, organization } = res.json();
    const headers = { authorization: `Bearer ${token}` };
    log(`${kind}: seeding ${leadsCount.toLocaleString('en-US')} leads`);
    const seeded = await seed(
      { db, sqlitePath: target.sqlitePath, pgUrl: target.url, pgSchema: target.pgSchema },
      {
        leads: leadsCount,
        bigOrg: { id: organization.id, ownerId: user.id },
        bigShare: Number(args['big-share']),
        seed: 42,
        log,
      },
    );
    log(`${kind}: seeded in ${seeded.seconds.toFixed(1)} s, ${seeded.bigOrgLeads} leads in the organization`);
    // What autovacuum does to a table that has settled: PostgreSQL's index-only scans need the visibility map.
    if (kind === 'postgres') await sql`VACUUM ANALYZE leads`.execute(db.kysely);

    const get = async (url: string) => {
      const r = await app.inject({ method: 'GET', url, headers });
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
      return r.json();
    };
    // The cursor after the first `depth` leads: what a client that walked there holds.
    const before = await get(`/api/v1/leads?limit=50&offset=${depth - 50}`);
    const cursor = encodeURIComponent(before.next_cursor);
    const scenarios: Record<string, string> = {
      [`offset ${depth} (with total)`]: `/api/v1/leads?limit=50&offset=${depth}`,
      [`cursor at ${depth}`]: `/api/v1/leads?limit=50&cursor=${cursor}`,
      [`cursor at ${depth} + include_total`]: `/api/v1/leads?limit=50&cursor=${cursor}&include_total=true`,
      'offset 0 (with total)': `/api/v1/leads?limit=50&offset=0`,
    };
    // Both pagings answer the same leads at that depth.
    const a = (await get(scenarios[`offset ${depth} (with total)`])).data.map((l: { id: number }) => l.id);
    const b = (await get(scenarios[`cursor at ${depth}`])).data.map((l: { id: number }) => l.id);
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('offset and cursor pages differ');
    const out: Array<{ scenario: string; p50: number; p90: number; max: number }> = [];
    // The machine is shared: the 1-minute load average before and after the timed requests says how noisy it was.
    const loadBefore = os.loadavg()[0];
    for (const [name, url] of Object.entries(scenarios)) {
      for (let i = 0; i < 5; i++) await get(url);
      const ms: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await get(url);
        ms.push(performance.now() - t0);
      }
      const row = { scenario: name, p50: pct(ms, 50), p90: pct(ms, 90), max: Math.max(...ms) };
      out.push(row);
      log(`${kind}: ${name}: p50 ${row.p50.toFixed(1)} ms, p90 ${row.p90.toFixed(1)} ms`);
    }
    const load = { before: loadBefore, after: os.loadavg()[0], cpus: os.cpus().length };
    log(`${kind}: load average ${load.before.toFixed(1)} -> ${load.after.toFixed(1)} on ${load.cpus} cpus`);
    // The plans of the page and the count, as the repository builds them.
    const { createLeadRepository } = await import('../src/leads/lead.repository.js');
    const repo = createLeadRepository(db.kysely, db.dialect);
    const filter = {
      excludeConverted: true,
      deleted: false,
    };
    const pageQ = repo.scope(db.kysely.selectFrom('leads').select(['leads.id']), organization.id, filter);
    captured.push(
      pageQ.orderBy('leads.created_at', 'desc').orderBy('leads.id', 'desc').limit(51).offset(depth).compile(),
    );
    captured.push(
      repo
        .scope(
          db.kysely.selectFrom('leads').select((eb) => eb.fn.countAll().as('n')),
          organization.id,
          filter,
        )
        .compile(),
    );
    const plans: string[] = [];
    for (const q of captured) plans.push(await plan(db, q));
    for (const p of plans) log(`${kind} plan:\n${p}`);
    await app.close();
    return { kind, seeded, load, results: out, plans };
  } finally {
    await db.close();
    await target.drop();
  }
}

const all = [];
for (const kind of dbs) all.push(await benchOne(kind));
const file = path.join(
  'bench',
  'results',
  `${new Date().toISOString().slice(0, 10)}-paging-${leadsCount}-${dbs.join('-')}.json`,
);
fs.writeFileSync(
  file,
  JSON.stringify(
    { at: new Date().toISOString(), machine: machineInfo(), leads: leadsCount, reps, depth, runs: all },
    null,
    2,
  ),
);
console.log(`\nwritten ${file}\n`);
for (const r of all) {
  console.log(
    `${r.kind}, ${r.seeded.bigOrgLeads.toLocaleString('en-US')} leads in the organization (load ${r.load.before.toFixed(1)} -> ${r.load.after.toFixed(1)}):`,
  );
  console.log('| scenario | p50 ms | p90 ms | max ms |\n| --- | --- | --- | --- |');
  for (const x of r.results)
    console.log(`| ${x.scenario} | ${x.p50.toFixed(1)} | ${x.p90.toFixed(1)} | ${x.max.toFixed(1)} |`);
}
