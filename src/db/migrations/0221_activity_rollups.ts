import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Activity per owner without joining every follow-up, task and status change to its lead (issue 21,
 * docs/performance.md). `activity_rollups` counts, per organization, live (1 live, 0 deleted, 2 merged, as
 * `lead_totals`), creation day (UTC) of the activity, the lead's current owner (0 for none) and kind
 * (`follow_up`, `task`, `status_change`: a history row with a previous status), the activities on leads.
 *
 * Kept by triggers in the writer's transaction, whoever writes:
 * - a follow-up, task or history row inserted, deleted, or moved to another lead (merge, unmerge) or another
 *   time counts under its lead's current key;
 * - a lead that changes owner, is deleted, restored, merged or unmerged moves its activities' counts from the
 *   old key to the new one (a grouped read of that lead's rows);
 * - a lead deleted outright takes its counts away before its rows go (BEFORE DELETE: the cascaded deletes that
 *   follow no longer find the lead and count nothing).
 * Rows whose count falls to 0 stay (they sum to nothing).
 */
const liveOf = (r: string) =>
  `CASE WHEN ${r}merged_into_id IS NOT NULL THEN 2 WHEN ${r}deleted_at IS NULL THEN 1 ELSE 0 END`;

const KINDS = [
  { table: 'follow_ups', kind: 'follow_up', cond: '', watched: 'lead_id, created_at' },
  { table: 'tasks', kind: 'task', cond: '', watched: 'lead_id, created_at' },
  {
    table: 'status_history',
    kind: 'status_change',
    cond: 'from_status_id IS NOT NULL',
    watched: 'lead_id, created_at, from_status_id',
  },
] as const;

const UPSERT = `ON CONFLICT (org_id, live, day, owner_id, kind) DO UPDATE SET n = activity_rollups.n + excluded.n;`;

/** One activity row (NEW or OLD of its table) counted under its lead's current key. */
const one = (k: (typeof KINDS)[number], r: 'NEW' | 'OLD', sign: '' | '-') =>
  `INSERT INTO activity_rollups (org_id, live, day, owner_id, kind, n)
   SELECT l.org_id, ${liveOf('l.')}, substr(${r}.created_at, 1, 10), coalesce(l.owner_id, 0), '${k.kind}', ${sign}1
   FROM leads l WHERE l.id = ${r}.lead_id${k.cond ? ` AND ${r}.${k.cond}` : ''}
   ${UPSERT}`;

/** Every activity of one lead (NEW or OLD of leads) counted under that row's key. */
const all = (k: (typeof KINDS)[number], r: 'NEW' | 'OLD', sign: '' | '-') =>
  `INSERT INTO activity_rollups (org_id, live, day, owner_id, kind, n)
   SELECT ${r}.org_id, ${liveOf(`${r}.`)}, substr(a.created_at, 1, 10), coalesce(${r}.owner_id, 0), '${k.kind}',
     ${sign}count(*)
   FROM ${k.table} a WHERE a.org_id = ${r}.org_id AND a.lead_id = ${r}.id${k.cond ? ` AND a.${k.cond}` : ''}
   GROUP BY substr(a.created_at, 1, 10)
   ${UPSERT}`;

const moveLead = () => KINDS.map((k) => `${all(k, 'OLD', '-')} ${all(k, 'NEW', '')}`).join('\n');
const dropLead = () => KINDS.map((k) => all(k, 'OLD', '-')).join('\n');
const changed = `(${liveOf('OLD.')}) <> (${liveOf('NEW.')}) OR coalesce(OLD.owner_id, 0) <> coalesce(NEW.owner_id, 0)`;

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('activity_rollups')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_rollups_pk', ['org_id', 'live', 'day', 'owner_id', 'kind'])
    .$call((b) => (pg ? b : b.modifyEnd(sql`WITHOUT ROWID`)))
    .execute();
  const run = (s: string) => sql.raw(s).execute(db);

  if (pg) {
    for (const k of KINDS) {
      await run(`CREATE FUNCTION activity_rollups_${k.table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN ${one(k, 'OLD', '-')} END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN ${one(k, 'NEW', '')} END IF;
          RETURN NULL;
        END $$`);
      await run(`CREATE TRIGGER activity_rollups_iud AFTER INSERT OR DELETE OR UPDATE OF ${k.watched}
        ON ${k.table} FOR EACH ROW EXECUTE FUNCTION activity_rollups_${k.table}()`);
    }
    await run(`CREATE FUNCTION activity_rollups_lead() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN ${dropLead()} RETURN OLD; END IF;
        ${moveLead()}
        RETURN NULL;
      END $$`);
    await run(`CREATE TRIGGER activity_rollups_lead_upd AFTER UPDATE OF owner_id, deleted_at, merged_into_id
      ON leads FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION activity_rollups_lead()`);
    await run(`CREATE TRIGGER activity_rollups_lead_del BEFORE DELETE ON leads
      FOR EACH ROW EXECUTE FUNCTION activity_rollups_lead()`);
  } else {
    for (const k of KINDS) {
      await run(`CREATE TRIGGER activity_rollups_${k.table}_ins AFTER INSERT ON ${k.table} BEGIN
        ${one(k, 'NEW', '')} END`);
      await run(`CREATE TRIGGER activity_rollups_${k.table}_del AFTER DELETE ON ${k.table} BEGIN
        ${one(k, 'OLD', '-')} END`);
      await run(`CREATE TRIGGER activity_rollups_${k.table}_upd AFTER UPDATE OF ${k.watched} ON ${k.table} BEGIN
        ${one(k, 'OLD', '-')} ${one(k, 'NEW', '')} END`);
    }
    await run(`CREATE TRIGGER activity_rollups_lead_upd AFTER UPDATE OF owner_id, deleted_at, merged_into_id
      ON leads WHEN ${changed} BEGIN ${moveLead()} END`);
    await run(`CREATE TRIGGER activity_rollups_lead_del BEFORE DELETE ON leads BEGIN ${dropLead()} END`);
  }

  await refill(db);
}

