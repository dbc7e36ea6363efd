import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';
import { historyTriggers, totalsTrigger, refill as refillStays } from './0220_status_stays.js';

/**
 * An agent's time in status without reading the agent's leads one by one (issue 21, docs/performance.md).
 *
 * `status_stays.owner_id`: the owner of the stay's lead (0 for none), kept by the same triggers as the rest of the
 * row (0220): the recompute and the append write it, and a lead that changes owner moves its stays. The index
 * `(org_id, live, owner_id, status_id, ms, entered_at)` gives one owner's stays per status in order, from the index
 * alone: the stays of the leads an agent owns (every one of them is visible to the agent), and of an owner's report
 * filtered on one owner. Only the other leads an agent sees (their team's, shared with them) are read by id.
 *
 * The totals trigger of 0220 fired on any update of a stay; it now fires on the columns it sums by (org, live,
 * status, ms), so an owner change does not churn `status_stay_totals`.
 */
const ownerChanged = 'coalesce(OLD.owner_id, 0) <> coalesce(NEW.owner_id, 0)';
const setOwner = 'UPDATE status_stays SET owner_id = coalesce(NEW.owner_id, 0) WHERE lead_id = NEW.id;';
const SUMMED = 'org_id, live, status_id, ms';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const run = (s: string) => sql.raw(s).execute(db);
  await totalsTrigger(db, SUMMED);
  await run('ALTER TABLE status_stays ADD COLUMN owner_id integer NOT NULL DEFAULT 0');
  await historyTriggers(db, true);
  if (pg) {
    await run(`CREATE FUNCTION status_stays_owner() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${setOwner} RETURN NULL; END $$`);
    await run(`CREATE TRIGGER status_stays_owner_upd AFTER UPDATE OF owner_id ON leads
      FOR EACH ROW WHEN (${ownerChanged}) EXECUTE FUNCTION status_stays_owner()`);
  } else {
    await run(`CREATE TRIGGER status_stays_owner_upd AFTER UPDATE OF owner_id ON leads
      WHEN ${ownerChanged} BEGIN ${setOwner} END`);
  }
  await fillOwners(db);
  await db.schema
    .createIndex('status_stays_owner_idx')
    .on('status_stays')
    .columns(['org_id', 'live', 'owner_id', 'status_id', 'ms', 'entered_at'])
    .execute();
}

/** Every stay's owner from its lead (the backfill). */
async function fillOwners(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      isPostgres(db)
        ? `UPDATE status_stays s SET owner_id = l.owner_id FROM leads l
           WHERE l.id = s.lead_id AND l.owner_id IS NOT NULL AND s.owner_id <> l.owner_id`
        : `UPDATE status_stays SET owner_id = coalesce((SELECT l.owner_id FROM leads l WHERE l.id = status_stays.lead_id), 0)`,
    )
    .execute(db);
}

/**
 * `status_stays` and `status_stay_totals` rebuilt from the history with the owners, set-based: 0220's refill, then
 * the owners (the benchmark's seed, bench/seed.ts, after loading history with the triggers paused).
 */
export async function refill(db: Kysely<any>): Promise<void> {
  await refillStays(db);
  await fillOwners(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const run = (s: string) => sql.raw(s).execute(db);
  if (isPostgres(db)) {
    await run('DROP TRIGGER IF EXISTS status_stays_owner_upd ON leads');
    await run('DROP FUNCTION IF EXISTS status_stays_owner()');
  } else await run('DROP TRIGGER IF EXISTS status_stays_owner_upd');
  await historyTriggers(db, false);
  await db.schema.dropIndex('status_stays_owner_idx').execute();
  await run('ALTER TABLE status_stays DROP COLUMN owner_id');
  await totalsTrigger(db, null);
}
