import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';

const BACKGROUND = new Set(['rate_counters', 'digest_runs']);

/** Rows in every table of the database (migration bookkeeping aside): compare before and after a request. */
export async function countAllTables(db: Db): Promise<Record<string, number>> {
  // Only this test's schema: other test runs keep their own schemas in the same PostgreSQL database.
  const listed =
    db.dialect === 'postgres'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db.kysely)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db.kysely);
  const tables = listed.rows
    .map((t) => t.name)
    // Not data a request writes: rate_counters holds rate-limit state (every request counts, refused or not), and
    // digest_runs is written by the daily digest on its own clock (it ran between a test's two counts once, on
    // PostgreSQL, when the organizations' digest hour came).
    .filter((n) => !n.startsWith('kysely_') && !n.startsWith('sqlite_') && !BACKGROUND.has(n))
    .sort();
  const out: Record<string, number> = {};
  for (const name of tables) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(
      db.kysely,
    );
    out[name] = Number(r.rows[0].n);
  }
  return out;
}

/** The tables whose row count changed: `{ table: [before, after] }` (empty when nothing was written). */
export function changedTables(before: Record<string, number>, after: Record<string, number>) {
  const out: Record<string, [number, number]> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)]))
    if (before[k] !== after[k]) out[k] = [before[k] ?? 0, after[k] ?? 0];
  return out;
}
