import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Time in status without a window over the whole status history (issue 21, docs/performance.md).
 *
 * `status_stays`: one row per completed stay, i.e. per status history row that a later row of the same lead
 * follows (ordered by created_at, then id, as the report always did): the status entered, when, and how long it
 * lasted in whole milliseconds (`ms`, exact on both databases; the report shows days). `live` follows the lead:
 * 1 live, 0 deleted, 2 merged (as `lead_totals`, 0211).
 *
 * `status_stay_totals`: per organization, live and status, the number of stays and their summed `ms`: the count
 * and the mean of an owner's report with no date range, while the median is a walk of the
 * (org_id, live, status_id, ms) index to the middle row.
 *
 * Both are kept by triggers in the writer's transaction, whoever writes (lead service, imports, bulk actions,
 * merges moving history rows to another lead, cascaded deletes): any insert, delete or move of a history row
 * recomputes that lead's stays from its history (a handful of rows); a lead deleted, restored, merged or
 * unmerged moves its stays' `live`; the totals follow the stays.
 */
const liveOf = (r: string) =>
  `CASE WHEN ${r}merged_into_id IS NOT NULL THEN 2 WHEN ${r}deleted_at IS NULL THEN 1 ELSE 0 END`;

/** Whole milliseconds from `a` to `b` (ISO text), exact on both databases. */
const msBetween = (pg: boolean, a: string, b: string) =>
  pg
    ? `round(extract(epoch from (${b}::timestamptz - ${a}::timestamptz)) * 1000)::bigint`
    : `CAST(round((julianday(${b}) - julianday(${a})) * 86400000) AS INTEGER)`;

/**
 * The stays of one lead, from its history; `org` and `lead` are SQL expressions. `owner` (migration 0240) also
 * writes the lead's owner (0 for none).
 */
export function recompute(pg: boolean, org: string, lead: string, owner = false): string {
  const ms = msBetween(pg, 'h.created_at', 'h.left_at');
  return `DELETE FROM status_stays WHERE lead_id = ${lead};
    INSERT INTO status_stays (history_id, org_id, lead_id, status_id, live, entered_at, ms${owner ? ', owner_id' : ''})
    SELECT h.id, h.org_id, h.lead_id, h.to_status_id, ${liveOf('l.')}, h.created_at, ${ms}${owner ? ', coalesce(l.owner_id, 0)' : ''}
    FROM (SELECT sh.id, sh.org_id, sh.lead_id, sh.to_status_id, sh.created_at,
            lead(sh.created_at) OVER (ORDER BY sh.created_at, sh.id) AS left_at
          FROM status_history sh WHERE sh.org_id = ${org} AND sh.lead_id = ${lead}) h
    JOIN leads l ON l.id = h.lead_id
    WHERE h.left_at IS NOT NULL;`;
}

/** A history row with a later one for the same lead (by created_at, then id): `r` was not appended last. */
export const later = (r: string) =>
  `EXISTS (SELECT 1 FROM status_history x WHERE x.org_id = ${r}.org_id AND x.lead_id = ${r}.lead_id
     AND (x.created_at > ${r}.created_at OR (x.created_at = ${r}.created_at AND x.id > ${r}.id)))`;

/**
 * The common insert: the new row is the lead's latest, so only the stay in the row before it ends (that row had
 * no stay: it was the last). An upsert, because on PostgreSQL a statement inserting several rows of one lead runs
 * its row triggers after all of them, when an earlier row's full recompute may already have written this stay.
 */
export function append(pg: boolean, owner = false): string {
  return `INSERT INTO status_stays (history_id, org_id, lead_id, status_id, live, entered_at, ms${owner ? ', owner_id' : ''})
    SELECT p.id, p.org_id, p.lead_id, p.to_status_id, ${liveOf('l.')}, p.created_at,
      ${msBetween(pg, 'p.created_at', 'NEW.created_at')}${owner ? ', coalesce(l.owner_id, 0)' : ''}
    FROM status_history p JOIN leads l ON l.id = p.lead_id
    WHERE p.org_id = NEW.org_id AND p.lead_id = NEW.lead_id
      AND (p.created_at < NEW.created_at OR (p.created_at = NEW.created_at AND p.id < NEW.id))
    ORDER BY p.created_at DESC, p.id DESC LIMIT 1
    ON CONFLICT (history_id) DO UPDATE SET status_id = excluded.status_id, live = excluded.live,
      entered_at = excluded.entered_at, ms = excluded.ms${owner ? ', owner_id = excluded.owner_id' : ''};`;
}

