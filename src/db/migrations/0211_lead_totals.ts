import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * `lead_totals`: lead counts per organization, live/deleted/merged, status, source and owner, with the value and
 * the weighted value summed. The per-day rollup (0104) holds a row per creation day, so at 1M leads over three
 * years an owner's board summed ~90k rows (~0.5 s); a report with no date range reads these instead, a few
 * hundred rows per organization (statuses x sources x owners). The owner in the key also answers a board or
 * funnel filtered on one owner, and conversion's lead counts by source or owner. Kept by triggers on `leads` in
 * the writer's transaction like 0104; `live` is 1 live, 0 deleted, 2 merged (never read); `source` is '' and
 * `owner_id` 0 for none. Also a partial index on converted leads, for conversion's leads converted in another status.
 */
const COLS = 'org_id, live, status_id, source, owner_id, n, value_cents, weighted';
const KEY = 'org_id, live, status_id, source, owner_id';
const liveOf = (r: string) =>
  `CASE WHEN ${r}merged_into_id IS NOT NULL THEN 2 WHEN ${r}deleted_at IS NULL THEN 1 ELSE 0 END`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lead_totals')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('status_id', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('value_cents', 'bigint', (c) => c.notNull())
    .addColumn('weighted', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_totals_pk', ['org_id', 'live', 'status_id', 'source', 'owner_id'])
    .$call((b) => (isPostgres(db) ? b : b.modifyEnd(sql`WITHOUT ROWID`)))
    .execute();

  const row = (r: 'NEW' | 'OLD', sign: '' | '-') =>
    `${r}.org_id, ${liveOf(`${r}.`)}, ${r}.status_id, coalesce(${r}.source, ''), coalesce(${r}.owner_id, 0),
     ${sign}1, ${sign}coalesce(${r}.value_cents, 0), ${sign}coalesce(${r}.value_cents * ${r}.probability, 0)`;
  const upsert = (r: 'NEW' | 'OLD', sign: '' | '-') =>
    `INSERT INTO lead_totals (${COLS}) VALUES (${row(r, sign)})
     ON CONFLICT (${KEY}) DO UPDATE SET n = lead_totals.n + excluded.n,
       value_cents = lead_totals.value_cents + excluded.value_cents,
       weighted = lead_totals.weighted + excluded.weighted;`;
  const watched = 'org_id, status_id, source, owner_id, deleted_at, merged_into_id, value_cents, probability';

  if (isPostgres(db)) {
    await sql
      .raw(
        `CREATE FUNCTION lead_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN ${upsert('OLD', '-')} END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN ${upsert('NEW', '')} END IF;
          RETURN NULL;
        END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER leads_totals_ins AFTER INSERT OR DELETE ON leads
         FOR EACH ROW EXECUTE FUNCTION lead_totals_apply()`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER leads_totals_upd AFTER UPDATE OF ${watched} ON leads
         FOR EACH ROW EXECUTE FUNCTION lead_totals_apply()`,
      )
      .execute(db);
  } else {
    await sql
      .raw(`CREATE TRIGGER leads_totals_ins AFTER INSERT ON leads BEGIN ${upsert('NEW', '')} END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER leads_totals_del AFTER DELETE ON leads BEGIN ${upsert('OLD', '-')} END`)
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER leads_totals_upd AFTER UPDATE OF ${watched} ON leads BEGIN
         ${upsert('OLD', '-')} ${upsert('NEW', '')} END`,
      )
      .execute(db);
  }

  // Conversion counts the converted leads now in another status by id: this keeps that set an index read.
  await sql
    .raw('CREATE INDEX leads_org_converted_idx ON leads (org_id, id) WHERE converted_at IS NOT NULL')
    .execute(db);

  const live = liveOf('');
  await sql
    .raw(
      `INSERT INTO lead_totals (${COLS})
       SELECT org_id, ${live}, status_id, coalesce(source, ''), coalesce(owner_id, 0), count(*),
         coalesce(sum(value_cents), 0), coalesce(sum(value_cents * probability), 0)
       FROM leads GROUP BY org_id, ${live}, status_id, coalesce(source, ''), coalesce(owner_id, 0)`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS leads_org_converted_idx').execute(db);
  if (isPostgres(db)) {
    await sql.raw('DROP TRIGGER IF EXISTS leads_totals_ins ON leads').execute(db);
    await sql.raw('DROP TRIGGER IF EXISTS leads_totals_upd ON leads').execute(db);
    await sql.raw('DROP FUNCTION IF EXISTS lead_totals_apply()').execute(db);
  } else {
    for (const t of ['leads_totals_ins', 'leads_totals_del', 'leads_totals_upd'])
      await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
  }
  await db.schema.dropTable('lead_totals').execute();
}
