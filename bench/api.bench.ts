/**
 * API benchmark: seeds a database, starts the real server and measures the lead endpoints over HTTP with
 * autocannon, next to the bare queries and a trivial Fastify route measured in the same run.
 *
 *   npm run bench -- [--leads 100000] [--db sqlite|postgres|both] [--duration 10] [--connections 10]
 *                    [--warmup 2] [--only list_status,search] [--reports] [--keep] [--pg-url postgres://...]
 *                    [--label name] [--cpu-prof DIR] [--workers N]
 *
 * See docs/performance.md for what each number means.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openDb, type Db } from '../src/db/database.js';
import { Migrator } from 'kysely';
import { migrations } from '../src/db/migrations/index.js';
import { buildApp } from '../src/app.js';
import type { AuthContext } from '../src/access/roles.js';
import { seed } from './seed.js';
import { appLeadPieces, buildScenarios } from './scenarios.js';
import { buildReportScenarios } from './report-scenarios.js';
import { runBare, runHttp, withPeakRss, type LoadSettings, type Measured } from './load.js';
import { startCluster, type RunningCluster } from './cluster-server.js';
import {
  checkTarget,
  machineInfo,
  markdownTable,
  writeResult,
  type RunResult,
  type ScenarioResult,
} from './report.js';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    'light-connections': { type: 'string', default: '1' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    label: { type: 'string' },
    'cpu-prof': { type: 'string' },
    /**
     * `--workers N`: each scenario's HTTP runs are made a second time against the compiled server
     * (`node dist/src/cluster.js`, WORKERS=N) on the same seeded database, after the in-process ones; its CPU is
     * read from its processes (bench/cluster-server.ts). The ratio stays the in-process one (one thread against
     * one bare loop); the cluster gives the p99s of issue 22 and its own CPU per request.
     */
    workers: { type: 'string' },
    /** Every report scenario (owner and agent) and the list by status beside them, added to --only. */
    reports: { type: 'boolean', default: false },
    /** Keep the seeded SQLite file or PostgreSQL schema (printed) to look at query plans afterwards. */
    keep: { type: 'boolean', default: false },
    'big-share': { type: 'string', default: '0.4' },
    'pg-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
  },
});

const leadsCount = Number(args.leads);
const settings: LoadSettings = { connections: Number(args.connections), duration: Number(args.duration) };
const warmup: LoadSettings = { connections: settings.connections, duration: Number(args.warmup) };
// Latency without queueing: a single client (or a few) instead of a saturated server.
const light: LoadSettings = {
  connections: Number(args['light-connections']),
  duration: Math.max(3, Math.round(settings.duration / 2)),
};
const only = args.only || args.reports ? new Set(args.only ? args.only.split(',') : []) : null;
const wanted = (name: string) =>
  !only ||
  only.has(name) ||
  (args.reports === true && (name === 'list_status' || name.startsWith('report_')));
const dbs = (args.db === 'both' ? ['sqlite', 'postgres'] : [args.db]) as Array<'sqlite' | 'postgres'>;
if (!Number.isInteger(leadsCount) || leadsCount < 1000) throw new Error('--leads must be an integer >= 1000');
if (!dbs.every((d) => d === 'sqlite' || d === 'postgres'))
  throw new Error('--db must be sqlite, postgres or both');
const workers = args.workers === undefined ? 0 : Number(args.workers);
if (!Number.isInteger(workers) || workers < 0 || workers > 64)
  throw new Error('--workers must be an integer from 1 to 64');
if (workers && args['cpu-prof'])
  throw new Error('--cpu-prof profiles the in-process server: not with --workers');

/**
 * `--cpu-prof DIR`: a V8 CPU profile of this process (the server) during each scenario's loaded HTTP run, written
 * to DIR/<db>-<scenario>.cpuprofile (bench/micro/cpu-profile-summary.mjs and cpu-profile-steps.mjs read it).
 */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = args['cpu-prof'];
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const round = (xs: number[]) => xs.map((x) => Math.round(x * 100) / 100);

