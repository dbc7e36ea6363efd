/**
 * Import benchmark: a generated CSV (1,000,000 rows by default) and XLSX (100,000 rows) imported end to end
 * through the HTTP API (upload, run, poll) on SQLite and PostgreSQL, against a bare loop that parses the same
 * file and inserts the same rows with the same indexes in the same run.
 *
 *   npm run bench:import                      # full size, both databases
 *   npm run bench:import -- --rows 100000 --xlsx-rows 10000 --db sqlite
 *   npm run bench:import -- --rows 100000 --no-csv --xlsx-order sheet-first --compiled --label xlsx
 *   npm run bench:import -- --rows 1000000 --xlsx-rows 0 --no-csv --db sqlite   # the bare loop alone: the schema's own rate
 *
 * The server runs in a child process so its peak RSS (VmHWM) is the server's alone, with the Node flags and
 * environment src/cluster.ts gives its workers (src/node-flags.ts; `--no-server-flags` without them). Options:
 * `--db`, `--no-bare`, `--compiled`, `--cpu-prof DIR`, `--searches N`, `--xlsx-order`, `--no-csv`,
 * `--node-args "..."`, `--label NAME`, `--keep` (PostgreSQL: keep the schema) (docs/performance.md, "Import").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import pg from 'pg';
import { CompiledQuery } from 'kysely';
import { openDb, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { IMPORT_LEAD_COLUMNS, type LeadInsertRow } from '../src/imports/import.repository.js';
import { serverEnv, serverNodeFlags } from '../src/node-flags.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WORK = '/tmp/leadflow-import-bench';
const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

/** The 1, 5 and 15-minute load averages, as every figure here reports them. */
function loadavg(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const HEADER = [
  'Lead Id',
  'First Name',
  'Last Name',
  'Email',
  'Phone',
  'Company',
  'Title',
  'City',
  'Country',
  'Lead Source',
  'Status',
  'Created Date',
  'Industry',
];
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
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Müller',
  "O'Connor",
  'Hamilton',
  'Berners-Lee',
  'Kierkegaard',
  'Dubois',
  'Patel',
];
const CITIES = ['Paris', 'Zürich', 'New York', 'São Paulo', 'Mumbai', 'Cork', 'Berlin', 'Tokyo'];
const COUNTRIES = ['FR', 'CH', 'US', 'BR', 'IN', 'IE', 'DE', 'JP'];
const SOURCES = ['Web', 'Trade Show', 'Partner Referral', 'Cold Call', 'Google'];
const STATUSES = ['New', 'Qualified', 'Open - Not Contacted', 'In process', 'Working - Contacted'];
const INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Retail, Consumer', 'Energy'];

/**
 * `--dups P` (a percentage): a file of distinct people of whom about P% of the rows repeat an earlier person
 * (same names, email, phone and company under another Lead Id), the kind of duplicates a real import holds.
 * Without it, the historical file: phone `i % 10000` and names cycling, so at 1M rows every phone is shared by
 * 100 leads with the same last name (every person 33 times: ~16M flagged pairs), kept as the stress case.
 */
const DUPS = arg('dups', '');
if (DUPS !== '' && !(Number(DUPS) >= 0 && Number(DUPS) <= 100)) throw new Error(`--dups ${DUPS}: 0-100`);
const SYLLABLES = 'ka ri to len mar bel sor din va pel gru nos hal tem vik ro sa lu fen dor'.split(' ');
const mix = (i: number, salt: number) => Math.imul(i ^ salt, 2654435761) >>> 0;
/** The person row `i` is: itself, or (P% of rows) an earlier row's person. */
function personOf(i: number): number {
  while (i > 0 && mix(i, 0x9e37) % 10000 < Number(DUPS) * 100) i = mix(i, 0x85eb) % i;
  return i;
}

