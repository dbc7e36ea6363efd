import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

/** The lead list sorts by any column the web list shows, custom fields included, and pages through them. */
describe('lead list: sort by any column, case-insensitive source', () => {
  let t: TestApp;
  let s: Session;
  const ids: Record<string, number> = {};
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: s.headers });
  async function ordered(qs: string): Promise<number[]> {
    const res = await get(`/api/v1/leads?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data.map((l: { id: number }) => l.id);
  }
  /** Every page of a sort, two at a time, following next_cursor. */
  async function paged(sort: string): Promise<number[]> {
    const out: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await get(
        `/api/v1/leads?sort=${encodeURIComponent(sort)}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      out.push(...res.json().data.map((l: { id: number }) => l.id));
      cursor = res.json().next_cursor;
      if (!cursor) break;
    }
    return out;
  }

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
      expect(await paged(sort), sort).toEqual(await ordered(`sort=${sort}&limit=50`));
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
