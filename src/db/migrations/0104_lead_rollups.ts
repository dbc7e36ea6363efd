import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Lead counts per organization, creation day (UTC), status, source and live/deleted, with the value and the
 * weighted value (value x probability) summed: what the board, the funnel and "created per period" need when
 * they count every lead of the organization (an owner's or admin's report with no other filter). Kept exact by
 * triggers on `leads`, so every writer (API, surfaces, imports, bulk actions, raw SQL) keeps it in step in its own
 * transaction; a report then sums a few thousand rows instead of reading every lead (docs/performance.md,
 * "Reports"). `source` is '' for a lead without one. Rows whose count falls to 0 stay (they sum to nothing).
 */
const COLS = 'org_id, day, status_id, source, live, n, value_cents, weighted';
const KEY = 'org_id, day, status_id, source, live';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lead_rollups')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('status_id', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('value_cents', 'bigint', (c) => c.notNull())
    .addColumn('weighted', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_rollups_pk', ['org_id', 'live', 'day', 'status_id', 'source'])
    // SQLite: the rows stored in key order, so a report reads them in one pass without a separate index.
    .$call((b) => (isPostgres(db) ? b : b.modifyEnd(sql`WITHOUT ROWID`)))
    .execute();

  const row = (r: 'NEW' | 'OLD', sign: '' | '-') =>
    `${r}.org_id, substr(${r}.created_at, 1, 10), ${r}.status_id, coalesce(${r}.source, ''),
     CASE WHEN ${r}.deleted_at IS NULL THEN 1 ELSE 0 END, ${sign}1, ${sign}coalesce(${r}.value_cents, 0),
     ${sign}coalesce(${r}.value_cents * ${r}.probability, 0)`;
  const upsert = (r: 'NEW' | 'OLD', sign: '' | '-') =>
    `INSERT INTO lead_rollups (${COLS}) VALUES (${row(r, sign)})
     ON CONFLICT (${KEY}) DO UPDATE SET n = lead_rollups.n + excluded.n,
       value_cents = lead_rollups.value_cents + excluded.value_cents,
       weighted = lead_rollups.weighted + excluded.weighted;`;
  const watched = 'org_id, created_at, status_id, source, deleted_at, value_cents, probability';

  if (isPostgres(db)) {
    await sql
      .raw(
        `CREATE FUNCTION lead_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN ${upsert('OLD', '-')} END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN ${upsert('NEW', '')} END IF;
          RETURN NULL;
        END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER leads_rollup_ins AFTER INSERT OR DELETE ON leads
         FOR EACH ROW EXECUTE FUNCTION lead_rollups_apply()`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER leads_rollup_upd AFTER UPDATE OF ${watched} ON leads
         FOR EACH ROW EXECUTE FUNCTION lead_rollups_apply()`,
      )
      .execute(db);
  } else {
    await sql
      .raw(`CREATE TRIGGER leads_rollup_ins AFTER INSERT ON leads BEGIN ${upsert('NEW', '')} END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER leads_rollup_del AFTER DELETE ON leads BEGIN ${upsert('OLD', '-')} END`)
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER leads_rollup_upd AFTER UPDATE OF ${watched} ON leads BEGIN
         ${upsert('OLD', '-')} ${upsert('NEW', '')} END`,
      )
      .execute(db);
  }

  // The leads already there.
  await sql
    .raw(
      `INSERT INTO lead_rollups (${COLS})
       SELECT org_id, substr(created_at, 1, 10), status_id, coalesce(source, ''),
         CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END, count(*), coalesce(sum(value_cents), 0),
         coalesce(sum(value_cents * probability), 0)
       FROM leads GROUP BY org_id, substr(created_at, 1, 10), status_id, coalesce(source, ''),
         CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql.raw('DROP TRIGGER IF EXISTS leads_rollup_ins ON leads').execute(db);
    await sql.raw('DROP TRIGGER IF EXISTS leads_rollup_upd ON leads').execute(db);
    await sql.raw('DROP FUNCTION IF EXISTS lead_rollups_apply()').execute(db);
  } else {
    for (const t of ['leads_rollup_ins', 'leads_rollup_del', 'leads_rollup_upd'])
      await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
  }
  await db.schema.dropTable('lead_rollups').execute();
}