export const totals = (r: 'NEW' | 'OLD', sign: '' | '-') =>
  `INSERT INTO status_stay_totals (org_id, live, status_id, n, ms)
   VALUES (${r}.org_id, ${r}.live, ${r}.status_id, ${sign}1, ${sign}${r}.ms)
   ON CONFLICT (org_id, live, status_id) DO UPDATE SET n = status_stay_totals.n + excluded.n,
     ms = status_stay_totals.ms + excluded.ms;`;

/** The columns of a history row whose change moves its lead's stays. */
const HIST = 'org_id, lead_id, to_status_id, created_at';

/**
 * The history triggers, writing the owner (migration 0240) or not: on PostgreSQL the function
 * `status_stays_history` (created or replaced; its trigger `status_stays_history_iud` is made once, in `up`), on
 * SQLite the four triggers (dropped first when they exist).
 */
export async function historyTriggers(db: Kysely<any>, owner: boolean): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  if (isPostgres(db)) {
    await run(`CREATE OR REPLACE FUNCTION status_stays_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN ${recompute(true, 'OLD.org_id', 'OLD.lead_id', owner)} END IF;
        IF TG_OP = 'UPDATE' OR (TG_OP = 'INSERT' AND ${later('NEW')}) THEN
          ${recompute(true, 'NEW.org_id', 'NEW.lead_id', owner)}
        ELSIF TG_OP = 'INSERT' THEN
          ${append(true, owner)}
        END IF;
        RETURN NULL;
      END $$`);
    return;
  }
  for (const t of ['ins', 'app', 'del', 'upd']) await run(`DROP TRIGGER IF EXISTS status_stays_history_${t}`);
  await run(`CREATE TRIGGER status_stays_history_ins AFTER INSERT ON status_history WHEN ${later('NEW')} BEGIN
    ${recompute(false, 'NEW.org_id', 'NEW.lead_id', owner)} END`);
  await run(`CREATE TRIGGER status_stays_history_app AFTER INSERT ON status_history WHEN NOT ${later('NEW')}
    BEGIN ${append(false, owner)} END`);
  await run(`CREATE TRIGGER status_stays_history_del AFTER DELETE ON status_history BEGIN
    ${recompute(false, 'OLD.org_id', 'OLD.lead_id', owner)} END`);
  await run(`CREATE TRIGGER status_stays_history_upd AFTER UPDATE OF ${HIST} ON status_history BEGIN
    ${recompute(false, 'OLD.org_id', 'OLD.lead_id', owner)} ${recompute(false, 'NEW.org_id', 'NEW.lead_id', owner)} END`);
}

/**
 * The totals trigger on updates of a stay, on every column (`of` null, as `up` makes it) or on the listed ones
 * (migration 0240); on PostgreSQL the one trigger that also handles inserts and deletes, calling
 * `status_stay_totals_apply`.
 */
