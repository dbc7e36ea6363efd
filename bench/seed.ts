/**
 * Bulk seeding straight through SQL (no API): many small organizations and one large one, leads interleaved in
 * time order as a real multi-tenant database grows. Secondary indexes are dropped during the load and rebuilt
 * after (a sorted build is much faster than a million random index inserts); the full-text index is kept up by
 * the schema itself (FTS5 triggers on SQLite, the generated tsvector column on PostgreSQL).
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { nowIso } from '../src/db/dialect.js';
import type { Db } from '../src/db/database.js';
import { createStatusRepository } from '../src/pipeline/status.repository.js';
import { makeLead, makeTags, rng, SEED_COLUMNS, type SeedOrg } from './data.js';
import { refill as refillStays } from '../src/db/migrations/0240_status_stays_owner.js';
import { refill as refillActivity } from '../src/db/migrations/0221_activity_rollups.js';
import { refill as refillOutcomes } from '../src/db/migrations/0222_lead_outcomes.js';
import { refill as refillDays } from '../src/db/migrations/0224_lead_days.js';

/**
 * The report tables kept by row triggers on leads, status history, follow-ups and tasks (migrations 0220-0224).
 * The seed pauses these triggers while it loads and fills the tables once afterwards, set-based, as their
 * migrations do: run once per row, they made the load of 1.75M history rows take over 20 minutes on SQLite.
 * (lead_rollups and lead_totals keep firing during the load, as before.)
 */
const PAUSED_TRIGGERS = /^(status_stays|status_stay_totals|activity_rollups|lead_outcomes|lead_days)_/;