function row(i: number): string[] {
  if (DUPS !== '') return distinctRow(i);
  const f = FIRST[i % FIRST.length];
  const l = LAST[(i * 7) % LAST.length];
  const day = String((i % 28) + 1).padStart(2, '0');
  return [
    `B-${i}`,
    f,
    l,
    `${f.toLowerCase().replace(/[^a-z]/g, '')}.${i}@example.com`,
    `+1 415-555-${String(i % 10000).padStart(4, '0')}`,
    `Company ${i % 50000} Ltd`,
    'Sales Director',
    CITIES[i % 8],
    COUNTRIES[i % 8],
    SOURCES[i % 5],
    STATUSES[i % 5],
    `${day}-0${(i % 9) + 1}-2024 10:30`,
    INDUSTRIES[i % 5],
  ];
}

/** `--dups P`: 12 first names x 8,000 last names, a phone and an email of each person's own. */
function distinctRow(i: number): string[] {
  const p = personOf(i);
  const h = mix(p, 0x5bd1);
  const f = FIRST[p % FIRST.length];
  const syl = [h % 20, Math.floor(h / 20) % 20, Math.floor(h / 400) % 20].map((k) => SYLLABLES[k]).join('');
  const l = syl[0].toUpperCase() + syl.slice(1);
  const day = String((i % 28) + 1).padStart(2, '0');
  return [
    `B-${i}`,
    f,
    l,
    `${f.toLowerCase().replace(/[^a-z]/g, '')}.${l.toLowerCase()}.${p}@example.com`,
    `+1 ${200 + (Math.floor(p / 10000) % 800)}-555-${String(p % 10000).padStart(4, '0')}`,
    `Company ${p % 50000} Ltd`,
    'Sales Director',
    CITIES[p % 8],
    COUNTRIES[p % 8],
    SOURCES[i % 5],
    STATUSES[i % 5],
    `${day}-0${(i % 9) + 1}-2024 10:30`,
    INDUSTRIES[p % 5],
  ];
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

async function makeCsv(rows: number): Promise<string> {
  const file = path.join(WORK, `leads-${rows}${DUPS !== '' ? `-dups${DUPS}` : ''}.csv`);
  if (fs.existsSync(file)) return file;
  const out = fs.createWriteStream(file);
  out.write(HEADER.join(',') + '\r\n');
  for (let i = 0; i < rows; i += 10000) {
    const chunk: string[] = [];
    for (let j = i; j < Math.min(rows, i + 10000); j++) chunk.push(row(j).map(csvCell).join(','));
    if (!out.write(chunk.join('\r\n') + '\r\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return file;
}

/**
 * The XLSX files: text in shared strings, as Excel writes it, in two orders of the zip's parts (issue 15: the
 * peak must not depend on it). `sheet-first`: the worksheet before the shared strings and the workbook parts,
 * as Excel and exceljs' streaming writer store them; a streaming reader cannot resolve the sheet's cells until
 * it has read the strings behind it. `strings-first`: the workbook, its relations and the shared strings before
 * the sheet, so the sheet can be read as it streams by. Same parts, same bytes, only their order differs.
 */
type XlsxOrder = 'sheet-first' | 'strings-first';
const XLSX_ORDERS: Record<XlsxOrder, (name: string) => number> = {
  'sheet-first': (n) => (n.startsWith('xl/worksheets/') ? 0 : 1),
  'strings-first': (n) => (n.startsWith('xl/worksheets/') ? 1 : 0),
};

async function makeXlsx(rows: number, order: XlsxOrder): Promise<string> {
  const file = path.join(WORK, `leads-${rows}${DUPS !== '' ? `-dups${DUPS}` : ''}-${order}.xlsx`);
  if (fs.existsSync(file)) return file;
  const base = path.join(WORK, `leads-${rows}${DUPS !== '' ? `-dups${DUPS}` : ''}-exceljs.xlsx`);
  if (!fs.existsSync(base)) {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: base,
      useSharedStrings: true,
      useStyles: false,
    });
    const ws = wb.addWorksheet('Leads');
    ws.addRow(HEADER).commit();
    for (let i = 0; i < rows; i++) ws.addRow(row(i)).commit();
    ws.commit();
    await wb.commit();
  }
  // Rewritten part by part in the chosen order (a stable sort keeps each group's order as exceljs wrote it).
  const zip = await JSZip.loadAsync(fs.readFileSync(base));
  const names = Object.keys(zip.files).filter((n) => !zip.files[n].dir);
  const rank = XLSX_ORDERS[order];
  const out = new JSZip();
  for (const n of [...names].sort((a, b) => rank(a) - rank(b)))
    out.file(n, await zip.file(n)!.async('nodebuffer'));
  const buf = await out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  fs.writeFileSync(file, buf);
  return file;
}

interface Target {
  dialect: 'sqlite' | 'postgres';
  databaseUrl: string;
  open(): Db;
  cleanup(): Promise<void>;
}

async function target(dialect: 'sqlite' | 'postgres', label: string): Promise<Target> {
  if (dialect === 'sqlite') {
    const file = path.join(WORK, `${label}-${randomBytes(3).toString('hex')}.db`);
    return {
      dialect,
      databaseUrl: `sqlite:${file}`,
      open: () => openDb({ dialect, sqlitePath: file }),
      cleanup: async () => {
        // BENCH_KEEP_DB=1 keeps the SQLite file (its path is printed) for EXPLAIN QUERY PLAN after a run.
        if (process.env.BENCH_KEEP_DB === '1') return console.log(`kept ${file}`);
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      },
    };
  }
  const schema = `bench_import_${label}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dialect,
    databaseUrl: url.toString(),
    open: () => openDb({ dialect, databaseUrl: PG_URL, pgSchema: schema, poolSize: 5 }),
    cleanup: async () => {
      // `--keep`: leave the schema (to EXPLAIN the import's statements against it); drop it by hand after.
      if (process.argv.includes('--keep')) return console.log(`kept schema ${schema}`);
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/**
 * The server's Node flags, as src/cluster.ts gives its workers (`--no-server-flags`: without them, to compare);
 * `--node-args "..."`: extra Node/V8 flags for the server process (memory experiments), split on spaces.
 */
function serverArgs(): string[] {
  return [
    ...(process.argv.includes('--no-server-flags') ? [] : serverNodeFlags([])),
    ...arg('node-args', '').split(' ').filter(Boolean),
  ];
}

/** The server's environment beside the bench's own, as src/cluster.ts forks its workers. */
function serverEnvironment(): Record<string, string> {
  return process.argv.includes('--no-server-flags') ? {} : serverEnv();
}

/** What every import run reports, CSV or XLSX: its rates, times, the server's peaks and how it ran. */
function runFigures(run: Awaited<ReturnType<typeof importThroughApi>>, rows: number) {
  return {
    rows,
    file: DUPS !== '' ? `distinct people, ${DUPS}% repeated (--dups ${DUPS})` : 'cycling phones and names',
    api_rows_per_s: Math.round(rows / run.runSeconds),
    api_run_s: +run.runSeconds.toFixed(1),
    upload_s: +run.uploadSeconds.toFixed(1),
    end_to_end_s: +run.totalSeconds.toFixed(1),
    server_peak_rss_mb: run.peakRssMb,
    peak_rss_before_run_mb: run.uploadPeakRssMb,
    server: process.argv.includes('--compiled') ? 'dist (node)' : 'tsx',
    server_node_args: serverArgs().join(' '),
    server_env: serverEnvironment(),
    loadavg: loadavg(),
    curve_s_rows: run.curve,
  };
}

/** Runs the real server in a child process and imports `file` through HTTP. */
async function importThroughApi(t: Target, file: string, rows: number, searches = 0) {
  const db = t.open();
  await migrateToLatest(db.kysely);
  await db.close();
  const port = 3900 + Math.floor(Math.random() * 500);
  // `--compiled`: the server as `npm start` runs it (dist/, after `npm run build:server`) instead of through tsx.
  // `--cpu-prof DIR`: a V8 CPU profile of the server, written to DIR when it stops.
  const compiled = process.argv.includes('--compiled');
  const prof = arg('cpu-prof', '');
  const entry = compiled
    ? [path.join(here, '..', 'dist', 'src', 'main.js')]
    : ['--import', 'tsx', path.join(here, '..', 'src', 'main.ts')];
  const nodeArgs = serverArgs();
  const child = spawn(
    process.execPath,
    [...nodeArgs, ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), ...entry],
    {
      env: {
        ...process.env,
        ...serverEnvironment(),
        PORT: String(port),
        DATABASE_URL: t.databaseUrl,
        LOG_LEVEL: 'warn',
        DATA_DIR: path.join(WORK, 'data'),
        IMPORT_MAX_BYTES: String(2 ** 34),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('running on') && resolve());
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}/api/v1`;
  try {
    const su = await fetch(`${base}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench${Date.now()}@example.com`,
        password: 'correct horse battery',
        name: 'Bench',
        organization_name: 'Bench',
      }),
    });
    const token = ((await su.json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    const t0 = performance.now();
    const form = new FormData();
    form.append('file', await fs.openAsBlob(file), path.basename(file));
    const up = await fetch(`${base}/imports`, { method: 'POST', headers: auth, body: form });
    if (up.status !== 201) throw new Error(`upload: ${up.status} ${await up.text()}`);
    const id = ((await up.json()) as { id: number }).id;
    const t1 = performance.now();
    const hwm = () =>
      Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    // The peak before the run: the idle server plus the upload and its column scan.
    const uploadPeakKb = hwm();
    const run = await fetch(`${base}/imports/${id}/run`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      // The generated file repeats emails and phones (a pool of names); its Lead Id is unique. Since issue 15
      // duplicates default to every identifier of the file, so dedupe on the id alone keeps every row a create.
      body: JSON.stringify({ dedupe: { on: ['external_id'], policy: 'skip' } }),
    });
    if (run.status !== 202) throw new Error(`run: ${run.status} ${await run.text()}`);
    let job: Record<string, any>;
    // The rate against the rows already in: [seconds into the run, rows created], every 15 s (printed as it goes).
    const curve: Array<[number, number]> = [];
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      job = (await (await fetch(`${base}/imports/${id}`, { headers: auth })).json()) as Record<string, any>;
      if (['completed', 'failed'].includes(job.status)) break;
      const s = (performance.now() - t1) / 1000;
      if (s >= (curve.at(-1)?.[0] ?? 0) + 15) {
        const created = Number(job.counts?.created ?? 0);
        const [ps, pr] = curve.at(-1) ?? [0, 0];
        curve.push([Math.round(s), created]);
        const load = loadavg().split(' ')[0];
        console.log(
          `  ${Math.round(s)} s: ${created} rows, ${Math.round((created - pr) / (s - ps))} rows/s, load ${load}`,
        );
      }
    }
    const t2 = performance.now();
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const search = searches > 0 ? await searchLatency(base, auth, searches) : null;
    if (job.status !== 'completed' || job.counts.created !== rows)
      throw new Error(`import ended ${job.status}: ${JSON.stringify(job.counts)} ${job.error}`);
    return {
      uploadSeconds: (t1 - t0) / 1000,
      runSeconds: (t2 - t1) / 1000,
      totalSeconds: (t2 - t0) / 1000,
      peakRssMb: Math.round(peakKb / 1024),
      uploadPeakRssMb: Math.round(uploadPeakKb / 1024),
      counts: job.counts,
      curve,
      search,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/**
 * Search latency on the imported leads: `GET /leads?q=` for prefixes of names, an email, a phone and a company,
 * one at a time, after the import (issue 15: p99 must not get worse by more than 20%).
 */
async function searchLatency(base: string, auth: Record<string, string>, n: number) {
  const terms = [
    'lov',
    'hopper',
    'tur',
    'müll',
    'ada',
    'grace.12',
    'company 123',
    'kierkegaard',
    '555-01',
    'zoe',
  ];
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = terms[i % terms.length];
    const t0 = performance.now();
    const res = await fetch(`${base}/leads?q=${encodeURIComponent(q)}&limit=50`, { headers: auth });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`search ${q}: ${res.status}`);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => +ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))].toFixed(1);
  return { n, p50_ms: at(50), p99_ms: at(99) };
}

