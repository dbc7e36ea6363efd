import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Leads created per day by source, without the status (issue 21): "leads created per day, week or month by
 * source" summed `lead_rollups` (0104), a row per day, status and source: ~90k rows for an organization of 400k
 * leads over three years (~40 ms at 1M on SQLite). `lead_days` keeps the count per organization, live (1 live,
 * 0 deleted, 2 merged), UTC creation day and source ('' for none): a tenth of the rows. A status filter still
 * reads `lead_rollups`. Kept by triggers on `leads` in the writer's transaction, like 0104.
 */
const liveOf = (r: string) =>
  `CASE WHEN ${r}merged_into_id IS NOT NULL THEN 2 WHEN ${r}deleted_at IS NULL THEN 1 ELSE 0 END`;
const upsert = (r: 'NEW' | 'OLD', sign: '' | '-') =>
  `INSERT INTO lead_days (org_id, live, day, source, n)
   VALUES (${r}.org_id, ${liveOf(`${r}.`)}, substr(${r}.created_at, 1, 10), coalesce(${r}.source, ''), ${sign}1)
   ON CONFLICT (org_id, live, day, source) DO UPDATE SET n = lead_days.n + excluded.n;`;
const WATCHED = 'org_id, created_at, source, deleted_at, merged_into_id';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('lead_days')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_days_pk', ['org_id', 'live', 'day', 'source'])
    .$call((b) => (pg ? b : b.modifyEnd(sql`WITHOUT ROWID`)))
    .execute();
  const run = (s: string) => sql.raw(s).execute(db);
  if (pg) {
    await run(`CREATE FUNCTION lead_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN ${upsert('OLD', '-')} END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN ${upsert('NEW', '')} END IF;
        RETURN NULL;
      END $$`);
    await run(`CREATE TRIGGER lead_days_ins AFTER INSERT OR DELETE ON leads
      FOR EACH ROW EXECUTE FUNCTION lead_days_apply()`);
    await run(`CREATE TRIGGER lead_days_upd AFTER UPDATE OF ${WATCHED} ON leads
      FOR EACH ROW EXECUTE FUNCTION lead_days_apply()`);
  } else {
    await run(`CREATE TRIGGER lead_days_ins AFTER INSERT ON leads BEGIN ${upsert('NEW', '')} END`);
    await run(`CREATE TRIGGER lead_days_del AFTER DELETE ON leads BEGIN ${upsert('OLD', '-')} END`);
    await run(`CREATE TRIGGER lead_days_upd AFTER UPDATE OF ${WATCHED} ON leads BEGIN
      ${upsert('OLD', '-')} ${upsert('NEW', '')} END`);
  }
  await refill(db);
}

/** The counts rebuilt from the leads, set-based (the backfill; the benchmark's seed, bench/seed.ts). */
export async function refill(db: Kysely<any>): Promise<void> {
  await sql.raw('DELETE FROM lead_days').execute(db);
  await sql
    .raw(
      `INSERT INTO lead_days (org_id, live, day, source, n)
       SELECT org_id, ${liveOf('')}, substr(created_at, 1, 10), coalesce(source, ''), count(*)
       FROM leads GROUP BY org_id, ${liveOf('')}, substr(created_at, 1, 10), coalesce(source, '')`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  if (isPostgres(db)) {
    await run('DROP TRIGGER IF EXISTS lead_days_ins ON leads');
    await run('DROP TRIGGER IF EXISTS lead_days_upd ON leads');
    await run('DROP FUNCTION IF EXISTS lead_days_apply()');
  } else {
    for (const t of ['lead_days_ins', 'lead_days_del', 'lead_days_upd'])
      await run(`DROP TRIGGER IF EXISTS ${t}`);
  }
  await db.schema.dropTable('lead_days').execute();
}
