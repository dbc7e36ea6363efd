/**
 * Micro bench behind docs/decisions.md "Import speed": the cost of the FTS trigger, per-batch FTS maintenance,
 * prefix settings, the rollup trigger and nine lead indexes on SQLite, inserting N generated leads in 500-row
 * multi-row INSERTs into the migrated schema. Variants run one after another in one process; compare within
 * a run (the machine is shared).
 *
 *   npx tsx bench/micro/import-sqlite.micro.ts 40000 base,bulkfts,norollup,noidx,noprefix,prefix234,automerge8
 *   npx tsx bench/micro/import-sqlite.micro.ts 60000 pre0245,base,ckpt10000,trim2,base [BATCH]
 *
 * `ckptN`: `PRAGMA wal_autocheckpoint = N` (default 1000 pages); `pre0245`: with the two indexes migration 0245
 * dropped (`leads_org_source_created_idx`, `leads_org_last_name_idx`, which 0249 put back), i.e. the schema before
 * it; `no0249`: without the last-name index of migration 0249, i.e. the schema before it; `trim2`: also
 * without `leads_org_value_idx` and `leads_org_score_idx`; `notrig`: without every insert trigger of `leads`. The
 * template database is made once per set of migrations. `cache16`: the 16 MB page cache of imports; `txN`: N
 * batches per transaction (better-sqlite3's `transaction()` inside it becomes a savepoint).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { openDb } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { IMPORT_LEAD_COLUMNS } from '../../src/imports/import.repository.js';

const N = Number(process.argv[2] ?? 50000);
const variants = (process.argv[3] ?? 'base').split(',');
const BATCH = Number(process.argv[4] ?? 500);
fs.mkdirSync('/tmp/leadflow-import-micro', { recursive: true });
const tpl = `/tmp/leadflow-import-micro/template-${Object.keys(migrations).sort().at(-1)}-${Object.keys(migrations).length}.db`;
if (!fs.existsSync(tpl)) {
  const db = openDb({ dialect: 'sqlite', sqlitePath: tpl });
  await migrateToLatest(db.kysely);
  await db.close();
  const s = new Database(tpl);
  s.pragma('wal_checkpoint(TRUNCATE)');
  s.exec(`INSERT INTO organizations (name, created_at) VALUES ('x', '2024-01-01')`);
  s.exec(
    `INSERT INTO statuses (org_id, key, label, position, category, reason_required, is_default, created_at) VALUES (1,'new','New',0,'open',0,1,'2024')`,
  );
  s.close();
}
const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Zoë',
  'Linus',
  'Margaret',
  'Tim',
  'Søren',
  'Chloé',
  'Raj',
  'Mei',
  'Olu',
];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Müller', "O'Connor", 'Hamilton', 'Berners-Lee', 'Kierkegaard'];
const cols = IMPORT_LEAD_COLUMNS.map(([c]) => c);
function lead(i: number) {
  const r: Record<string, unknown> = Object.fromEntries(cols.map((c) => [c, null]));
  const f = FIRST[i % 12];
  Object.assign(r, {
    org_id: 1,
    external_id: `B-${i}`,
    first_name: f,
    last_name: LAST[(i * 7) % 8],
    email: `${f.toLowerCase()}.${i}@example.com`,
    phone: `+1 415-555-${String(i % 10000).padStart(4, '0')}`,
    company_name: `Company ${i % 50000} Ltd`,
    job_title: 'Sales Director',
    city: 'Paris',
    country: 'FR',
    source: 'Web',
    status_id: 1,
    custom_fields: '{"industry":"Finance"}',
    status_changed_at: '2024-01-01',
    created_at: `2024-0${(i % 9) + 1}-${String((i % 28) + 1).padStart(2, '0')}T10:30:00.000Z`,
    updated_at: '2024-01-01',
    version: 1,
  });
  return r;
}
const FTS_COLS =
  'first_name, last_name, email, phone, mobile, company_name, title, city, postal_code, search_extra';
for (const [n, v] of variants.entries()) {
  const file = `/tmp/leadflow-import-micro/v-${process.pid}-${n}-${v}.db`;
  fs.copyFileSync(tpl, file);
  const s = new Database(file);
  s.pragma('journal_mode = WAL');
  s.pragma('synchronous = NORMAL');
  // `cache16`: the 16 MB page cache imports run with (src/imports/import.runner.ts); else the connection's 64 MB.
  s.pragma(v.includes('cache16') ? 'cache_size = -16384' : 'cache_size = -65536');
  // `txN`: N batches per transaction (one commit per N batches) instead of one.
  const perTx = Number(/tx(\d+)/.exec(v)?.[1] ?? 1);
  const bulkFts = v.includes('bulkfts');
  if (v.includes('nofts') || bulkFts) s.exec('DROP TRIGGER leads_fts_ai');
  if (v.includes('norollup')) s.exec('DROP TRIGGER leads_rollup_ins');
  if (v.includes('notrig'))
    for (const { name } of s
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'leads' AND sql LIKE '%INSERT ON%'`,
      )
      .all() as { name: string }[])
      s.exec(`DROP TRIGGER ${name}`);
  const ck = /ckpt(\d+)/.exec(v);
  if (ck) s.pragma(`wal_autocheckpoint = ${ck[1]}`);
  if (v.includes('pre0245'))
    s.exec(
      'CREATE INDEX leads_org_source_created_idx ON leads (org_id, source, created_at, id); CREATE INDEX IF NOT EXISTS leads_org_last_name_idx ON leads (org_id, last_name, id)',
    );
  if (v.includes('no0249')) s.exec('DROP INDEX leads_org_last_name_idx');
  if (v.includes('trim2'))
    for (const ix of ['leads_org_value_idx', 'leads_org_score_idx']) s.exec(`DROP INDEX ${ix}`);
  const m = /prefix(\d+)/.exec(v);
  if (m) {
    const p = m[1].split('').join(' ');
    s.exec(
      `DROP TABLE leads_fts; CREATE VIRTUAL TABLE leads_fts USING fts5(${FTS_COLS}, content='leads', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='${p}')`,
    );
  }
  if (v.includes('noprefix'))
    s.exec(
      `DROP TABLE leads_fts; CREATE VIRTUAL TABLE leads_fts USING fts5(${FTS_COLS}, content='leads', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
    );
  const am = /automerge(\d+)/.exec(v);
  if (am) s.exec(`INSERT INTO leads_fts(leads_fts, rank) VALUES('automerge', ${am[1]})`);
  if (v.includes('noidx'))
    for (const ix of [
      'leads_org_updated_idx',
      'leads_org_value_idx',
      'leads_org_last_name_idx',
      'leads_org_next_follow_up_idx',
      'leads_org_sub_status_idx',
      'leads_org_company_idx',
      'leads_org_team_created_idx',
      'leads_org_source_created_idx',
      'leads_org_owner_created_idx',
    ])
      s.exec(`DROP INDEX ${ix}`);
  const one = `(${cols.map(() => '?').join(',')})`;
  const stmts = new Map<number, Database.Statement>();
  const t0 = performance.now();
  let ftsMs = 0;
  for (let i = 0; i < N; i += BATCH) {
    const n = Math.min(BATCH, N - i);
    let st = stmts.get(n);
    if (!st) {
      st = s.prepare(
        `INSERT INTO leads (${cols.join(',')}) VALUES ${Array(n).fill(one).join(',')} RETURNING id`,
      );
      stmts.set(n, st);
    }
    const params: unknown[] = [];
    for (let j = i; j < i + n; j++) {
      const r = lead(j);
      for (const c of cols) params.push(r[c]);
    }
    if (perTx > 1 && (i / BATCH) % perTx === 0) s.exec('BEGIN');
    s.transaction(() => {
      const ids = st!.all(...params) as { id: number }[];
      if (bulkFts) {
        const f0 = performance.now();
        s.prepare(
          `INSERT INTO leads_fts(rowid, ${FTS_COLS}) SELECT id, ${FTS_COLS} FROM leads WHERE id BETWEEN ? AND ?`,
        ).run(ids[0].id, ids[ids.length - 1].id);
        ftsMs += performance.now() - f0;
      }
    })();
    if (perTx > 1 && ((i / BATCH) % perTx === perTx - 1 || i + BATCH >= N)) s.exec('COMMIT');
  }
  const sec = (performance.now() - t0) / 1000;
  const q0 = performance.now();
  let hits = 0;
  for (const w of ['lov', 'hop', 'tur', 'ada', 'marg', 'company 123', 'kierk', 'gra']) {
    hits += (
      s.prepare(`SELECT count(*) c FROM leads_fts WHERE leads_fts MATCH ?`).get(
        w
          .split(' ')
          .map((x) => `"${x}"*`)
          .join(' '),
      ) as { c: number }
    ).c;
  }
  const qms = performance.now() - q0;
  console.log(
    JSON.stringify({
      v,
      N,
      BATCH,
      rows_s: Math.round(N / sec),
      sec: +sec.toFixed(1),
      ftsMs: Math.round(ftsMs),
      q_ms: Math.round(qms),
      hits,
      load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
    }),
  );
  s.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}
