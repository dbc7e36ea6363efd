import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';

/** Rows in every table of the database (migration bookkeeping aside): compare before and after a request. */
export async function countAllTables(db: Db): Promise<Record<string, number>> {
  const tables = (await db.kysely.introspection.getTables())
    .map((t) => t.name)
    .filter((n) => !n.startsWith('kysely_') && !n.startsWith('sqlite_'))
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
