/**
 * Micro bench behind docs/decisions.md "Import speed": PostgreSQL insert paths for 500-row import batches into
 * the migrated schema (a fresh schema per variant): the `unnest()` INSERT the lead repository uses, COPY
 * (pg-copy-streams) into a temp staging table then INSERT ... SELECT, and the rollup trigger disabled.
 *
 *   npx tsx bench/micro/import-pg.micro.ts 15000 unnest,copy,unnest-norollup
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { openDb } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { IMPORT_LEAD_COLUMNS } from '../../src/imports/import.repository.js';

const URL0 = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.argv[2] ?? 20000);
const variants = (process.argv[3] ?? 'unnest').split(',');
const cols = IMPORT_LEAD_COLUMNS.map(([c]) => c);
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
function lead(i: number, status: number): Record<string, unknown> {
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
    status_id: status,
    custom_fields: '{"industry":"Finance"}',
    status_changed_at: '2024-01-01',
    created_at: `2024-0${(i % 9) + 1}-${String((i % 28) + 1).padStart(2, '0')}T10:30:00.000Z`,
    updated_at: '2024-01-01',
    version: 1,
  });
  return r;
}
const esc = (v: unknown) =>
  v === null || v === undefined
    ? '\\N'
    : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
for (const v of variants) {
  const schema = `bench_micro_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: URL0 });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openDb({ dialect: 'postgres', databaseUrl: URL0, pgSchema: schema, poolSize: 1 });
  await migrateToLatest(db.kysely);
  await db.close();
  const c = new pg.Client({ connectionString: URL0, options: `-c search_path=${schema}` });
  await c.connect();
  await c.query(`INSERT INTO organizations (name, created_at) VALUES ('x', '2024')`);
  const st = (
    await c.query(
      `INSERT INTO statuses (org_id, key, label, position, category, reason_required, is_default, created_at) VALUES (1,'new','New',0,'open',0,1,'2024') RETURNING id`,
    )
  ).rows[0].id;
  if (v.includes('norollup')) await c.query('ALTER TABLE leads DISABLE TRIGGER leads_rollup_ins');
  const types = IMPORT_LEAD_COLUMNS.map(([, t]) => t);
  const t0 = performance.now();
  for (let i = 0; i < N; i += 500) {
    const rows = Array.from({ length: Math.min(500, N - i) }, (_, k) => lead(i + k, st));
    await c.query('BEGIN');
    if (v.startsWith('copy')) {
      await c.query(
        `CREATE TEMP TABLE IF NOT EXISTS leads_stage (n int, ${cols.map((col, k) => `${col} ${types[k]}`).join(', ')}) ON COMMIT DELETE ROWS`,
      );
      const text = rows.map((r, k) => [k, ...cols.map((col) => esc(r[col]))].join('\t')).join('\n') + '\n';
      await pipeline(
        Readable.from([text]),
        c.query(copyFrom(`COPY leads_stage (n, ${cols.join(', ')}) FROM STDIN`)),
      );
      await c.query(
        `INSERT INTO leads (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM leads_stage ORDER BY n RETURNING id`,
      );
    } else {
      await c.query(
        `INSERT INTO leads (${cols.join(', ')}) SELECT * FROM unnest(${types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')}) RETURNING id`,
        cols.map((col) => rows.map((r) => r[col])),
      );
    }
    await c.query('COMMIT');
  }
  const sec = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      v,
      N,
      rows_s: Math.round(N / sec),
      sec: +sec.toFixed(1),
      load: (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
    }),
  );
  await c.end();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
