import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';
import {
  HIST_COLS as HIST_OUTCOME_COLS,
  LEAD_COLS as LEAD_OUTCOME_COLS,
  liveOf,
  rowsOf,
} from './0222_lead_outcomes.js';

/**
 * PostgreSQL: the report tables follow an INSERT of many leads or history rows with one statement per table, not
 * one PL/pgSQL call and one upsert per row (issue 15, import speed).
 *
 * Every lead an import writes ran seven row triggers on PostgreSQL (lead_rollups 0210, lead_totals 0211, lead_days
 * 0224 and lead_outcomes 0222 on `leads`; lead_outcomes, status_stays 0220/0240 and activity_rollups 0221 on
 * `status_history`), each a function call and one to three statements: 68-92% of the time of a 500-row batch's two
 * INSERTs in a micro bench, `track_functions` (docs/decisions.md, "Import speed, fourth pass"). Their INSERT part now
 * runs once per statement, over the statement's new rows (a transition table): the counts grouped by their key and
 * added in one upsert; the outcome rows of the new leads (or of the leads a new history row takes to a won or
 * converted status) rebuilt in one DELETE and one INSERT ... SELECT; the stays recomputed for the leads with a new
 * history row that is not their last and appended for the others, 0220's two cases. An AFTER row trigger already
 * runs after the whole statement on PostgreSQL, so what each reads is the same and the tables end the same.
 * UPDATE and DELETE keep their row triggers (the same functions, which still handle those events). Trigger names
 * follow SQLite's (`_ins`, `_del`).
 *
 * SQLite has no statement triggers and runs its triggers in-process: nothing changes there.
 */
/** Sums of the new leads grouped by `key` (SQL expressions over `n`), added to `table`'s rows with that key. */
function sums(table: string, key: Array<[string, string]>, values: Array<[string, string]>): string {
  const cols = [...key, ...values].map(([c]) => c).join(', ');
  return `INSERT INTO ${table} (${cols})
    SELECT ${[...key, ...values].map(([, e]) => e).join(', ')} FROM new_leads n
    GROUP BY ${key.map((_, i) => i + 1).join(', ')}
    ON CONFLICT (${key.map(([c]) => c).join(', ')}) DO UPDATE SET
      ${values.map(([c]) => `${c} = ${table}.${c} + excluded.${c}`).join(', ')};`;
}

const MONEY: Array<[string, string]> = [
  ['n', 'count(*)'],
  ['value_cents', 'sum(coalesce(n.value_cents, 0))'],
  ['weighted', 'sum(coalesce(n.value_cents * n.probability, 0))'],
];

/**
 * 0222's outcome rows of the leads whose ids `ids` (an int[] expression over the transition table) holds, deleted
 * then written again, as 0222's `forLead` does for one lead.
 */
const outcomes = (ids: string) => `ids := ${ids};
  IF cardinality(ids) = 0 THEN RETURN NULL; END IF;
  DELETE FROM lead_outcomes WHERE lead_id = ANY (ids);
  ${rowsOf('l.id = ANY (ids)')}`;

const ms = (a: string, b: string) =>
  `round(extract(epoch from (${b}::timestamptz - ${a}::timestamptz)) * 1000)::bigint`;
const STAY_COLS = 'history_id, org_id, lead_id, status_id, live, entered_at, ms, owner_id';
/** 0220's `later`: a new history row with a later row of its lead (by created_at, then id). */
const later = `EXISTS (SELECT 1 FROM status_history x WHERE x.org_id = n.org_id AND x.lead_id = n.lead_id
  AND (x.created_at > n.created_at OR (x.created_at = n.created_at AND x.id > n.id)))`;
/**
 * 0220/0240's stays after new history rows: the leads with a new row that is not their last have their stays
 * recomputed from their history (0220's `recompute`), every other new row ends the stay of the row before it
 * (0220's `append`; a lead has one such row per statement, so the upsert touches each stay once).
 */
