/**
 * Page/offset adapters over the core's keyset lists: the core pages with an opaque cursor, surfaces' clients
 * page with `offset`/`limit` or `page`/`per_page`. An offset costs what reading that many rows costs (the
 * core never runs a deep OFFSET), which is why the core list stays keyset.
 */
export interface KeysetPage<T> {
  data: T[];
  next_cursor: string | null;
}

export interface OffsetResult<T> {
  items: T[];
  /** True when more matching rows follow the page. */
  more: boolean;
}

/**
 * Skips `offset` rows and returns `limit`, walking the core's pages. `keep` filters rows the core could not
 * (a default the surface applies); without it the first core page is sized `offset + limit + 1`, so a page
 * near the start is one query.
 */
export async function readOffset<T>(
  fetch: (cursor: string | undefined, pageSize: number) => Promise<KeysetPage<T>>,
  {
    offset,
    limit,
    keep,
    maxPage = 200,
  }: { offset: number; limit: number; keep?: (row: T) => boolean; maxPage?: number },
): Promise<OffsetResult<T>> {
  const items: T[] = [];
  let skipped = 0;
  let cursor: string | undefined;
  const pageSize = keep ? maxPage : Math.min(maxPage, offset + limit + 1);
  for (;;) {
    const page = await fetch(cursor, pageSize);
    for (const row of page.data) {
      if (keep && !keep(row)) continue;
      if (skipped < offset) skipped++;
      else if (items.length < limit) items.push(row);
      else return { items, more: true };
    }
    cursor = page.next_cursor ?? undefined;
    if (!cursor) return { items, more: false };
  }
}

/** `page` (1-based) and `perPage` as an offset. */
export function pageToOffset(page: number | undefined, perPage: number): { offset: number; limit: number } {
  return { offset: (Math.max(1, page ?? 1) - 1) * perPage, limit: perPage };
}
