import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';

/**
 * On SQLite a search with many matches (over 2,000 across all organizations) takes another query plan than a
 * rare one (docs/scaling.md, "Search"). Both must give the same answer: only this organization's live leads, newest
 * first, paged by cursor without gaps or repeats.
 */
describe('search with many matches', () => {
  let t: TestApp;
  let a: Session;
  let b: Session;
  const MANY = 2300;

  beforeAll(async () => {
    t = await createTestApp();
    a = await signup(t.app);
    b = await signup(t.app);
    const statusOf = async (orgId: number) =>
      (
        await t.db.kysely
          .selectFrom('statuses')
          .select('id')
          .where('org_id', '=', orgId)
          .where('key', '=', 'new')
          .executeTakeFirstOrThrow()
      ).id;
    const [sa, sb] = [await statusOf(a.orgId), await statusOf(b.orgId)];
    // Bulk rows straight through SQL (the API would take minutes); the schema keeps the search index current.
    const rows = Array.from({ length: MANY }, (_, i) => {
      const mine = i % 3 !== 0;
      // created_at runs against id order so the test notices a page sorted by id instead of created_at.
      const at = new Date(Date.UTC(2025, 0, 1) - i * 60_000).toISOString();
      return {
        org_id: mine ? a.orgId : b.orgId,
        first_name: 'Comun',
        last_name: i % 2 ? 'Popular' : 'Frequent',
        status_id: mine ? sa : sb,
        custom_fields: '{}',
        status_changed_at: at,
        created_at: at,
        updated_at: at,
        deleted_at: i % 10 === 1 ? at : null,
        version: 1,
      };
    });
    for (let i = 0; i < rows.length; i += 200)
      await t.db.kysely
        .insertInto('leads')
        .values(rows.slice(i, i + 200))
        .execute();
  });
  afterAll(async () => t?.close());

  async function allPages(session: Session, q: string) {
    type Row = { id: number; created_at: string; last_name: string };
    const seen: Row[] = [];
    let cursor: string | null = null;
    do {
      const qs: URLSearchParams = new URLSearchParams({ q, limit: '200', ...(cursor ? { cursor } : {}) });
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/leads?${qs}`, headers: session.headers });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { data: Row[]; next_cursor: string | null };
      seen.push(...body.data);
      cursor = body.next_cursor;
    } while (cursor);
    return seen;
  }

  it('pages through every live match of the organization, newest first, once each', async () => {
    const got = await allPages(a, 'comun');
    const expected = await t.db.kysely
      .selectFrom('leads')
      .select(['id', 'created_at'])
      .where('org_id', '=', a.orgId)
      .where('deleted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(got.length).toBeGreaterThan(1300);
    expect(got.map((l) => l.id)).toEqual(expected.map((l) => l.id));
  });

  it('gives the same rows for a frequent term as for the rarer term inside it', async () => {
    const frequent = await allPages(a, 'comun popular');
    expect(frequent.length).toBeGreaterThan(600);
    expect(frequent.every((l) => l.last_name === 'Popular')).toBe(true);
    const other = await allPages(b, 'popular');
    expect(other.every((l) => !frequent.some((f) => f.id === l.id))).toBe(true);
  });

  it('counts the matches with include_total', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/leads?q=comun&limit=5&include_total=true',
      headers: a.headers,
    });
    const live = await t.db.kysely
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', a.orgId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(res.json().total).toBe(Number(live.n));
    expect(res.json().data).toHaveLength(5);
  });
});
