import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { createLeadRepository, type LeadFilter, type ListPage } from '../src/leads/lead.repository.js';
import { precompiledShapes } from '../src/db/precompiled.js';

/**
 * The list statement compiled once per shape of filter and page (src/db/precompiled.ts, `precompiledShapes`):
 * every call must send exactly the SQL and parameters Kysely builds for its own values, whichever call of the
 * same shape compiled it first.
 */
let t: TestApp;
let s: Session;
const ids: number[] = [];

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  for (const [i, status] of ['new', 'qualified', 'new', 'won', 'new'].entries())
    ids.push(
      (
        await createLead(t.app, s, {
          first_name: `Shape${i}`,
          last_name: i % 2 ? `Last${i}` : undefined,
          status,
          source: i % 2 ? 'web' : 'fair',
          tags: i === 2 ? ['hot'] : [],
          value: i === 1 ? undefined : `${100 * i}.00`,
        })
      ).id,
    );
});
afterAll(() => t?.close());

const page = (p: Partial<ListPage> = {}): ListPage => ({ sort: 'created_at', desc: true, limit: 3, ...p });

/** Pairs of calls of one shape with different values, then a few that differ in shape only. */
const CASES: Array<[string, LeadFilter, ListPage, LeadFilter, ListPage]> = [
  ['no filter', {}, page(), {}, page({ limit: 7 })],
  ['a status', { statusIds: [1] }, page(), { statusIds: [2] }, page({ limit: 2 })],
  ['two statuses', { statusIds: [1, 2] }, page(), { statusIds: [3, 4] }, page()],
  ['no status at all', { statusIds: [] }, page(), { statusIds: [] }, page()],
  [
    'cursor',
    { statusIds: [1] },
    page({ after: { v: '2026-01-01T00:00:00.000Z', id: 5 } }),
    { statusIds: [2] },
    page({ after: { v: '2025-01-01T00:00:00.000Z', id: 9 } }),
  ],
  ['offset', {}, page({ offset: 2 }), {}, page({ offset: 5 })],
  ['offset zero', {}, page({ offset: 0 }), {}, page({ offset: 0, limit: 9 })],
  [
    'ascending by update',
    {},
    page({ sort: 'updated_at', desc: false }),
    {},
    page({ sort: 'updated_at', desc: false, limit: 1 }),
  ],
  [
    'owner, team, dates',
    { ownerId: 1, teamId: 2, createdAfter: '2020-01-01', updatedBefore: '2030-01-01' },
    page(),
    { ownerId: 3, teamId: 4, createdAfter: '2021-01-01', updatedBefore: '2031-01-01' },
    page(),
  ],
  ['empty source', { source: '' }, page(), { source: '' }, page()],
  ['source', { source: 'web' }, page(), { source: 'Fair' }, page()],
  ['tag and score', { tag: 'hot', scoreGte: 10 }, page(), { tag: 'cold', scoreGte: 20 }, page()],
  ['score zero', { scoreGte: 0 }, page(), { scoreGte: 0 }, page()],
  ['deleted', { deleted: true }, page(), { deleted: true }, page({ limit: 4 })],
  [
    'not deleted, no converted',
    { deleted: false, excludeConverted: true },
    page(),
    { excludeConverted: true },
    page(),
  ],
  ['agent', { visibleTo: 1 }, page(), { visibleTo: 2 }, page()],
  ['owner role', { userId: 1, userRole: 'owner' }, page(), { userId: 2, userRole: 'owner' }, page()],
  ['watcher role', { userId: 1, userRole: 'watcher' }, page(), { userId: 2, userRole: 'watcher' }, page()],
  ['any role', { userId: 1 }, page(), { userId: 2 }, page()],
  ['sort value', {}, page({ sort: 'value' }), {}, page({ sort: 'value', desc: false })],
  [
    'sort value after a value',
    {},
    page({ sort: 'value', after: { v: 100, id: 2 } }),
    {},
    page({ sort: 'value', after: { v: 300, id: 4 } }),
  ],
  [
    'sort value after a null',
    {},
    page({ sort: 'value', after: { v: null, id: 2 } }),
    {},
    page({ sort: 'value', after: { v: null, id: 4 }, offset: 1 }),
  ],
  [
    'sort last name after zero',
    {},
    page({ sort: 'last_name', after: { v: 0, id: 2 } }),
    {},
    page({ sort: 'last_name', after: { v: 0, id: 4 } }),
  ],
  ['sort email', { statusIds: [1] }, page({ sort: 'email' }), { statusIds: [2] }, page({ sort: 'email' })],
  [
    'sort status after a cursor',
    {},
    page({ sort: 'status', after: { v: 3, id: 1 } }),
    {},
    page({ sort: 'status', after: { v: 7, id: 2 } }),
  ],
  ['sort tags', {}, page({ sort: 'tags', desc: false }), {}, page({ sort: 'tags', desc: false })],
];