async function pauseReportTriggers(db: Db): Promise<() => Promise<void>> {
  const k = db.kysely;
  if (db.dialect === 'sqlite') {
    const all = await sql<{
      name: string;
      sql: string;
    }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`.execute(k);
    const paused = all.rows.filter((t) => PAUSED_TRIGGERS.test(t.name));
    for (const t of paused) await sql.raw(`DROP TRIGGER ${t.name}`).execute(k);
    return async () => {
      for (const t of paused) await sql.raw(t.sql).execute(k);
    };
  }
  const all = await sql<{
    name: string;
    tbl: string;
  }>`SELECT t.tgname AS name, c.relname AS tbl FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace`.execute(
    k,
  );
  const paused = all.rows.filter((t) => PAUSED_TRIGGERS.test(t.name));
  for (const t of paused) await sql.raw(`ALTER TABLE ${t.tbl} DISABLE TRIGGER ${t.name}`).execute(k);
  return async () => {
    for (const t of paused) await sql.raw(`ALTER TABLE ${t.tbl} ENABLE TRIGGER ${t.name}`).execute(k);
  };
}

export interface SeedTarget {
  db: Db;
  sqlitePath?: string;
  pgUrl?: string;
  pgSchema?: string;
}

export interface SeedOptions {
  leads: number;
  /** The organization the benchmark queries (created through signup, so it has a real user and token). */
  bigOrg: { id: number; ownerId: number };
  /** Share of all leads that belong to the large organization. */
  bigShare: number;
  /**
   * Also write what the reports read (bench/report-scenarios.ts): the status history (every lead's first
   * status, and a second entry for leads past "new"), follow-ups on a tenth of the leads (half of them open)
   * and tasks on a twentieth. Set-based INSERT ... SELECT after the leads, the same on both databases.
   */
  activity?: boolean;
  seed: number;
  log: (msg: string) => void;
}

export interface SeedResult {
  orgs: number;
  bigOrgLeads: number;
  seconds: number;
  indexSeconds: number;
}

const YEARS_MS = 3 * 365 * 86400_000;
const BATCH = 5000;

export async function seed(target: SeedTarget, opts: SeedOptions): Promise<SeedResult> {
  const t0 = performance.now();
  const r = rng(opts.seed);
  const kysely = target.db.kysely;
  const smallCount = Math.max(20, Math.round((opts.leads * (1 - opts.bigShare)) / 1000));
  const now = nowIso();

  // Small organizations with the default pipeline, as signup makes them (no users: their leads have no owner).
  const statuses = createStatusRepository(kysely);
  await kysely.transaction().execute(async (trx) => {
    for (let i = 0; i < smallCount; i++) {
      const org = await trx
        .insertInto('organizations')
        .values({ name: `Bench org ${i + 1}`, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await statuses.insertDefaults(trx, org.id, now);
    }
  });
  const rows = await kysely.selectFrom('statuses').select(['id', 'org_id', 'key']).execute();
  const orgs = new Map<number, SeedOrg>();
  for (const s of rows) {
    let o = orgs.get(s.org_id);
    if (!o)
      orgs.set(
        s.org_id,
        (o = {
          id: s.org_id,
          statusIds: new Map(),
          ownerId: s.org_id === opts.bigOrg.id ? opts.bigOrg.ownerId : null,
        }),
      );
    o.statusIds.set(s.key, s.id);
  }
  const big = orgs.get(opts.bigOrg.id)!;
  const small = [...orgs.values()].filter((o) => o.id !== big.id);

  const start = Date.now() - YEARS_MS;
  const step = YEARS_MS / opts.leads;
  let bigOrgLeads = 0;
  const nextLead = (i: number) => {
    const org = r.next() < opts.bigShare ? big : small[r.int(small.length)];
    if (org === big) bigOrgLeads++;
    const row = makeLead(r, org, Math.floor(start + i * step + r.int(Math.max(1, Math.floor(step)))));
    return { row, tags: makeTags(r) };
  };

  let indexSeconds: number;
  const resume = await pauseReportTriggers(target.db);
  if (target.db.dialect === 'sqlite') indexSeconds = seedSqlite(target.sqlitePath!, opts, nextLead);
  else indexSeconds = await seedPostgres(target.pgUrl!, target.pgSchema!, opts, nextLead);
  if (opts.activity) await seedActivity(target, opts);
  const t = performance.now();
  await target.db.kysely.transaction().execute(async (k) => {
    if (target.db.dialect === 'postgres') await sql`SET LOCAL statement_timeout = 0`.execute(k);
    await refillStays(k);
    await refillActivity(k);
    await refillOutcomes(k);
    await refillDays(k);
  });
  await resume();
  for (const table of [
    'status_stays',
    'status_stay_totals',
    'activity_rollups',
    'lead_outcomes',
    'lead_days',
  ])
    // VACUUM on PostgreSQL too: time in status walks an index of status_stays to the middle row, and an
    // index-only scan checks the heap for each row until the visibility map is set (autovacuum does it later).
    await sql
      .raw(`${target.db.dialect === 'postgres' ? 'VACUUM ' : ''}ANALYZE ${table}`)
      .execute(target.db.kysely);
  opts.log(`  report tables (0220-0224) filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { orgs: orgs.size, bigOrgLeads, seconds: (performance.now() - t0) / 1000, indexSeconds };
}

async function seedActivity(target: SeedTarget, opts: SeedOptions): Promise<void> {
  const db = target.db;
  const t = performance.now();
  // One transaction; on PostgreSQL without the server's statement timeout (these statements run for minutes).
  await db.kysely.transaction().execute(async (k) => {
    const run = (q: string) => sql.raw(q).execute(k);
    if (db.dialect === 'postgres') await run('SET LOCAL statement_timeout = 0');
    await run(`INSERT INTO status_history (org_id, lead_id, from_status_id, to_status_id, created_by, created_at)
    SELECT l.org_id, l.id, NULL, s.id, l.created_by, l.created_at FROM leads l
    JOIN statuses s ON s.org_id = l.org_id AND s.key = 'new' ORDER BY l.id`);
    await run(`INSERT INTO status_history (org_id, lead_id, from_status_id, to_status_id, created_by, created_at)
    SELECT l.org_id, l.id, s.id, l.status_id, l.updated_by, l.updated_at FROM leads l
    JOIN statuses s ON s.org_id = l.org_id AND s.key = 'new' WHERE l.status_id <> s.id ORDER BY l.id`);
    await run(`INSERT INTO follow_ups (org_id, lead_id, scheduled_at, done_at, created_by, created_at, updated_at)
    SELECT org_id, id, updated_at, CASE WHEN id % 20 = 0 THEN NULL ELSE updated_at END, created_by, created_at,
      updated_at FROM leads WHERE id % 10 = 0 ORDER BY id`);
    await run(`INSERT INTO tasks (org_id, lead_id, type, title, created_by, created_at, updated_at)
    SELECT org_id, id, 'call', 'Call back', created_by, created_at, created_at FROM leads WHERE id % 20 = 3
    ORDER BY id`);
  });
  const tables = ['status_history', 'follow_ups', 'tasks'];
  if (db.dialect === 'postgres') {
    // VACUUM (index-only scans need the visibility map) on a connection of its own, without a statement timeout.
    const c = new pg.Client({ connectionString: target.pgUrl, options: `-c search_path=${target.pgSchema}` });
    await c.connect();
    try {
      for (const table of ['leads', ...tables]) await c.query(`VACUUM ANALYZE ${table}`);
    } finally {
      await c.end();
    }
  } else for (const table of tables) await sql.raw(`ANALYZE ${table}`).execute(db.kysely);
  opts.log(`  status history, follow-ups and tasks in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/** The i-th lead (the same on both databases for one seed) and its tags. */
type NextLead = (i: number) => { row: unknown[]; tags: string[] };

function seedSqlite(file: string, opts: SeedOptions, nextLead: NextLead): number {
  const conn = new SQLite(file);
  try {
    conn.pragma('synchronous = OFF');
    conn.pragma('cache_size = -262144');
    const indexes = conn
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('leads', 'lead_tags') AND sql IS NOT NULL`,
      )
      .all() as Array<{ name: string; sql: string }>;
    for (const ix of indexes) conn.exec(`DROP INDEX ${ix.name}`);
    // The full-text index is rebuilt once after the load (FTS5 'rebuild' over the content table) instead of one
    // trigger insert per lead: at 1M leads that trigger was most of the seeding time.
    const ftsInsert = conn
      .prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'leads_fts_ai'`)
      .get() as { sql: string } | undefined;
    if (ftsInsert) conn.exec('DROP TRIGGER leads_fts_ai');
    const insLead = conn.prepare(
      `INSERT INTO leads (${SEED_COLUMNS.join(', ')}) VALUES (${SEED_COLUMNS.map(() => '?').join(', ')})`,
    );
    const insTag = conn.prepare('INSERT INTO lead_tags (org_id, lead_id, tag) VALUES (?, ?, ?)');
    const batch = conn.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const { row, tags } = nextLead(i);
        const id = Number(insLead.run(...row).lastInsertRowid);
        for (const tag of tags) insTag.run(row[0], id, tag);
      }
    });
    for (let i = 0; i < opts.leads; i += BATCH) {
      batch(i, Math.min(opts.leads, i + BATCH));
      if ((i / BATCH) % 40 === 39) opts.log(`  ${i + BATCH} leads`);
    }
    const t = performance.now();
    if (ftsInsert) {
      conn.exec(`INSERT INTO leads_fts(leads_fts) VALUES ('rebuild')`);
      conn.exec(ftsInsert.sql);
    }
    for (const ix of indexes) conn.exec(ix.sql);
    conn.exec('ANALYZE');
    return (performance.now() - t) / 1000;
  } finally {
    conn.close();
  }
}

const PG_TYPES: Record<(typeof SEED_COLUMNS)[number], string> = {
  org_id: 'int',
  first_name: 'text',
  last_name: 'text',
  title: 'text',
  job_title: 'text',
  email: 'text',
  phone: 'text',
  company_name: 'text',
  website: 'text',
  source: 'text',
  status_id: 'int',
  owner_id: 'int',
  value_cents: 'bigint',
  currency: 'text',
  probability: 'int',
  rating: 'int',
  city: 'text',
  country: 'text',
  custom_fields: 'text',
  status_changed_at: 'text',
  created_at: 'text',
  updated_at: 'text',
  created_by: 'int',
  updated_by: 'int',
  deleted_at: 'text',
  version: 'int',
};

async function seedPostgres(
  url: string,
  schema: string,
  opts: SeedOptions,
  nextLead: NextLead,
): Promise<number> {
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    await c.query(`SET synchronous_commit = off`);
    await c.query(`SET maintenance_work_mem = '512MB'`);
    const { rows: indexes } = await c.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('leads', 'lead_tags')
         AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
      [schema],
    );
    for (const ix of indexes) await c.query(`DROP INDEX ${ix.indexname}`);
    const insLead = `INSERT INTO leads (${SEED_COLUMNS.join(', ')}) SELECT * FROM unnest(${SEED_COLUMNS.map((col, i) => `$${i + 1}::${PG_TYPES[col]}[]`).join(', ')}) RETURNING id, org_id`;
    for (let from = 0; from < opts.leads; from += BATCH) {
      const to = Math.min(opts.leads, from + BATCH);
      const cols: unknown[][] = SEED_COLUMNS.map(() => []);
      const tagsOf: string[][] = [];
      for (let i = from; i < to; i++) {
        const { row, tags } = nextLead(i);
        for (let j = 0; j < row.length; j++) cols[j].push(row[j]);
        tagsOf.push(tags);
      }
      await c.query('BEGIN');
      const { rows } = await c.query<{ id: number; org_id: number }>(insLead, cols);
      const tOrg: number[] = [];
      const tLead: number[] = [];
      const tTag: string[] = [];
      // RETURNING gives the rows in insertion order here (one INSERT ... SELECT from unnest).
      for (const [k, row] of rows.entries()) {
        for (const tag of tagsOf[k]) {
          tOrg.push(row.org_id);
          tLead.push(row.id);
          tTag.push(tag);
        }
      }
      await c.query(
        'INSERT INTO lead_tags (org_id, lead_id, tag) SELECT * FROM unnest($1::int[], $2::int[], $3::text[])',
        [tOrg, tLead, tTag],
      );
      await c.query('COMMIT');
      if ((from / BATCH) % 40 === 39) opts.log(`  ${to} leads`);
    }
    const t = performance.now();
    for (const ix of indexes) await c.query(ix.indexdef);
    await c.query('VACUUM ANALYZE leads');
    await c.query('VACUUM ANALYZE lead_tags');
    await c.query('ANALYZE');
    return (performance.now() - t) / 1000;
  } finally {
    await c.end();
  }
}
