import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Conversion and won value without reading the status history per lead (issue 21, docs/performance.md).
 *
 * `lead_outcomes`: one row per lead that reached a won or converted outcome, i.e. whose current status is in
 * the `won` or `converted` category, or whose history entered such a status, or that was converted
 * (`converted_at`), with what the two reports group and filter on: the lead's current status, source ('' for
 * none), owner (0 for none), created_at, value, and `won` = 1 when the current status is in the `won` category,
 * with `won_at` = the first time the lead entered a `won` status (its last status change when the history has
 * none), as the won value report always defined it. `live` is 1 live, 0 deleted, 2 merged.
 *
 * A lead's row is recomputed from its lead row, its history and the statuses' categories by triggers, in the
 * writer's transaction: when the lead is inserted or one of the columns read changes, and when one of its
 * history rows entering a won or converted status is inserted, deleted or moved (merge, unmerge); other history
 * rows change no outcome. A status whose category changes recomputes its
 * organization's rows (every lead of it: seconds at 1M leads, once per such settings change).
 */
export const liveOf = (r: string) =>
  `CASE WHEN ${r}merged_into_id IS NOT NULL THEN 2 WHEN ${r}deleted_at IS NULL THEN 1 ELSE 0 END`;
const COLS = 'lead_id, org_id, live, status_id, source, owner_id, created_at, value_cents, won, won_at';

/** The rows of the leads `where` selects (a condition on `l`), as they should be. */
export const rowsOf = (where: string) =>
  `INSERT INTO lead_outcomes (${COLS})
   SELECT l.id, l.org_id, ${liveOf('l.')}, l.status_id, coalesce(l.source, ''), coalesce(l.owner_id, 0),
     l.created_at, coalesce(l.value_cents, 0),
     CASE WHEN cur.category = 'won' THEN 1 ELSE 0 END,
     CASE WHEN cur.category = 'won' THEN coalesce(
       (SELECT min(sh.created_at) FROM status_history sh JOIN statuses s ON s.id = sh.to_status_id
        WHERE sh.org_id = l.org_id AND sh.lead_id = l.id AND s.category = 'won'),
       l.status_changed_at) END
   FROM leads l JOIN statuses cur ON cur.id = l.status_id
   WHERE ${where} AND (cur.category IN ('won', 'converted') OR l.converted_at IS NOT NULL
     OR EXISTS (SELECT 1 FROM status_history sh JOIN statuses s ON s.id = sh.to_status_id
                WHERE sh.org_id = l.org_id AND sh.lead_id = l.id AND s.category IN ('won', 'converted')));`;

const forLead = (id: string) => `DELETE FROM lead_outcomes WHERE lead_id = ${id}; ${rowsOf(`l.id = ${id}`)}`;
const forOrg = (org: string) =>
  `DELETE FROM lead_outcomes WHERE org_id = ${org}; ${rowsOf(`l.org_id = ${org}`)}`;

/** A history row that enters a won or converted status: only such rows change a lead's outcome. */
const reaches = (r: string) =>
  `(SELECT s.category FROM statuses s WHERE s.id = ${r}.to_status_id) IN ('won', 'converted')`;

export const LEAD_COLS =
  'org_id, status_id, source, owner_id, created_at, value_cents, deleted_at, merged_into_id, converted_at, status_changed_at';
