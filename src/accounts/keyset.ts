import { sql, type SelectQueryBuilder } from 'kysely';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { likeEscape } from './normalize.js';

/** A sort of an accounts list: a non-null column, then id, in one direction. */
export interface KeysetPage {
  column: string;
  desc: boolean;
  limit: number;
  after?: { v: string | number | null; id: number };
}

/** Adds the keyset condition and the order to a list query on `table`. */
export function applyKeyset<Q extends SelectQueryBuilder<any, any, any>>(
  q: Q,
  table: string,
  page: KeysetPage,
): Q {
  const col = sql.ref(`${table}.${page.column}`);
  const id = sql.ref(`${table}.id`);
  let out = q;
  if (page.after) {
    const cmp = sql.raw(page.desc ? '<' : '>');
    out = out.where(sql<boolean>`((${col}, ${id}) ${cmp} (${page.after.v}, ${page.after.id}))`) as Q;
  }
  const dir = page.desc ? 'desc' : 'asc';
  return out.orderBy(col, dir).orderBy(id, dir).limit(page.limit) as Q;
}

/** Each term must appear in `table.search_text` (case-insensitive substring). */
export function applySearch<Q extends SelectQueryBuilder<any, any, any>>(
  q: Q,
  table: string,
  terms: string[],
): Q {
  let out = q;
  for (const t of terms) {
    out = out.where(
      sql<boolean>`${sql.ref(`${table}.search_text`)} LIKE ${`%${likeEscape(t)}%`} ESCAPE '\\'`,
    ) as Q;
  }
  return out;
}

/** Reads `sort` ("-created_at") and `cursor` into a page; `columns` maps API sort names to columns. */
export function pageFrom(
  query: { sort?: string; cursor?: string; limit?: number },
  columns: Record<string, string>,
): KeysetPage & { sortParam: string } {
  const sortParam = query.sort ?? '-created_at';
  const desc = sortParam.startsWith('-');
  const column = columns[desc ? sortParam.slice(1) : sortParam];
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor, sortParam) : undefined;
  return { column, desc, limit: limit + 1, after, sortParam };
}

/** Cuts the extra row fetched to know whether another page exists and builds its cursor. */
export function finishPage<R extends { id: number }>(rows: R[], page: KeysetPage & { sortParam: string }) {
  const limit = page.limit - 1;
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  const next_cursor =
    more && last
      ? encodeCursor({
          s: page.sortParam,
          v: (last as Record<string, unknown>)[page.column] as string | number | null,
          id: last.id,
        })
      : null;
  return { items, next_cursor };
}