const stays = `ids := ARRAY(SELECT DISTINCT n.lead_id FROM new_history n WHERE ${later});
  IF cardinality(ids) > 0 THEN
    DELETE FROM status_stays WHERE lead_id = ANY (ids);
    INSERT INTO status_stays (${STAY_COLS})
    SELECT h.id, h.org_id, h.lead_id, h.to_status_id, ${liveOf('l.')}, h.created_at, ${ms('h.created_at', 'h.left_at')},
      coalesce(l.owner_id, 0)
    FROM (SELECT sh.id, sh.org_id, sh.lead_id, sh.to_status_id, sh.created_at,
            lead(sh.created_at) OVER (PARTITION BY sh.org_id, sh.lead_id ORDER BY sh.created_at, sh.id) AS left_at
          FROM (SELECT DISTINCT n.org_id, n.lead_id FROM new_history n WHERE n.lead_id = ANY (ids)) k
          JOIN status_history sh ON sh.org_id = k.org_id AND sh.lead_id = k.lead_id) h
    JOIN leads l ON l.id = h.lead_id
    WHERE h.left_at IS NOT NULL;
  END IF;
  INSERT INTO status_stays (${STAY_COLS})
  SELECT p.id, p.org_id, p.lead_id, p.to_status_id, ${liveOf('l.')}, p.created_at, ${ms('p.created_at', 'n.created_at')},
    coalesce(l.owner_id, 0)
  FROM new_history n
  CROSS JOIN LATERAL (SELECT p.id, p.org_id, p.lead_id, p.to_status_id, p.created_at FROM status_history p
    WHERE p.org_id = n.org_id AND p.lead_id = n.lead_id
      AND (p.created_at < n.created_at OR (p.created_at = n.created_at AND p.id < n.id))
    ORDER BY p.created_at DESC, p.id DESC LIMIT 1) p
  JOIN leads l ON l.id = p.lead_id
  WHERE NOT (n.lead_id = ANY (ids))
  ON CONFLICT (history_id) DO UPDATE SET status_id = excluded.status_id, live = excluded.live,
    entered_at = excluded.entered_at, ms = excluded.ms, owner_id = excluded.owner_id;`;

const HIST_ACTIVITY_COLS = 'lead_id, created_at, from_status_id';
const HIST_STAY_COLS = 'org_id, lead_id, to_status_id, created_at';

/** The statement-level functions and triggers for INSERT. */
const STATEMENT = [
  {
    fn: 'lead_rollups_ins',
    table: 'leads',
    trigger: 'leads_rollup_ins',
    body: sums(
      'lead_rollups',
      [
        ['org_id', 'n.org_id'],
        ['day', 'substr(n.created_at, 1, 10)'],
        ['status_id', 'n.status_id'],
        ['source', "coalesce(n.source, '')"],
        ['live', liveOf('n.')],
      ],
      MONEY,
    ),
  },
  {
    fn: 'lead_totals_ins',
    table: 'leads',
    trigger: 'leads_totals_ins',
    body: sums(
      'lead_totals',
      [
        ['org_id', 'n.org_id'],
        ['live', liveOf('n.')],
        ['status_id', 'n.status_id'],
        ['source', "coalesce(n.source, '')"],
        ['owner_id', 'coalesce(n.owner_id, 0)'],
      ],
      MONEY,
    ),
  },
  {
    fn: 'lead_days_ins',
    table: 'leads',
    trigger: 'lead_days_ins',
    body: sums(
      'lead_days',
      [
        ['org_id', 'n.org_id'],
        ['live', liveOf('n.')],
        ['day', 'substr(n.created_at, 1, 10)'],
        ['source', "coalesce(n.source, '')"],
      ],
      [['n', 'count(*)']],
    ),
  },
  {
    fn: 'lead_outcomes_lead_ins',
    table: 'leads',
    trigger: 'lead_outcomes_lead_ins',
    body: outcomes('ARRAY(SELECT n.id FROM new_leads n)'),
  },
  {
    fn: 'lead_outcomes_history_ins',
    table: 'status_history',
    trigger: 'lead_outcomes_history_ins',
    body: outcomes(`ARRAY(SELECT DISTINCT n.lead_id FROM new_history n JOIN statuses s ON s.id = n.to_status_id
      WHERE s.category IN ('won', 'converted'))`),
  },
  {
    fn: 'status_stays_history_ins',
    table: 'status_history',
    trigger: 'status_stays_history_ins',
    body: stays,
  },
  {
    fn: 'activity_rollups_history_ins',
    table: 'status_history',
    trigger: 'activity_rollups_history_ins',
    body: `INSERT INTO activity_rollups (org_id, live, day, owner_id, kind, n)
      SELECT l.org_id, ${liveOf('l.')}, substr(n.created_at, 1, 10), coalesce(l.owner_id, 0), 'status_change', count(*)
      FROM new_history n JOIN leads l ON l.id = n.lead_id WHERE n.from_status_id IS NOT NULL
      GROUP BY 1, 2, 3, 4
      ON CONFLICT (org_id, live, day, owner_id, kind) DO UPDATE SET n = activity_rollups.n + excluded.n;`,
  },
];

