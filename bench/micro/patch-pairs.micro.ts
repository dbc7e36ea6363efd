/**
 * A PATCH of one lead in an organization with many duplicate pairs (docs/performance.md, "Import memory and the
 * update path's pairs, session 11"): every PATCH refreshes the lead's duplicate keys and pairs, and before session
 * 11 that refresh read (and deleted from) the pairs of the whole organization, not the lead's. Imports LEADS
 * leads, files PAIRS pairs between them (one in ten dismissed), refreshes the planner's statistics as an import
 * does, then times N PATCHes of a lead with pairs, and three imports of 500 rows of those leads with the "update"
 * policy (each refreshes 500 leads' pairs in one batch). SQLite in memory by default; TEST_DATABASE_URL for
 * PostgreSQL. `STATS=none` (SQLite): without statistics on duplicate_pairs, as a database no import or
 * `PRAGMA optimize` has analyzed since the pairs came.
 *
 *   npx tsx bench/micro/patch-pairs.micro.ts [LEADS=3000] [PAIRS=300000] [N=200]
 */
import { sql } from 'kysely';
import { createTestApp, signup } from '../../test/helpers.js';
import { importFile } from '../../test/imports.helpers.js';
import { createDuplicateRepository } from '../../src/duplicates/duplicates.repository.js';
import { refreshStats } from '../../src/imports/import.runner.js';

const LEADS = Number(process.argv[2] ?? 3000);
const PAIRS = Number(process.argv[3] ?? 300_000);
const N = Number(process.argv[4] ?? 200);

const t = await createTestApp();
try {
  const s = await signup(t.app);
  const csv = ['First Name,Last Name,Email'];
  for (let i = 0; i < LEADS; i++) csv.push(`P${i},Q${i},p${i}@example.com`);
  const imp = await importFile(t.app, s, 'leads.csv', csv.join('\n'));
  if (imp.status !== 'completed') throw new Error(`import ${imp.status}`);
  const k = t.db.kysely;
  const ids = (
    await k.selectFrom('leads').select('id').where('org_id', '=', s.orgId).orderBy('id').execute()
  ).map((r) => r.id);
  // Each lead paired with the next PAIRS / LEADS leads (wrapping), as a cycling import files them.
  const per = Math.ceil(PAIRS / ids.length);
  const pairs: Array<{ a: number; b: number; score: number; reasons: ['name'] }> = [];
  for (let i = 0; i < ids.length && pairs.length < PAIRS; i++)
    for (let j = 1; j <= per && pairs.length < PAIRS; j++)
      pairs.push({ a: ids[i], b: ids[(i + j) % ids.length], score: 0.9, reasons: ['name'] });
  const seen = new Set<string>();
  const unique = pairs.filter((p) => {
    const key = `${Math.min(p.a, p.b)}-${Math.max(p.a, p.b)}`;
    return !seen.has(key) && !!seen.add(key);
  });
  const now = new Date().toISOString();
  await createDuplicateRepository().insertPairs(k, s.orgId, unique, now);
  await k
    .updateTable('duplicate_pairs')
    .set({ status: 'dismissed' })
    .where('org_id', '=', s.orgId)
    .where(
      'lead_a',
      'in',
      ids.filter((_, i) => i % 10 === 0),
    )
    .execute();
  await refreshStats(k);
  const noStats = process.env.STATS === 'none' && !process.env.TEST_DATABASE_URL;
  if (noStats) {
    await sql`DELETE FROM sqlite_stat1 WHERE tbl = 'duplicate_pairs'`.execute(k);
    await sql`ANALYZE sqlite_schema`.execute(k);
  }
  const pairsBefore = await k
    .selectFrom('duplicate_pairs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const target = ids[Math.floor(ids.length / 2)];
  const ms: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    const t0 = performance.now();
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${target}`,
      headers: s.headers,
      payload: { job_title: `Title ${i}` },
    });
    const d = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`PATCH ${res.statusCode} ${res.body}`);
    if (i >= 20) ms.push(d);
  }
  // Imports of 500 existing leads (by email) with the update policy: one batch, 500 leads' pairs refreshed.
  const updates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const rows = ['Email,Title'];
    for (let i = 0; i < 500; i++) rows.push(`p${(i * 5 + r) % LEADS}@example.com,Run ${r}`);
    const t0 = performance.now();
    const u = await importFile(t.app, s, 'update.csv', rows.join('\n'), {
      dedupe: { on: ['email'], policy: 'update' },
    });
    updates.push(performance.now() - t0);
    if (u.status !== 'completed' || u.counts.updated !== 500)
      throw new Error(`update import ${JSON.stringify(u)}`);
  }
  updates.sort((a, b) => a - b);
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))].toFixed(2);
  console.log(
    JSON.stringify({
      db: process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite',
      stats: noStats ? 'none on duplicate_pairs' : 'refreshStats',
      leads: ids.length,
      pairs: Number(pairsBefore.n),
      patches: N,
      p50_ms: +at(50),
      p90_ms: +at(90),
      p99_ms: +at(99),
      update_import_500_ms: updates.map((x) => Math.round(x)),
      loadavg: (await import('node:fs'))
        .readFileSync('/proc/loadavg', 'utf8')
        .split(' ')
        .slice(0, 3)
        .join(' '),
    }),
  );
} finally {
  await t.close();
}
