/**
 * What a lead create costs in the service (no HTTP), statement by statement (docs/performance.md, "Less work per
 * request"): a fresh SQLite file, the app's lead service (bench/scenarios.ts appLeadPieces), 300 creates of
 * warm-up, then N measured creates of the benchmark's two bodies (`UNIQ=1`: bodies that match no other lead).
 * Prints CPU and wall time per create, SQL time per statement, and the open duplicate pairs at the end; writes a
 * CPU profile when given a path (bench/micro/cpu-profile-summary.mjs reads it).
 *
 * `DB=path`: a copy of that SQLite file instead of a fresh one (a database kept by `npm run bench -- --keep`:
 * its seeded leads, trained scoring models and duplicate pairs), creating in the organization of
 * bench@example.com. Also prints how long each transaction held the write lock (`TRACE=1`: the statements of
 * the first measured one, with their end times since its BEGIN).
 *
 *   npx tsx bench/micro/create-profile.ts [N=1500] [profile.cpuprofile]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { Migrator, type Dialect } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/database.js';
import { withDriver } from '../../src/db/unit-of-work.js';
import { migrations } from '../../src/db/migrations/index.js';
import { buildApp } from '../../src/app.js';
import { appLeadPieces, CREATE_BODIES } from '../scenarios.js';
const N = Number(process.argv[2] ?? 1500);
const prof = process.argv[3];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-create-'));
const sqlitePath = path.join(dataDir, 'c.db');
const from = process.env.DB;
if (from)
  for (const ext of ['', '-wal'])
    if (fs.existsSync(from + ext)) fs.copyFileSync(from + ext, sqlitePath + ext);
const counts = new Map<string, { n: number; ms: number }>();
let on = false;
// The write lock's hold per create: from `begin immediate` to the end of `commit` (one connection, so each
// transaction is one create's), and the statements sent inside it.
const hold = { n: 0, ms: 0, max: 0, statements: 0, since: -1 };
const inTx: string[] = [];
const trace = process.env.TRACE === '1';
const wrap = (d: Dialect) =>
  withDriver(d, (driver) => {
    const acq = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => {
      const c = await acq();
      if ((c as any).__w) return c;
      const ex = c.executeQuery.bind(c);
      (c as any).executeQuery = (q: any) => {
        if (!on) return ex(q);
        const t = performance.now();
        const k = q.sql.replace(/\s+/g, ' ').slice(0, 110);
        if (/^begin/i.test(k)) hold.since = t;
        const p = ex(q);
        const e = counts.get(k) ?? counts.set(k, { n: 0, ms: 0 }).get(k)!;
        e.n++;
        const end = performance.now();
        e.ms += end - t;
        if (hold.since >= 0) {
          hold.statements++;
          if (trace && hold.n === 0) inTx.push(`${(end - hold.since).toFixed(3)} ${k}`);
        }
        if (/^(commit|rollback)/i.test(k) && hold.since >= 0) {
          const d = end - hold.since;
          hold.n++;
          hold.ms += d;
          hold.max = Math.max(hold.max, d);
          hold.since = -1;
        }
        return p;
      };
      (c as any).__w = true;
      return c;
    };
    return driver;
  });
const db = openDb({ dialect: 'sqlite', sqlitePath, wrapDialect: wrap });
const { error } = await new Migrator({
  db: db.kysely,
  provider: { getMigrations: async () => migrations },
}).migrateToLatest();
if (error) throw error;
const config = loadConfig({
  LOG_LEVEL: 'silent',
  DATABASE_URL: `sqlite:${sqlitePath}`,
  DATA_DIR: dataDir,
  PORT: '0',
});
const app = await buildApp({
  config,
  db,
  webDir: null,
  rateLimits: { authenticatedPerMinute: 1e9, anonymousPerMinute: 1e9 },
});
await app.ready();
const { user, organization } = from
  ? await db.kysely
      .selectFrom('users')
      .innerJoin('memberships', 'memberships.user_id', 'users.id')
      .select(['users.id as user', 'memberships.org_id as org'])
      .where('users.email', '=', 'bench@example.com')
      .executeTakeFirstOrThrow()
      .then((r) => ({ user: { id: r.user }, organization: { id: r.org } }))
  : (
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: {
          email: 'p@example.com',
          password: 'profile password 1',
          name: 'P',
          organization_name: 'P Org',
        },
      })
    ).json();
const { service } = appLeadPieces(config, db, app.log);
const auth = { kind: 'user', orgId: organization.id, userId: user.id, role: 'owner' } as any;
// The benchmark's create bodies (bench/scenarios.ts), its first two as in the figures of docs/performance.md.
const bodies = CREATE_BODIES.slice(0, 2);
const uniq = process.env.UNIQ === '1';
const body = (i: number) =>
  uniq
    ? {
        ...bodies[i % 2],
        email: `u${i}@ex${i}.com`,
        phone: undefined,
        first_name: `F${i}`,
        last_name: `L${i}`,
        company_name: `C${i}`,
      }
    : bodies[i % 2];
for (let i = 0; i < 300; i++) await service.create(auth, body(i) as never);
const s = new Session();
if (prof) {
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.setSamplingInterval', { interval: 200 });
  await s.post('Profiler.start');
}
on = true;
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 300; i < 300 + N; i++) await service.create(auth, body(i) as never);
const c = process.cpuUsage(c0);
on = false;
console.log(
  `create (service): ${((c.user + c.system) / 1000 / N).toFixed(3)} ms CPU, ${((performance.now() - t0) / N).toFixed(3)} ms wall per create`,
);
console.log(
  `write lock held ${(hold.ms / hold.n).toFixed(3)} ms per transaction (max ${hold.max.toFixed(1)}), ${hold.n} transactions, ${(hold.statements / hold.n).toFixed(1)} statements each`,
);
if (trace) console.log(`first transaction, ms since begin:\n  ${inTx.join('\n  ')}`);
if (prof) {
  const { profile } = await s.post('Profiler.stop');
  fs.writeFileSync(prof, JSON.stringify(profile));
}
const all = [...counts].sort((a, b) => b[1].ms - a[1].ms);
console.log(
  `SQL ${(all.reduce((t, [, e]) => t + e.ms, 0) / N).toFixed(3)} ms in ${(all.reduce((t, [, e]) => t + e.n, 0) / N).toFixed(1)} statements per create`,
);
for (const [k, e] of all.slice(0, 30))
  console.log(`  ${(e.ms / N).toFixed(3)} x${(e.n / N).toFixed(2)} ${k}`);
console.log(
  'open pairs',
  await db.kysely
    .selectFrom('duplicate_pairs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'open')
    .executeTakeFirst(),
);
await app.close();
await db.close();
fs.rmSync(dataDir, { recursive: true, force: true });