export async function totalsTrigger(db: Kysely<any>, of: string | null): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  if (isPostgres(db)) {
    await run('DROP TRIGGER IF EXISTS status_stay_totals_iud ON status_stays');
    await run(`CREATE TRIGGER status_stay_totals_iud AFTER INSERT OR DELETE OR UPDATE${of ? ` OF ${of}` : ''}
      ON status_stays FOR EACH ROW EXECUTE FUNCTION status_stay_totals_apply()`);
    return;
  }
  await run('DROP TRIGGER IF EXISTS status_stay_totals_upd');
  await run(`CREATE TRIGGER status_stay_totals_upd AFTER UPDATE${of ? ` OF ${of}` : ''} ON status_stays BEGIN
    ${totals('OLD', '-')} ${totals('NEW', '')} END`);
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('status_stays')
    .addColumn('history_id', 'integer', (c) => c.primaryKey())
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull())
    .addColumn('status_id', 'integer', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('entered_at', 'text', (c) => c.notNull())
    .addColumn('ms', 'bigint', (c) => c.notNull())
    .execute();
  // The median: the middle row of one status, walked in order.
  await db.schema
    .createIndex('status_stays_median_idx')
    .on('status_stays')
    .columns(['org_id', 'live', 'status_id', 'ms'])
    .execute();
  // A date range on the entered time, read from the index alone.
  await db.schema
    .createIndex('status_stays_entered_idx')
    .on('status_stays')
    .columns(['org_id', 'live', 'entered_at', 'status_id', 'ms'])
    .execute();
  // The triggers' recompute, and a report narrowed to some leads (an agent's, a filter's).
  await db.schema
    .createIndex('status_stays_lead_idx')
    .on('status_stays')
    .columns(['lead_id', 'status_id', 'entered_at', 'ms'])
    .execute();
  await db.schema
    .createTable('status_stay_totals')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('status_id', 'integer', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('status_stay_totals_pk', ['org_id', 'live', 'status_id'])
    .$call((b) => (pg ? b : b.modifyEnd(sql`WITHOUT ROWID`)))
    .execute();

  const leadLive = 'deleted_at, merged_into_id';
  await historyTriggers(db, false);
  if (pg) {
    await sql
      .raw(
        `CREATE TRIGGER status_stays_history_iud AFTER INSERT OR DELETE OR UPDATE OF ${HIST} ON status_history
         FOR EACH ROW EXECUTE FUNCTION status_stays_history()`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE FUNCTION status_stays_lead() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE status_stays SET live = ${liveOf('NEW.')} WHERE lead_id = NEW.id;
          RETURN NULL;
        END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER status_stays_lead_upd AFTER UPDATE OF ${leadLive} ON leads
         FOR EACH ROW WHEN ((${liveOf('OLD.')}) <> (${liveOf('NEW.')}))
         EXECUTE FUNCTION status_stays_lead()`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE FUNCTION status_stay_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN ${totals('OLD', '-')} END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN ${totals('NEW', '')} END IF;
          RETURN NULL;
        END $$`,
      )
      .execute(db);
  } else {
    const trig = async (s: string) => sql.raw(s).execute(db);
    await trig(`CREATE TRIGGER status_stays_lead_upd AFTER UPDATE OF ${leadLive} ON leads
      WHEN (${liveOf('OLD.')}) <> (${liveOf('NEW.')}) BEGIN
      UPDATE status_stays SET live = ${liveOf('NEW.')} WHERE lead_id = NEW.id; END`);
    await trig(
      `CREATE TRIGGER status_stay_totals_ins AFTER INSERT ON status_stays BEGIN ${totals('NEW', '')} END`,
    );
    await trig(
      `CREATE TRIGGER status_stay_totals_del AFTER DELETE ON status_stays BEGIN ${totals('OLD', '-')} END`,
    );
  }
  await totalsTrigger(db, null);

  await refill(db);
}

/**
 * Both tables rebuilt from the history, set-based: the migration's backfill, and the benchmark's seed after
 * loading history with these triggers paused (bench/seed.ts).
 */
export async function refill(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ms = msBetween(pg, 'h.created_at', 'h.left_at');
  await sql.raw('DELETE FROM status_stays').execute(db);
  await sql
    .raw(
      `INSERT INTO status_stays (history_id, org_id, lead_id, status_id, live, entered_at, ms)
       SELECT h.id, h.org_id, h.lead_id, h.to_status_id, ${liveOf('l.')}, h.created_at, ${ms}
       FROM (SELECT sh.id, sh.org_id, sh.lead_id, sh.to_status_id, sh.created_at,
               lead(sh.created_at) OVER (PARTITION BY sh.org_id, sh.lead_id ORDER BY sh.created_at, sh.id) AS left_at
             FROM status_history sh) h
       JOIN leads l ON l.id = h.lead_id
       WHERE h.left_at IS NOT NULL`,
    )
    .execute(db);
  // Whatever the totals' trigger added while the stays went in, the totals are the stays summed.
  await sql.raw('DELETE FROM status_stay_totals').execute(db);
  await sql
    .raw(
      `INSERT INTO status_stay_totals (org_id, live, status_id, n, ms)
       SELECT org_id, live, status_id, count(*), sum(ms) FROM status_stays GROUP BY org_id, live, status_id`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql.raw('DROP TRIGGER IF EXISTS status_stays_history_iud ON status_history').execute(db);
    await sql.raw('DROP TRIGGER IF EXISTS status_stays_lead_upd ON leads').execute(db);
    await sql.raw('DROP TRIGGER IF EXISTS status_stay_totals_iud ON status_stays').execute(db);
    for (const f of ['status_stays_history', 'status_stays_lead', 'status_stay_totals_apply'])
      await sql.raw(`DROP FUNCTION IF EXISTS ${f}()`).execute(db);
  } else {
    for (const t of [
      'status_stays_history_ins',
      'status_stays_history_app',
      'status_stays_history_del',
      'status_stays_history_upd',
      'status_stays_lead_upd',
    ])
      await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
  }
  await db.schema.dropTable('status_stay_totals').execute();
  await db.schema.dropTable('status_stays').execute();
}
