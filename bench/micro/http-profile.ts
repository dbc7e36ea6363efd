/**
 * CPU profile of the server while it answers one benchmark scenario over real HTTP (docs/performance.md, "HTTP
 * per-request work"). Seeds a SQLite file (or a PostgreSQL schema) like `npm run bench`, starts `buildApp()`,
 * drives it with autocannon from a child process and profiles only this process during the measured run (seeding
 * and warm-up are left out). Prints the CPU ms per request and writes a .cpuprofile for
 * bench/micro/cpu-profile-summary.mjs.
 *
 *   npx tsx bench/micro/http-profile.ts [--leads 20000] [--db sqlite|postgres] [--only get,list_status]
 *                                      [--duration 8] [--connections 10] [--out /tmp/prof] [--no-profile]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import {
  Migrator,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type QueryResult,
} from 'kysely';
import { withDriver } from '../../src/db/unit-of-work.js';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { buildApp } from '../../src/app.js';
import type { AuthContext } from '../../src/access/roles.js';
import { seed } from '../seed.js';
import { appLeadPieces, buildScenarios } from '../scenarios.js';
import { buildReportScenarios } from '../report-scenarios.js';
import { runHttp } from '../load.js';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '20000' },
    db: { type: 'string', default: 'sqlite' },
    only: { type: 'string', default: 'get,list_status' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    out: { type: 'string', default: path.join(os.tmpdir(), 'leadflow-http-profile') },
    'no-profile': { type: 'boolean', default: false },
    /** Also time every SQL statement (SQLite: the synchronous part of the call) and print the costliest. */
    'sql-times': { type: 'boolean', default: false },
    /** Build the report scenarios too, as `npm run bench` does (they add an agent and reassign some leads). */
    reports: { type: 'boolean', default: false },
    /** Keep the seeded SQLite file or PostgreSQL schema (printed) to look at query plans afterwards. */
    keep: { type: 'boolean', default: false },
    'pg-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
  },
});
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-http-profile-'));
const pgSchema = args.db === 'postgres' ? `prof_${randomBytes(5).toString('hex')}` : undefined;
const pgAdmin = async (q: string) => {
  const c = new pg.Client({ connectionString: args['pg-url'] });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
};
if (pgSchema) await pgAdmin(`CREATE SCHEMA ${pgSchema}`);
const sqlitePath = path.join(dataDir, 'prof.db');
// Per-statement time and count while `timing` is on (the measured run only).
const sqlTimes = new Map<string, { n: number; ms: number }>();
let timing = false;
const timeSql = (d: Dialect): Dialect =>
  withDriver(d, (driver) => {
    const acquire = driver.acquireConnection.bind(driver);
    const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
    driver.acquireConnection = async () => {
      const c = await acquire();
      const w: DatabaseConnection = {
        executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
          if (!timing) return c.executeQuery<R>(q);
          const t = performance.now();
          const p = c.executeQuery<R>(q);
          const key = q.sql.replace(/\s+/g, ' ').slice(0, 160);
          const done = () => {
            const e = sqlTimes.get(key) ?? sqlTimes.set(key, { n: 0, ms: 0 }).get(key)!;
            e.n++;
            e.ms += performance.now() - t;
          };
          if (pgSchema) return p.finally(done);
          done();
          return p;
        },
        streamQuery: (q, n) => c.streamQuery(q, n),
      };
      originals.set(w, c);
      return w;
    };
    const orig = (c: DatabaseConnection) => originals.get(c) ?? c;
    for (const k of [
      'beginTransaction',
      'commitTransaction',
      'rollbackTransaction',
      'releaseConnection',
    ] as const) {
      const f = (driver[k] as (...a: unknown[]) => Promise<void>).bind(driver);
      (driver as unknown as Record<string, unknown>)[k] = (c: DatabaseConnection, ...rest: unknown[]) =>
        f(orig(c), ...rest);
    }
    return driver;
  });
const wrapDialect = args['sql-times'] ? timeSql : undefined;
const db = pgSchema
  ? openDb({ dialect: 'postgres', databaseUrl: args['pg-url'], pgSchema, poolSize: 10, wrapDialect })
  : openDb({ dialect: 'sqlite', sqlitePath, wrapDialect });
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
try {
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrations },
    ...(pgSchema ? { migrationTableSchema: pgSchema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: pgSchema ? args['pg-url']! : `sqlite:${sqlitePath}`,
    DATA_DIR: dataDir,
    PORT: '0',
  });
  app = await buildApp({
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
      email: 'p@example.com',
      password: 'profile password 1',
      name: 'P',
      organization_name: 'P Org',
    },
  });
  const { token, user, organization } = res.json();
  const headers = { authorization: `Bearer ${token}` };
  await seed(
    { db, sqlitePath: pgSchema ? undefined : sqlitePath, pgUrl: args['pg-url'], pgSchema },
    {
      leads: Number(args.leads),
      bigOrg: { id: organization.id, ownerId: user.id },
      bigShare: 0.4,
      seed: 42,
      activity: true,
      log,
    },
  );
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  const { leads, service, readLeadData } = appLeadPieces(config, db, app.log);
  const auth: AuthContext = { kind: 'user', orgId: organization.id, userId: user.id, role: 'owner' };
  const ctx = {
    app: app as unknown as FastifyInstance,
    db: db.kysely,
    leads,
    service,
    readLeadData,
    auth,
    headers,
  };
  const scenarios = await buildScenarios(ctx);
  if (args.reports) await buildReportScenarios(ctx, db.dialect);
  const settings = { connections: Number(args.connections), duration: Number(args.duration) };
  fs.mkdirSync(args.out!, { recursive: true });
  for (const name of args.only!.split(',')) {
    // A scenario of bench/scenarios.ts, or any GET path (`/api/v1/statuses`): the app's cost around the work.
    const s = name.startsWith('/')
      ? { requests: [{ method: 'GET' as const, path: name }] }
      : scenarios.find((x) => x.name === name);
    if (!s) throw new Error(`no scenario ${name}`);
    await runHttp(origin, headers, s.requests, { ...settings, duration: 2 });
    const session = new Session();
    if (!args['no-profile']) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    sqlTimes.clear();
    timing = true;
    const m = await runHttp(origin, headers, s.requests, settings);
    timing = false;
    if (!args['no-profile']) {
      const { profile } = await session.post('Profiler.stop');
      const file = path.join(args.out!, `${args.db}-${name.replace(/\W+/g, '_')}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      log(`${name}: profile in ${file}`);
    }
    log(
      `${name}: ${Math.round(m.rps)} req/s, CPU ${m.cpuMsPerOp.toFixed(3)} ms/request, ${m.failures} failures, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    if (args['sql-times']) {
      const all = [...sqlTimes].sort((a, b) => b[1].ms - a[1].ms);
      const per = (ms: number) => (ms / (m.ops || 1)).toFixed(3);
      log(
        `${name}: SQL ${per(all.reduce((t, [, e]) => t + e.ms, 0))} ms/request in ${all.reduce((t, [, e]) => t + e.n, 0) / (m.ops || 1)} statements`,
      );
      for (const [sqlText, e] of all.slice(0, 15))
        console.log(`  ${per(e.ms)} ms/req  x${(e.n / (m.ops || 1)).toFixed(2)}  ${sqlText}`);
    }
  }
} finally {
  if (app) await app.close();
  await db.close();
  if (args.keep) log(`kept: ${pgSchema ? `schema ${pgSchema}` : sqlitePath}`);
  else {
    if (pgSchema) await pgAdmin(`DROP SCHEMA ${pgSchema} CASCADE`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