/** The baseline: parse the same CSV and insert the same rows (leads + status history) in 500-row transactions. */
async function bareLoop(t: Target, file: string, rows: number) {
  const db = t.open();
  await migrateToLatest(db.kysely);
  const now = new Date().toISOString();
  const org = await db.kysely
    .insertInto('organizations')
    .values({ name: 'bare', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The default pipeline's first statuses, as signup makes them, so the file's statuses map the same way.
  const statusRows = ['new', 'assigned', 'in_process', 'qualified'].map((key, i) => ({
    org_id: org.id,
    key,
    label: key === 'in_process' ? 'In process' : key[0].toUpperCase() + key.slice(1),
    position: i * 10,
    category: 'open',
    reason_required: 0,
    is_default: key === 'new' ? 1 : 0,
    created_at: now,
  }));
  const statusByName = new Map<string, number>();
  for (const st of await db.kysely
    .insertInto('statuses')
    .values(statusRows)
    .returning(['id', 'key', 'label'])
    .execute()) {
    statusByName.set(st.key, st.id);
    statusByName.set(st.label.toLowerCase(), st.id);
  }
  const defaultStatus = statusByName.get('new')!;
  const cols = IMPORT_LEAD_COLUMNS.map(([c]) => c);
  const one = `(${cols.map(() => '?').join(', ')})`;
  const t0 = performance.now();
  const parser = fs
    .createReadStream(file)
    .pipe(parse({ delimiter: ',', relax_column_count: true, from_line: 2 }));
  let batch: LeadInsertRow[] = [];
  let n = 0;
  const flush = async () => {
    const b = batch;
    batch = [];
    await db.kysely.transaction().execute(async (trx) => {
      let ids: number[];
      if (t.dialect === 'postgres') {
        const text = `INSERT INTO leads (${cols.join(', ')}) SELECT * FROM unnest(${IMPORT_LEAD_COLUMNS.map(([, ty], i) => `$${i + 1}::${ty}[]`).join(', ')}) RETURNING id`;
        ids = (
          await trx.executeQuery<{ id: number }>(
            CompiledQuery.raw(
              text,
              IMPORT_LEAD_COLUMNS.map(([c]) => b.map((r) => r[c])),
            ),
          )
        ).rows.map((r) => r.id);
        await trx.executeQuery(
          CompiledQuery.raw(
            'INSERT INTO status_history (org_id, lead_id, to_status_id, created_at) SELECT $1::int, l, s, $2::text FROM unnest($3::int[], $4::int[]) AS t(l, s)',
            [org.id, now, ids, b.map((r) => r.status_id)],
          ),
        );
      } else {
        const params: unknown[] = [];
        for (const r of b) for (const c of cols) params.push(r[c]);
        ids = (
          await trx.executeQuery<{ id: number }>(
            CompiledQuery.raw(
              `INSERT INTO leads (${cols.join(', ')}) VALUES ${Array(b.length).fill(one).join(', ')} RETURNING id`,
              params,
            ),
          )
        ).rows.map((r) => r.id);
        await trx
          .insertInto('status_history')
          .values(
            ids.map((id, i) => ({
              org_id: org.id,
              lead_id: id,
              to_status_id: b[i].status_id as number,
              created_at: now,
            })),
          )
          .execute();
      }
    });
  };
  for await (const r of parser as AsyncIterable<string[]>) {
    // The same values the importer stores, computed the shortest way for this known file.
    const lead = Object.fromEntries(cols.map((c) => [c, null])) as LeadInsertRow;
    const statusId = statusByName.get(r[10].toLowerCase());
    const custom: Record<string, string> = { phone_e164: r[4].replace(/[\s-]/g, '') };
    if (statusId === undefined) custom.status = r[10];
    custom.industry = r[12];
    const [d, m, rest] = r[11].split('-');
    const [y, time] = rest.split(' ');
    Object.assign(lead, {
      org_id: org.id,
      external_id: r[0],
      first_name: r[1],
      last_name: r[2],
      email: r[3].toLowerCase(),
      phone: r[4],
      company_name: r[5],
      job_title: r[6],
      city: r[7],
      country: r[8],
      source: r[9],
      status_id: statusId ?? defaultStatus,
      custom_fields: JSON.stringify(custom),
      status_changed_at: now,
      created_at: `${y}-${m}-${d.padStart(2, '0')}T${time}:00.000Z`,
      updated_at: now,
      version: 1,
    });
    batch.push(lead);
    n++;
    if (batch.length >= 500) await flush();
  }
  if (batch.length) await flush();
  const seconds = (performance.now() - t0) / 1000;
  await db.close();
  if (n !== rows) throw new Error(`bare loop read ${n} rows, expected ${rows}`);
  return { seconds, rate: Math.round(rows / seconds) };
}

async function main() {
  const rows = Number(arg('rows', '1000000'));
  const xlsxRows = Number(arg('xlsx-rows', '100000'));
  const dbs =
    arg('db', 'both') === 'both'
      ? (['sqlite', 'postgres'] as const)
      : ([arg('db', 'sqlite')] as Array<'sqlite' | 'postgres'>);
  fs.mkdirSync(WORK, { recursive: true });
  console.log(
    `generating ${rows.toLocaleString()}-row CSV and ${xlsxRows.toLocaleString()}-row XLSX in ${WORK} ...`,
  );
  const csv = await makeCsv(rows);
  // `--xlsx-order sheet-first|strings-first|both` (default both: one XLSX measurement per order).
  const orderArg = arg('xlsx-order', 'both');
  const orders = (orderArg === 'both' ? Object.keys(XLSX_ORDERS) : [orderArg]) as XlsxOrder[];
  if (!orders.every((o) => o in XLSX_ORDERS)) throw new Error(`--xlsx-order ${orderArg}`);
  const xlsxFiles: Array<[XlsxOrder, string]> = [];
  if (xlsxRows > 0) for (const o of orders) xlsxFiles.push([o, await makeXlsx(xlsxRows, o)]);
  const results: Record<string, unknown>[] = [];
  for (const dialect of dbs) {
    let bare: { rate: number } | null = null;
    if (!process.argv.includes('--no-bare')) {
      const bt = await target(dialect, 'bare');
      try {
        bare = await bareLoop(bt, csv, rows);
      } finally {
        await bt.cleanup();
      }
    }
    // `--no-csv`: the XLSX files only.
    const at = process.argv.includes('--no-csv') ? null : await target(dialect, 'api');
    let api;
    try {
      if (at) api = await importThroughApi(at, csv, rows, Number(arg('searches', '200')));
    } finally {
      await at?.cleanup();
    }
    if (!api && bare) {
      // `--no-csv` without `--no-bare`: the bare loop alone, i.e. what inserting the rows into today's schema costs.
      const r = {
        dialect,
        format: 'csv',
        rows,
        bare_only: true,
        bare_rows_per_s: bare.rate,
        loadavg: loadavg(),
      };
      console.log(JSON.stringify(r));
      results.push(r);
      save(rows, results);
    }
    if (api) {
      const rate = Math.round(rows / api.runSeconds);
      const r = {
        dialect,
        format: 'csv',
        ...runFigures(api, rows),
        bare_rows_per_s: bare?.rate ?? null,
        ratio_to_bare: bare ? +(rate / bare.rate).toFixed(2) : null,
        search_q_p50_ms: api.search?.p50_ms ?? null,
        search_q_p99_ms: api.search?.p99_ms ?? null,
      };
      console.log(JSON.stringify(r));
      results.push(r);
      save(rows, results);
    }
    for (const [order, xlsx] of xlsxFiles) {
      const xt = await target(dialect, 'xlsx');
      try {
        const x = await importThroughApi(xt, xlsx, xlsxRows);
        const xr = { dialect, format: 'xlsx', xlsx_order: order, ...runFigures(x, xlsxRows) };
        console.log(JSON.stringify(xr));
        results.push(xr);
        save(rows, results);
      } finally {
        await xt.cleanup();
      }
    }
  }
  fs.rmSync(path.join(WORK, 'data'), { recursive: true, force: true });
  console.log(`results written to ${path.relative(process.cwd(), resultsFile(rows))}`);
}

function resultsFile(rows: number) {
  // `--label NAME`: a run's own file (…-import-<rows>-NAME.json), so a before/after pair does not overwrite.
  const label = arg('label', '');
  return path.join(
    here,
    'results',
    `${new Date().toISOString().slice(0, 10)}-import-${rows}${label ? `-${label}` : ''}.json`,
  );
}

/** Written after every measurement, so a run stopped half-way keeps what it measured. */
function save(rows: number, results: Record<string, unknown>[]) {
  const out = resultsFile(rows);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        loadavg_at_save: loadavg(),
        results,
      },
      null,
      2,
    ),
  );
}

await main();