/**
 * The row triggers whose INSERT event moves to the statement triggers: the table, the trigger's name, its function,
 * the columns whose UPDATE it follows (none: it follows no UPDATE), and its new name when it changes (the three
 * that were named `_ins` for INSERT or DELETE keep DELETE only and become `_del`).
 */
const ROW: Array<{ table: string; name: string; fn: string; updateOf?: string; renamed?: string }> = [
  { table: 'leads', name: 'leads_rollup_ins', fn: 'lead_rollups_apply', renamed: 'leads_rollup_del' },
  { table: 'leads', name: 'leads_totals_ins', fn: 'lead_totals_apply', renamed: 'leads_totals_del' },
  { table: 'leads', name: 'lead_days_ins', fn: 'lead_days_apply', renamed: 'lead_days_del' },
  { table: 'leads', name: 'lead_outcomes_lead', fn: 'lead_outcomes_lead', updateOf: LEAD_OUTCOME_COLS },
  {
    table: 'status_history',
    name: 'lead_outcomes_history',
    fn: 'lead_outcomes_history',
    updateOf: HIST_OUTCOME_COLS,
  },
  {
    table: 'status_history',
    name: 'status_stays_history_iud',
    fn: 'status_stays_history',
    updateOf: HIST_STAY_COLS,
  },
  {
    table: 'status_history',
    name: 'activity_rollups_iud',
    fn: 'activity_rollups_status_history',
    updateOf: HIST_ACTIVITY_COLS,
  },
];

/** A row trigger's events: DELETE, UPDATE OF its columns, and INSERT before this migration. */
const events = (r: (typeof ROW)[number], insert: boolean) =>
  [...(insert ? ['INSERT'] : []), 'DELETE', ...(r.updateOf ? [`UPDATE OF ${r.updateOf}`] : [])].join(' OR ');
const rowTrigger = (r: (typeof ROW)[number], name: string, insert: boolean) =>
  `CREATE TRIGGER ${name} AFTER ${events(r, insert)} ON ${r.table} FOR EACH ROW EXECUTE FUNCTION ${r.fn}()`;

const transition = (table: string) => (table === 'leads' ? 'new_leads' : 'new_history');

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  const run = (s: string) => sql.raw(s).execute(db);
  for (const r of ROW) {
    await run(`DROP TRIGGER IF EXISTS ${r.name} ON ${r.table}`);
    await run(rowTrigger(r, r.renamed ?? r.name, false));
  }
  for (const s of STATEMENT) {
    await run(`CREATE FUNCTION ${s.fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE ids integer[];
      BEGIN
        ${s.body}
        RETURN NULL;
      END $$`);
    await run(`CREATE TRIGGER ${s.trigger} AFTER INSERT ON ${s.table}
      REFERENCING NEW TABLE AS ${transition(s.table)} FOR EACH STATEMENT EXECUTE FUNCTION ${s.fn}()`);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  const run = (s: string) => sql.raw(s).execute(db);
  for (const s of STATEMENT) {
    await run(`DROP TRIGGER IF EXISTS ${s.trigger} ON ${s.table}`);
    await run(`DROP FUNCTION IF EXISTS ${s.fn}()`);
  }
  for (const r of ROW) {
    await run(`DROP TRIGGER IF EXISTS ${r.renamed ?? r.name} ON ${r.table}`);
    await run(rowTrigger(r, r.name, true));
  }
}
