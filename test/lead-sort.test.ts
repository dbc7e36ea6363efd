import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';

/**
 * GET as the session, the ids of one page of the list, and the ids of every page of it (`limit` a page, following
 * next_cursor; no page longer than `limit`).
 */
function listing(ctx: () => [TestApp, Session]) {
  const get = (url: string) => {
    const [t, s] = ctx();
    return t.app.inject({ method: 'GET', url, headers: s.headers });
  };
  async function ordered(qs: string): Promise<number[]> {
    const res = await get(`/api/v1/leads?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data.map((l: { id: number }) => l.id);
  }
  async function paged(qs: string, limit: number): Promise<number[]> {
    const out: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 40; i++) {
      const res = await get(
        `/api/v1/leads?${qs}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().data.length).toBeLessThanOrEqual(limit);
      out.push(...res.json().data.map((l: { id: number }) => l.id));
      cursor = res.json().next_cursor;
      if (!cursor) break;
    }
    return out;
  }
  return { get, ordered, paged };
}

/** The lead list sorts by any column the web list shows, custom fields included, and pages through them. */
describe('lead list: sort by any column, case-insensitive source', () => {
  let t: TestApp;
  let s: Session;
  const ids: Record<string, number> = {};
  const { get, ordered, paged } = listing(() => [t, s]);

  beforeAll(async () => {
    t = await createTestApp();
    s = await signup(t.app);
    for (const [key, type] of [
      ['fleet', 'number'],
      ['region', 'string'],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/custom-fields',
        headers: s.headers,
        payload: { key, label: key, type },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const lead = async (name: string, extra: Record<string, unknown>) =>
      (ids[name] = (await createLead(t.app, s, { first_name: name, ...extra })).id);
    await lead('bob', { email: 'B@x.test', source: 'Web', custom_fields: { fleet: 9, region: 'north' } });
    await lead('Alice', { email: 'c@x.test', source: 'web', custom_fields: { fleet: 10, region: 'South' } });
    await lead('carol', { email: 'a@x.test', source: 'Fair', custom_fields: { fleet: 100 } });
    await lead('dave', { source: 'WEB', email: null });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sorts by a text column case-insensitively, empty values last both ways', async () => {
    expect(await ordered('sort=first_name')).toEqual([ids.Alice, ids.bob, ids.carol, ids.dave]);
    expect(await ordered('sort=-first_name')).toEqual([ids.dave, ids.carol, ids.bob, ids.Alice]);
    expect(await ordered('sort=email')).toEqual([ids.carol, ids.bob, ids.Alice, ids.dave]);
    expect(await ordered('sort=-email')).toEqual([ids.Alice, ids.bob, ids.carol, ids.dave]);
  });

  it('sorts a number custom field as numbers (9 < 10 < 100) and a text one folded, absent last', async () => {
    expect(await ordered('sort=cf.fleet')).toEqual([ids.bob, ids.Alice, ids.carol, ids.dave]);
    expect(await ordered('sort=-cf.fleet')).toEqual([ids.carol, ids.Alice, ids.bob, ids.dave]);
    expect((await ordered('sort=cf.region')).slice(0, 2)).toEqual([ids.bob, ids.Alice]);
  });

  it('pages through those sorts with the cursor, each lead once, in the same order', async () => {
    for (const sort of ['first_name', '-email', 'cf.fleet', '-cf.fleet', 'cf.region', 'source'])
      expect(await paged(`sort=${encodeURIComponent(sort)}`, 2), sort).toEqual(
        await ordered(`sort=${sort}&limit=50`),
      );
  });

  it('refuses an unknown custom field or column, naming sort', async () => {
    const a = await get('/api/v1/leads?sort=cf.nope');
    expect(a.statusCode).toBe(422);
    expect(JSON.stringify(a.json())).toContain('sort');
    const b = await get('/api/v1/leads?sort=password');
    expect(b.statusCode).toBe(400);
  });

  it('filters the source case-insensitively', async () => {
    const r = await ordered('source=WEB&sort=first_name');
    expect(r).toEqual([ids.Alice, ids.bob, ids.dave]);
  });
});

/** Status, owner and tags: computed from other tables, yet sorted and paged by the server like any column. */
describe('lead list: sort by status (pipeline order), owner (name) and tags (first tag)', () => {
  let t: TestApp;
  let s: Session;
  const { get, ordered, paged } = listing(() => [t, s]);
  const leads: Record<string, { id: number; status: string; owner_id: number | null; tags: string[] }> = {};
  let statusOrder: string[] = [];
  const names: Record<number, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    s = await signup(t.app, { name: 'Walter Owner' });
    const agent = await addMember(t.app, s, 'agent'); // named "A agent"
    const manager = await addMember(t.app, s, 'manager'); // named "A manager"
    names[s.userId] = 'walter owner';
    names[agent.userId] = 'a agent';
    names[manager.userId] = 'a manager';
    // A status created last, placed first in the pipeline, with a key that sorts last alphabetically: the sort
    // must follow the pipeline, not the id or the key. A second one shares its position (ties go by id).
    for (const [key, position] of [
      ['zz_first', 0],
      ['zz_tied', 0],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/statuses',
        headers: s.headers,
        payload: { key, label: key, category: 'open', position },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const st = await get('/api/v1/statuses');
    statusOrder = st.json().data.map((x: { key: string }) => x.key);
    expect(statusOrder[0]).toBe('zz_first');
    const open = st.json().data.filter((x: { category: string }) => x.category === 'open');
    const plan: Array<[string, string, number | null, string[]]> = [
      ['a', open[open.length - 1].key, agent.userId, ['zebra']],
      ['b', 'zz_tied', null, []],
      ['c', 'zz_first', manager.userId, ['Hot', 'apple']],
      ['d', open[1].key, s.userId, ['beta']],
      ['e', 'zz_first', agent.userId, []],
      ['f', 'zz_tied', manager.userId, ['Alpha']],
    ];
    for (const [name, status, owner, tags] of plan) {
      const l = await createLead(t.app, s, { first_name: name, status, owner_id: owner, tags });
      leads[name] = { id: l.id, status: l.status, owner_id: l.owner_id, tags: l.tags };
      expect(l.status).toBe(status);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The expected order, computed here from what each lead shows: by key, empty last both ways, then by id. */
  function expected(key: (l: (typeof leads)[string]) => string | number | null, desc = false): number[] {
    const all = Object.values(leads);
    const cmp = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
    return all
      .sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        if (ka === null || kb === null)
          return ka === kb ? cmp(a.id, b.id) * (desc ? -1 : 1) : ka === null ? 1 : -1;
        return (cmp(ka, kb) || cmp(a.id, b.id)) * (desc ? -1 : 1);
      })
      .map((l) => l.id);
  }
  const byStatus = (l: (typeof leads)[string]) => statusOrder.indexOf(l.status);
  const byOwner = (l: (typeof leads)[string]) => (l.owner_id === null ? null : names[l.owner_id]);
  const byTag = (l: (typeof leads)[string]) =>
    l.tags.length === 0 ? null : l.tags.map((x) => x.toLowerCase()).sort()[0];

  it('sorts by status in the pipeline order of GET /statuses, both ways', async () => {
    const asc = await ordered('sort=status');
    expect(asc).toEqual(expected(byStatus));
    expect(asc.slice(0, 2)).toEqual([leads.c.id, leads.e.id]); // zz_first, created last, placed first
    expect(await ordered('sort=-status')).toEqual(expected(byStatus, true));
  });

  it("sorts by the owner's name, case-insensitive, unowned last both ways", async () => {
    expect(await ordered('sort=owner')).toEqual(expected(byOwner));
    const desc = await ordered('sort=-owner');
    expect(desc).toEqual(expected(byOwner, true));
    expect(desc[0]).toBe(leads.d.id); // Walter Owner
    expect(desc[desc.length - 1]).toBe(leads.b.id); // no owner
  });

  it('sorts by the first tag alphabetically, untagged last both ways', async () => {
    const asc = await ordered('sort=tags');
    expect(asc).toEqual(expected(byTag));
    expect(asc.slice(0, 4)).toEqual([leads.f.id, leads.c.id, leads.d.id, leads.a.id]); // alpha, apple, beta, zebra
    expect(await ordered('sort=-tags')).toEqual(expected(byTag, true));
  });

  it('pages through each of them with the cursor, each lead once, in the same order', async () => {
    for (const sort of ['status', '-status', 'owner', '-owner', 'tags', '-tags']) {
      const all = await ordered(`sort=${sort}&limit=50`);
      expect(all).toHaveLength(6);
      expect(await paged(`sort=${encodeURIComponent(sort)}`, 2), sort).toEqual(all);
    }
  });

  it('keeps a saved view sorted by status, and refuses a misspelt sort naming it', async () => {
    const v = await t.app.inject({
      method: 'POST',
      url: '/api/v1/views',
      headers: s.headers,
      payload: { name: 'By stage', sort: '-status' },
    });
    expect(v.statusCode, v.body).toBe(201);
    expect(v.json().sort).toBe('-status');
    const bad = await get('/api/v1/leads?sort=statuses');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('sort');
  });
});

/**
 * Value, last name and score: sorted by their indexes (lead.repository.ts, `listNullsLast`), with the order users
 * saw when one ORDER BY sorted the organization: empty values last in both directions, ties and empty values by
 * id in the sort's direction, the cursor and offsets continuing that order.
 */
describe('lead list: value, last name and score with ties and empty values', () => {
  let t: TestApp;
  let s: Session;
  const { get, ordered, paged } = listing(() => [t, s]);
  type Row = {
    id: number;
    value: number | null;
    last_name: string | null;
    score: number | null;
    status: string;
  };
  const rows: Row[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    s = await signup(t.app);
    // Ties in each column, empty values spread between them in id order.
    const plan: Array<[number | null, string | null, number | null, string]> = [
      [100, 'Moreau', 40, 'new'],
      [null, null, null, 'new'],
      [50, 'Bernard', 40, 'qualified'],
      [100, 'Moreau', null, 'new'],
      [200, null, 90, 'qualified'],
      [null, 'Adam', 10, 'new'],
      [50, 'Zola', 90, 'new'],
      [100, 'Bernard', null, 'qualified'],
      [null, 'Moreau', 40, 'new'],
      [0, null, 0, 'new'],
      [200, 'Adam', null, 'qualified'],
      [null, null, 10, 'new'],
      [100, 'Zola', 40, 'new'],
    ];
    for (const [i, [value, last_name, score, status]] of plan.entries()) {
      const l = await createLead(t.app, s, {
        first_name: `L${i}`,
        last_name,
        value: value === null ? null : String(value),
        status,
      });
      rows.push({ id: l.id, value, last_name, score, status });
    }
    // Scores come from the scoring model; the fixture sets them as scoring would.
    for (const r of rows)
      await t.db.kysely.updateTable('leads').set({ score: r.score }).where('id', '=', r.id).execute();
  });
  afterAll(async () => {
    await t?.close();
  });

  function expected(key: 'value' | 'last_name' | 'score', desc: boolean, status?: string): number[] {
    const cmp = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
    return rows
      .filter((r) => !status || r.status === status)
      .sort((a, b) => {
        const ka = a[key];
        const kb = b[key];
        if (ka === null || kb === null)
          return ka === kb ? cmp(a.id, b.id) * (desc ? -1 : 1) : ka === null ? 1 : -1;
        return (cmp(ka, kb) || cmp(a.id, b.id)) * (desc ? -1 : 1);
      })
      .map((r) => r.id);
  }

  it('orders empty values last and ties by id, both ways, and shows what it sorted by', async () => {
    for (const key of ['value', 'last_name', 'score'] as const)
      for (const desc of [false, true]) {
        const sort = `${desc ? '-' : ''}${key}`;
        expect(await ordered(`sort=${sort}&limit=50`), sort).toEqual(expected(key, desc));
      }
    const res = await get('/api/v1/leads?sort=-value&limit=50');
    const shown = res
      .json()
      .data.map((l: { value: string | null }) => (l.value === null ? null : Number(l.value)));
    expect(shown).toEqual([200, 200, 100, 100, 100, 100, 50, 50, 0, null, null, null, null]);
  });

  it('pages with the cursor through values, ties and empty values without gaps or repeats', async () => {
    for (const key of ['value', 'last_name', 'score'] as const)
      for (const desc of [false, true])
        for (const limit of [1, 2, 3, 5]) {
          const sort = `${desc ? '-' : ''}${key}`;
          expect(await paged(`sort=${sort}`, limit), `${sort} by ${limit}`).toEqual(expected(key, desc));
        }
  });

  it('keeps the order with a filter, with offsets, and with an offset after a cursor', async () => {
    for (const key of ['value', 'last_name', 'score'] as const)
      for (const desc of [false, true]) {
        const sort = `${desc ? '-' : ''}${key}`;
        expect(await ordered(`sort=${sort}&status=new&limit=50`), sort).toEqual(expected(key, desc, 'new'));
        expect(await paged(`sort=${sort}&status=qualified`, 2), sort).toEqual(
          expected(key, desc, 'qualified'),
        );
        const all = expected(key, desc);
        for (const offset of [0, 4, 8, 11])
          expect(await ordered(`sort=${sort}&limit=3&offset=${offset}`), `${sort} at ${offset}`).toEqual(
            all.slice(offset, offset + 3),
          );
        // A cursor inside the values and one among the empty values, each followed by an offset.
        const first = await get(`/api/v1/leads?sort=${sort}&limit=3`);
        const c1 = encodeURIComponent(first.json().next_cursor);
        expect(await ordered(`sort=${sort}&limit=3&cursor=${c1}&offset=2`), sort).toEqual(all.slice(5, 8));
        const deep = await get(`/api/v1/leads?sort=${sort}&limit=10`);
        const c2 = encodeURIComponent(deep.json().next_cursor);
        expect(await ordered(`sort=${sort}&limit=3&cursor=${c2}&offset=1`), sort).toEqual(all.slice(11, 14));
      }
  });
});