describe('list statements compiled per shape', () => {
  it('send what Kysely builds for each call, whichever call compiled the shape', () => {
    const leads = createLeadRepository(t.db.kysely, t.db.dialect);
    const orgId = s.orgId;
    for (const [name, f1, p1, f2, p2] of CASES) {
      const sent = [
        [orgId, f1, p1],
        [orgId + 1, f2, p2],
        [orgId, f1, p1],
      ].map(([o, f, p]) => {
        const got = leads.listStatement(o as number, f as LeadFilter, p as ListPage);
        const want = leads.listStatement(o as number, f as LeadFilter, p as ListPage, true);
        expect({ name, sql: got.sql, parameters: got.parameters }).toEqual({
          name,
          sql: want.sql,
          parameters: want.parameters,
        });
        expect(got.queryId, name).not.toBe(want.queryId);
        return got;
      });
      // The third call is the first's shape again: it comes from the first's compilation.
      expect(sent[2].queryId, name).toBe(sent[0].queryId);
    }
  });

  it('build the others every time (search, text, ranges, custom fields)', () => {
    const leads = createLeadRepository(t.db.kysely, t.db.dialect);
    for (const f of [
      { terms: ['ada'] },
      { text: [{ field: 'email' as const, values: ['a*'] }] },
      { ranges: [{ column: 'created_at' as const, op: 'gte' as const, value: '2020' }] },
      { customFields: [{ key: 'k', value: 'v' }] },
    ]) {
      const a = leads.listStatement(s.orgId, f, page());
      expect(a.sql).toBe(leads.listStatement(s.orgId, f, page(), true).sql);
    }
    const cf = leads.listStatement(s.orgId, {}, page({ sort: 'cf.size' }));
    expect(cf.sql).toBe(leads.listStatement(s.orgId, {}, page({ sort: 'cf.size' }), true).sql);
  });

  it('answer the same leads through the API, page after page', async () => {
    const walk = async (qs: string) => {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const res: { statusCode: number; body: string; json(): any } = await t.app.inject({
          method: 'GET',
          url: `/api/v1/leads?limit=2&${qs}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          headers: s.headers,
        });
        expect(res.statusCode, res.body).toBe(200);
        seen.push(...res.json().data.map((l: { id: number }) => l.id));
        cursor = res.json().next_cursor;
      } while (cursor);
      return seen;
    };
    expect(await walk('status=new')).toEqual([ids[4], ids[2], ids[0]]);
    expect(await walk('status=new,won')).toEqual([ids[4], ids[3], ids[2], ids[0]]);
    expect(await walk('sort=created_at')).toEqual(ids);
    expect(await walk('sort=-value')).toEqual([ids[4], ids[3], ids[2], ids[0], ids[1]]);
    expect(await walk('source=WEB&sort=created_at')).toEqual([ids[1], ids[3]]);
    expect(await walk('tag=hot')).toEqual([ids[2]]);
  });
});

describe('precompiledShapes', () => {
  it('does not cache a shape whose builder computes with a value, and still builds it right', async () => {
    let builds = 0;
    const q = precompiledShapes(
      (db, a: { n: number; m: number }) => {
        builds++;
        return db
          .selectFrom('leads')
          .select('id')
          .where('id', '>', a.m)
          .limit(a.n + 1);
      },
      (a, sh) => ({ n: sh.bound(a.n), m: sh.bound(a.m) }),
    );
    const a = q.compile(t.db.kysely, { n: 4, m: 7 })!;
    const b = q.compile(t.db.kysely, { n: 9, m: 8 })!;
    expect(a.parameters).toEqual([7, 5]);
    expect(b.parameters).toEqual([8, 10]);
    expect(builds).toBe(3); // the stand-in try, then each call's own
    const plain = precompiledShapes(
      (db, a: { m: number }) => {
        builds++;
        return db.selectFrom('leads').select('id').where('id', '>', a.m);
      },
      (a, sh) => ({ m: sh.bound(a.m) }),
    );
    builds = 0;
    expect(plain.compile(t.db.kysely, { m: 1 })!.parameters).toEqual([1]);
    expect(plain.compile(t.db.kysely, { m: 2 })!.parameters).toEqual([2]);
    expect(builds).toBe(1);
  });
});