export const HIST_COLS = 'org_id, lead_id, to_status_id, created_at';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('lead_outcomes')
    .addColumn('lead_id', 'integer', (c) => c.primaryKey())
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('status_id', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('value_cents', 'bigint', (c) => c.notNull())
    .addColumn('won', 'integer', (c) => c.notNull())
    .addColumn('won_at', 'text')
    .execute();
  // Conversion: the reached leads of an organization by source or owner, read from the index alone.
  await db.schema
    .createIndex('lead_outcomes_reached_idx')
    .on('lead_outcomes')
    .columns(['org_id', 'live', 'source', 'owner_id', 'status_id', 'created_at'])
    .execute();
  // Won value: the won leads by the time they were won, with their value.
  await db.schema
    .createIndex('lead_outcomes_won_idx')
    .on('lead_outcomes')
    .columns(['org_id', 'live', 'won', 'won_at', 'status_id', 'source', 'owner_id', 'value_cents'])
    .execute();
  const run = (s: string) => sql.raw(s).execute(db);

  if (pg) {
    await run(`CREATE FUNCTION lead_outcomes_lead() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN DELETE FROM lead_outcomes WHERE lead_id = OLD.id; ELSE ${forLead('NEW.id')} END IF;
        RETURN NULL;
      END $$`);
    await run(`CREATE TRIGGER lead_outcomes_lead AFTER INSERT OR DELETE OR UPDATE OF ${LEAD_COLS} ON leads
      FOR EACH ROW EXECUTE FUNCTION lead_outcomes_lead()`);
    await run(`CREATE FUNCTION lead_outcomes_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND ${reaches('OLD')} THEN ${forLead('OLD.lead_id')} END IF;
        IF TG_OP = 'INSERT' AND ${reaches('NEW')}
          OR TG_OP = 'UPDATE' AND (${reaches('NEW')} OR ${reaches('OLD')}) THEN ${forLead('NEW.lead_id')} END IF;
        RETURN NULL;
      END $$`);
    await run(`CREATE TRIGGER lead_outcomes_history AFTER INSERT OR DELETE OR UPDATE OF ${HIST_COLS}
      ON status_history FOR EACH ROW EXECUTE FUNCTION lead_outcomes_history()`);
    await run(`CREATE FUNCTION lead_outcomes_status() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${forOrg('OLD.org_id')}
        RETURN NULL;
      END $$`);
    await run(`CREATE TRIGGER lead_outcomes_status_upd AFTER UPDATE OF category ON statuses
      FOR EACH ROW WHEN (OLD.category IS DISTINCT FROM NEW.category) EXECUTE FUNCTION lead_outcomes_status()`);
    await run(`CREATE TRIGGER lead_outcomes_status_del AFTER DELETE ON statuses
      FOR EACH ROW EXECUTE FUNCTION lead_outcomes_status()`);
  } else {
    await run(`CREATE TRIGGER lead_outcomes_lead_ins AFTER INSERT ON leads BEGIN ${forLead('NEW.id')} END`);
    await run(`CREATE TRIGGER lead_outcomes_lead_upd AFTER UPDATE OF ${LEAD_COLS} ON leads BEGIN
      ${forLead('NEW.id')} END`);
    await run(`CREATE TRIGGER lead_outcomes_lead_del AFTER DELETE ON leads BEGIN
      DELETE FROM lead_outcomes WHERE lead_id = OLD.id; END`);
    await run(`CREATE TRIGGER lead_outcomes_history_ins AFTER INSERT ON status_history WHEN ${reaches('NEW')}
      BEGIN ${forLead('NEW.lead_id')} END`);
    await run(`CREATE TRIGGER lead_outcomes_history_del AFTER DELETE ON status_history WHEN ${reaches('OLD')}
      BEGIN ${forLead('OLD.lead_id')} END`);
    await run(`CREATE TRIGGER lead_outcomes_history_upd AFTER UPDATE OF ${HIST_COLS} ON status_history
      WHEN ${reaches('OLD')} OR ${reaches('NEW')} BEGIN ${forLead('OLD.lead_id')} ${forLead('NEW.lead_id')} END`);
    await run(`CREATE TRIGGER lead_outcomes_status_upd AFTER UPDATE OF category ON statuses
      WHEN OLD.category IS NOT NEW.category BEGIN ${forOrg('NEW.org_id')} END`);
    await run(
      `CREATE TRIGGER lead_outcomes_status_del AFTER DELETE ON statuses BEGIN ${forOrg('OLD.org_id')} END`,
    );
  }

  await refill(db);
}

/** Every lead's row rebuilt, set-based (the backfill; the benchmark's seed, bench/seed.ts). */
export async function refill(db: Kysely<any>): Promise<void> {
  await sql.raw('DELETE FROM lead_outcomes').execute(db);
  await sql.raw(rowsOf('true')).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  if (isPostgres(db)) {
    await run('DROP TRIGGER IF EXISTS lead_outcomes_lead ON leads');
    await run('DROP TRIGGER IF EXISTS lead_outcomes_history ON status_history');
    await run('DROP TRIGGER IF EXISTS lead_outcomes_status_upd ON statuses');
    await run('DROP TRIGGER IF EXISTS lead_outcomes_status_del ON statuses');
    for (const f of ['lead_outcomes_lead', 'lead_outcomes_history', 'lead_outcomes_status'])
      await run(`DROP FUNCTION IF EXISTS ${f}()`);
  } else {
    for (const t of [
      'lead_outcomes_lead_ins',
      'lead_outcomes_lead_upd',
      'lead_outcomes_lead_del',
      'lead_outcomes_history_ins',
      'lead_outcomes_history_del',
      'lead_outcomes_history_upd',
      'lead_outcomes_status_upd',
      'lead_outcomes_status_del',
    ])
      await run(`DROP TRIGGER IF EXISTS ${t}`);
  }
  await db.schema.dropTable('lead_outcomes').execute();
}