/** The counts rebuilt from the activities, set-based (the backfill; the benchmark's seed, bench/seed.ts). */
export async function refill(db: Kysely<any>): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  await run('DELETE FROM activity_rollups');
  for (const k of KINDS)
    await run(`INSERT INTO activity_rollups (org_id, live, day, owner_id, kind, n)
      SELECT l.org_id, ${liveOf('l.')}, substr(a.created_at, 1, 10), coalesce(l.owner_id, 0), '${k.kind}', count(*)
      FROM ${k.table} a JOIN leads l ON l.id = a.lead_id${k.cond ? ` WHERE a.${k.cond}` : ' WHERE true'}
      GROUP BY l.org_id, ${liveOf('l.')}, substr(a.created_at, 1, 10), coalesce(l.owner_id, 0)
      ${UPSERT}`);
}

export async function down(db: Kysely<any>): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  if (isPostgres(db)) {
    for (const k of KINDS) {
      await run(`DROP TRIGGER IF EXISTS activity_rollups_iud ON ${k.table}`);
      await run(`DROP FUNCTION IF EXISTS activity_rollups_${k.table}()`);
    }
    await run('DROP TRIGGER IF EXISTS activity_rollups_lead_upd ON leads');
    await run('DROP TRIGGER IF EXISTS activity_rollups_lead_del ON leads');
    await run('DROP FUNCTION IF EXISTS activity_rollups_lead()');
  } else {
    for (const k of KINDS)
      for (const op of ['ins', 'del', 'upd'])
        await run(`DROP TRIGGER IF EXISTS activity_rollups_${k.table}_${op}`);
    await run('DROP TRIGGER IF EXISTS activity_rollups_lead_upd');
    await run('DROP TRIGGER IF EXISTS activity_rollups_lead_del');
  }
  await db.schema.dropTable('activity_rollups').execute();
}