/** A fresh database: a file in a temp dir, or a new PostgreSQL schema; `drop` removes it. */
async function freshDb(kind: 'sqlite' | 'postgres') {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-'));
    const file = path.join(dir, 'bench.db');
    const db = openDb({ dialect: 'sqlite', sqlitePath: file });
    return {
      db,
      url: `sqlite:${file}`,
      serverUrl: `sqlite:${file}`,
      sqlitePath: file,
      dataDir: dir,
      drop: async () => {
        if (args.keep) log(`kept the seeded database: ${file}`);
        else fs.rmSync(dir, { recursive: true, force: true });
      },
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
  const db = openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: schema, poolSize: 10 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-'));
  return {
    db,
    url,
    // The server reads only DATABASE_URL: the schema goes in the connection options (pg's `options` parameter).
    serverUrl: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    pgSchema: schema,
    dataDir,
    drop: async () => {
      if (args.keep) log(`kept the seeded schema: ${schema} (drop it with DROP SCHEMA ${schema} CASCADE)`);
      else await admin(`DROP SCHEMA ${schema} CASCADE`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until no job is queued (due) or running, so no background work shares the measured CPU. */
async function waitForJobs(db: Db['kysely'], what: string) {
  const t0 = Date.now();
  for (;;) {
    const open = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) =>
        eb.or([
          eb('status', '=', 'running'),
          eb.and([eb('status', '=', 'queued'), eb('run_after', '<=', new Date().toISOString())]),
        ]),
      )
      .executeTakeFirstOrThrow();
    if (Number(open.n) === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (Date.now() - t0 > 1500)
    log(`${what}: waited ${((Date.now() - t0) / 1000).toFixed(0)} s for them to finish`);
}

async function trivialServer(): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify({ logger: false });
  app.get('/ping', async () => ({ ok: true }));
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, origin };
}

async function benchOne(kind: 'sqlite' | 'postgres'): Promise<RunResult> {
  const loadStart = os.loadavg();
  const target = await freshDb(kind);
  const db: Db = target.db;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let cluster: RunningCluster | undefined;
  let clusterFloor: Measured | undefined;
  try {
    // The migration tables live in the bench schema: Kysely would otherwise take another schema's for ours.
    const migrator = new Migrator({
      db: db.kysely,
      provider: { getMigrations: async () => migrations },
      ...(target.pgSchema ? { migrationTableSchema: target.pgSchema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      DATABASE_URL: target.url,
      DATA_DIR: target.dataDir,
      PORT: '0',
    });
    // The per-token limit (6,000 a minute) would turn the load into 429s; a huge one keeps its cost in the path.
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
        activity: true,
        log,
      },
    );
    log(
      `${kind}: seeded in ${seeded.seconds.toFixed(1)} s (index build + ANALYZE ${seeded.indexSeconds.toFixed(1)} s), ${seeded.bigOrgLeads} leads in the measured organization`,
    );

    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    const kysely = db.kysely;
    const { leads, service, readLeadData, scoring } = appLeadPieces(config, db, app.log);
    // Background work must not run during a measurement. Lead scoring's schedule queues a training job per
    // organization a minute after the server starts, then a rescore of each (at 1M leads: about two minutes of
    // CPU in the server process, which once landed on the floor, get and list runs). Queue what is due now and
    // let the app's job worker finish it first.
    await scoring.runDue();
    await waitForJobs(kysely, `${kind}: scheduled jobs (lead scoring)`);
    const auth: AuthContext = { kind: 'user', orgId: organization.id, userId: user.id, role: 'owner' };
    const ctx = {
      app: app as unknown as FastifyInstance,
      db: kysely,
      leads,
      service,
      readLeadData,
      auth,
      headers,
    };
    const scenarios = [...(await buildScenarios(ctx)), ...(await buildReportScenarios(ctx, db.dialect))];

    if (workers) {
      cluster = await startCluster({
        workers,
        databaseUrl: target.serverUrl,
        dataDir: target.dataDir,
        log,
      });
      log(`${kind}: compiled server, WORKERS=${workers}, pids ${cluster.pids().join(', ')}`);
      // Each worker checks scoring's schedule a minute after it starts (nothing is due by now, but the check
      // reads every organization): wait for it to pass.
      await new Promise((r) => setTimeout(r, 65_000));
      await waitForJobs(kysely, `${kind}: the workers' scheduled jobs`);
    }

    const floorSrv = await trivialServer();
    await runHttp(floorSrv.origin, {}, [{ method: 'GET', path: '/ping' }], warmup);
    const floor = await runHttp(floorSrv.origin, {}, [{ method: 'GET', path: '/ping' }], settings);
    await floorSrv.app.close();
    log(`${kind}: HTTP floor ${Math.round(floor.rps)} req/s, p99 ${floor.p99} ms`);

    // --workers N: the compiled cluster on the same database, measured after the in-process server.
    if (cluster) {
      // The cluster's floor: /health (no auth, no rate limit, `select 1`) under the same load.
      const c = cluster;
      const health = [{ method: 'GET' as const, path: '/health' }];
      await runHttp(c.origin, {}, health, { ...warmup, duration: warmup.duration * 2 }, () => c.cpuMs());
      clusterFloor = await runHttp(c.origin, {}, health, settings, () => c.cpuMs());
      log(
        `${kind}: WORKERS=${workers} floor (/health) ${Math.round(clusterFloor.rps)} req/s, p50 ${clusterFloor.p50} p99 ${clusterFloor.p99} ms, CPU ${clusterFloor.cpuMsPerOp.toFixed(3)} ms, autocannon ${clusterFloor.loadGenCpuMsPerOp?.toFixed(3)} ms`,
      );
    }

    const results: ScenarioResult[] = [];
    // Create runs last: the rows it adds would otherwise change what the read scenarios read.
    const ordered = [
      ...scenarios.filter((s) => s.name !== 'create'),
      ...scenarios.filter((s) => s.name === 'create'),
    ];
    for (const s of ordered) {
      if (!wanted(s.name)) continue;
      await waitForJobs(kysely, `${kind}: jobs queued before ${s.name}`);
      const { value, peakRssMb } = await withPeakRss(async () => {
        const h = s.headers ?? headers;
        // The clients of a loaded run leave up to `connections` requests in the server when they stop; one more
        // request, answered after them, keeps their time out of the next measurement (it once made a 70 ms
        // report show a 2 s single-client p99).
        const drain = async () => {
          const q = s.requests[0];
          if (q.method === 'GET')
            await fetch(`${origin}${q.path}`, { headers: h }).then((r) => r.arrayBuffer());
        };
        // Every loop of the scenario is warmed before any is measured. The HTTP run used to come first, measured
        // with a cold JIT and SQLite page cache for its kind of request, while its bare loop ran warm after it: the
        // first list scenario (list by status) kept 52% against page 2's 65% for the same work at 1M leads
        // (docs/performance.md, 2026-12-06 "Less work per request").
        await runBare(s.service, warmup);
        await runBare(s.bare, warmup);
        await runHttp(origin, h, s.requests, warmup);
        await drain();
        const http = await profiled(`${kind}-${s.name}`, () => runHttp(origin, h, s.requests, settings));
        await drain();
        const httpLight = await runHttp(origin, h, s.requests, light);
        await drain();
        // The compiled cluster: a longer warm-up (fresh processes, each JIT-compiles on its own).
        let clustered: { http: Measured; httpLight: Measured } | undefined;
        if (cluster) {
          const c = cluster;
          const cpu = () => c.cpuMs();
          await runHttp(c.origin, h, s.requests, { ...warmup, duration: warmup.duration * 2 }, cpu);
          const cHttp = await runHttp(c.origin, h, s.requests, settings, cpu);
          const cLight = await runHttp(c.origin, h, s.requests, light, cpu);
          clustered = { http: cHttp, httpLight: cLight };
        }
        const svc = await runBare(s.service, settings);
        const bare = await runBare(s.bare, settings);
        // The bare loop as it was before 2026-12-06 (lead rows and tags only), to compare the two definitions.
        const bareCore = s.bareCore ? await runBare(s.bareCore, settings) : undefined;
        return {
          http,
          httpLight,
          service: svc,
          bare,
          ...(bareCore ? { bareCore } : {}),
          ...(clustered ? { cluster: clustered } : {}),
        };
      });
      const ratio = value.bare.rps ? value.http.rps / value.bare.rps : 0;
      const cpuRatio = value.http.cpuMsPerOp ? value.bare.cpuMsPerOp / value.http.cpuMsPerOp : 0;
      const { cluster: clustered, ...measured } = value;
      const r: ScenarioResult = {
        name: s.name,
        label: s.label,
        ...measured,
        ratio,
        cpuRatio,
        target: checkTarget(s.target, value.http, value.httpLight, ratio),
        ...(clustered
          ? {
              cluster: {
                ...clustered,
                workers,
                target: checkTarget(s.target, clustered.http, clustered.httpLight, ratio),
              },
            }
          : {}),
        loadavg: round(os.loadavg()),
        peakRssMb,
      };
      results.push(r);
      log(
        `${kind}: ${s.name}: HTTP ${Math.round(r.http.rps)} req/s p50 ${r.http.p50} p99 ${r.http.p99} ms | service ${Math.round(r.service.rps)} | bare ${Math.round(r.bare.rps)} req/s p99 ${r.bare.p99.toFixed(2)} ms | ratio ${(ratio * 100).toFixed(0)}%, CPU ${r.http.cpuMsPerOp.toFixed(2)} / ${r.bare.cpuMsPerOp.toFixed(2)} ms${r.bareCore ? ` | old bare ${Math.round(r.bareCore.rps)} req/s, CPU ${r.bareCore.cpuMsPerOp.toFixed(2)} ms` : ''}${r.http.loadGenCpuMsPerOp !== undefined ? ` | autocannon CPU ${r.http.loadGenCpuMsPerOp.toFixed(2)} ms/req` : ''}${r.http.failures ? ` | ${r.http.failures} FAILED` : ''}${r.cluster ? ` | WORKERS=${workers}: ${Math.round(r.cluster.http.rps)} req/s p50 ${r.cluster.http.p50} p99 ${r.cluster.http.p99} ms, CPU ${r.cluster.http.cpuMsPerOp.toFixed(2)} ms, autocannon ${r.cluster.http.loadGenCpuMsPerOp?.toFixed(2)} ms${r.cluster.http.failures ? `, ${r.cluster.http.failures} FAILED` : ''}` : ''}`,
      );
    }
    await cluster?.stop();
    return {
      date: new Date().toISOString().slice(0, 10),
      db: kind,
      leads: leadsCount,
      ...(workers ? { server: { workers, compiled: true, floor: clusterFloor } } : {}),
      settings: {
        ...settings,
        warmup: warmup.duration,
        lightConnections: light.connections,
        lightDuration: light.duration,
      },
      machine: { ...machineInfo(), loadavgStart: round(loadStart), loadavgEnd: round(os.loadavg()) },
      seed: seeded,
      floor,
      scenarios: results,
    };
  } finally {
    await cluster?.stop();
    if (app) await app.close();
    await db.close();
    await target.drop();
  }
}

for (const kind of dbs) {
  const result = await benchOne(kind);
  const file = writeResult(result, args.label);
  console.log(`\n${markdownTable(result)}\n\nwritten to ${path.relative(process.cwd(), file)}\n`);
}
