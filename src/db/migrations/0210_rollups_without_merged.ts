import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * `lead_rollups` (0104) leaves merged leads out, as the lists do (`merged_into_id IS NULL`, 0160): `live` becomes
 * 1 for a live lead, 0 for a deleted one and 2 for a merged one, which no report reads. The triggers now also
 * watch `merged_into_id` (a merge and an unmerge move the lead's counts), and the rows are rebuilt from the leads.
 */
const COLS = 'org_id, day, status_id, source, live, n, value_cents, weighted';
const KEY = 'org_id, day, status_id, source, live';
const liveOf = (r: string) =>
  `CASE WHEN ${r}merged_into_id IS NOT NULL THEN 2 WHEN ${r}deleted_at IS NULL THEN 1 ELSE 0 END`;

async function triggers(db: Kysely<any>, withMerged: boolean): Promise<void> {
  const live = (r: 'NEW' | 'OLD') =>
    withMerged ? liveOf(`${r}.`) : `CASE WHEN ${r}.deleted_at IS NULL THEN 1 ELSE 0 END`;
  const row = (r: 'NEW' | 'OLD', sign: '' | '-') =>
    `${r}.org_id, substr(${r}.created_at, 1, 10), ${r}.status_id, coalesce(${r}.source, ''),
     ${live(r)}, ${sign}1, ${sign}coalesce(${r}.value_cents, 0),
     ${sign}coalesce(${r}.value_cents * ${r}.probability, 0)`;
  const upsert = (r: 'NEW' | 'OLD', sign: '' | '-') =>
    `INSERT INTO lead_rollups (${COLS}) VALUES (${row(r, sign)})
     ON CONFLICT (${KEY}) DO UPDATE SET n = lead_rollups.n + excluded.n,
       value_cents = lead_rollups.value_cents + excluded.value_cents,
       weighted = lead_rollups.weighted + excluded.weighted;`;
  const watched =
    'org_id, created_at, status_id, source, deleted_at, value_cents, probability' +
    (withMerged ? ', merged_into_id' : '');
  if (isPostgres(db)) {
    await sql.raw('DROP TRIGGER IF EXISTS leads_rollup_upd ON leads').execute(db);
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION lead_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN ${upsert('OLD', '-')} END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN ${upsert('NEW', '')} END IF;
          RETURN NULL;
        END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER leads_rollup_upd AFTER UPDATE OF ${watched} ON leads
         FOR EACH ROW EXECUTE FUNCTION lead_rollups_apply()`,
      )
      .execute(db);
  } else {
    for (const t of ['leads_rollup_ins', 'leads_rollup_del', 'leads_rollup_upd'])
      await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
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
  // Rebuilt from the leads, in the migration's transaction.
  const liveCol = withMerged ? liveOf('') : 'CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END';
  await sql.raw('DELETE FROM lead_rollups').execute(db);
  await sql
    .raw(
      `INSERT INTO lead_rollups (${COLS})
       SELECT org_id, substr(created_at, 1, 10), status_id, coalesce(source, ''), ${liveCol}, count(*),
         coalesce(sum(value_cents), 0), coalesce(sum(value_cents * probability), 0)
       FROM leads GROUP BY org_id, substr(created_at, 1, 10), status_id, coalesce(source, ''), ${liveCol}`,
    )
    .execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await triggers(db, true);
}

export async function down(db: Kysely<any>): Promise<void> {
  await triggers(db, false);
}
