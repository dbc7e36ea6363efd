import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import { createTestApp, createLead, onPostgres, signup, type Session, type TestApp } from './helpers.js';
import { createDuplicateRepository } from '../src/duplicates/duplicates.repository.js';
import { addMember } from './access.helpers.js';
import { changedTables, countAllTables } from './table-counts.js';
import { importFile } from './imports.helpers.js';
import { createQueryCounter } from './query-counter.js';

let t: TestApp;
let s: Session;

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

const get = (url: string, who: Session = s) =>
  t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: who.headers });
const post = (url: string, payload: object, who: Session = s) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: who.headers, payload });

describe('duplicate detection', () => {
  it('finds a lead entered again with another email case, phone format, accents and company suffix', async () => {
    const a = await createLead(t.app, s, {
      first_name: 'José',
      last_name: 'Müller',
      email: 'jose.muller+news@gmail.com',
      phone: '+1 415-293-3313',
      company_name: 'Zenith Industrial Partners Inc.',
    });
    const b = await createLead(t.app, s, {
      first_name: 'Jose',
      last_name: 'Muller',
      email: 'JoseMuller@GoogleMail.com',
      phone: '(415) 293 3313',
      company_name: 'Zenith Industrial Partners GmbH',
      address: { country: 'US' },
    });
    // A different person at the same company is no candidate.
    const other = await createLead(t.app, s, {
      first_name: 'Anna',
      last_name: 'Schmidt',
      email: 'anna@zenith.example',
      company_name: 'Zenith Industrial Partners',
    });
    const res = await get(`/leads/${b.id}/duplicates`);
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data.map((c: { lead_id: number }) => c.lead_id)).toEqual([a.id]);
    expect(data[0].score).toBeGreaterThanOrEqual(0.95);
    expect(data[0].reasons).toEqual(expect.arrayContaining(['email', 'phone', 'name', 'company']));
    expect(data[0].flagged).toBe(true);
    expect(data[0].lead).toMatchObject({ id: a.id, first_name: 'José' });
    // The new lead is flagged on its page and in lists.
    expect((await get(`/leads/${b.id}`)).json()).toMatchObject({
      possible_duplicates: 1,
      merged_into_id: null,
    });
    expect((await get(`/leads/${other.id}`)).json().possible_duplicates).toBe(0);
    // Both leads of the pair on one page: each counts it once.
    const listed = new Map(
      (await get('/leads?limit=50'))
        .json()
        .data.map((l: { id: number; possible_duplicates: number }) => [l.id, l.possible_duplicates]),
    );
    expect([listed.get(a.id), listed.get(b.id), listed.get(other.id)]).toEqual([1, 1, 0]);

    const groups = (await get('/duplicates')).json();
    const g = groups.data.find((x: { leads: Array<{ id: number }> }) => x.leads.some((l) => l.id === a.id));
    expect(g.leads.map((l: { id: number }) => l.id)).toEqual([a.id, b.id]);
    expect(g.pairs[0]).toMatchObject({ lead_a: a.id, lead_b: b.id });
  });

  it('finds a typo and swapped first and last name through the name keys, and an external id', async () => {
    const a = await createLead(t.app, s, {
      first_name: 'Kristen',
      last_name: 'Akin',
      email: null,
      company_name: 'Aethna Home Products',
    });
    const b = await createLead(t.app, s, {
      first_name: 'Akin',
      last_name: 'Kirsten',
      email: null,
      company_name: 'Aethna Home Products, Inc.',
    });
    const cands = (await get(`/leads/${a.id}/duplicates`)).json().data;
    expect(cands[0]).toMatchObject({ lead_id: b.id, flagged: true });
    expect(cands[0].reasons).toEqual(['name', 'company']);

    const x = await createLead(t.app, s, { first_name: 'Ext', last_name: 'One', external_id: 'CRM-77' });
    const y = await createLead(t.app, s, {
      first_name: 'Ext',
      last_name: 'One',
      external_id: 'crm-77',
      email: null,
    });
    expect((await get(`/leads/${y.id}/duplicates`)).json().data[0]).toMatchObject({ lead_id: x.id });
  });

  it('follows updates: a lead edited into a duplicate is flagged, edited away it is not', async () => {
    const a = await createLead(t.app, s, {
      first_name: 'Grace',
      last_name: 'Hopper',
      email: 'grace@navy.example',
    });
    const b = await createLead(t.app, s, {
      first_name: 'Grace',
      last_name: 'Hopper',
      email: 'g.h@other.example',
    });
    expect((await get(`/leads/${b.id}`)).json().possible_duplicates).toBe(0);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${b.id}`,
      headers: s.headers,
      payload: { email: 'GRACE@navy.example' },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().possible_duplicates).toBe(1);
    // A deleted duplicate is not counted; restored, it is again.
    await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${a.id}`, headers: s.headers });
    expect((await get(`/leads/${b.id}`)).json().possible_duplicates).toBe(0);
    await post(`/leads/${a.id}/restore`, {});
    expect((await get(`/leads/${b.id}`)).json().possible_duplicates).toBe(1);
    const away = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${b.id}`,
      headers: s.headers,
      payload: { email: 'someone@else.example', first_name: 'Ada', last_name: 'Byron' },
    });
    expect(away.json().possible_duplicates).toBe(0);
    expect((await get(`/leads/${a.id}`)).json().possible_duplicates).toBe(0);
  });

  it('follows an email added on its own route', async () => {
    const a = await createLead(t.app, s, {
      first_name: 'Alan',
      last_name: 'Turing',
      email: 'alan@bletchley.example',
    });
    const b = await createLead(t.app, s, { first_name: 'Alan', last_name: 'Turing', email: null });
    expect((await get(`/leads/${b.id}`)).json().possible_duplicates).toBe(0);
    const added = await post(`/leads/${b.id}/emails`, { address: 'Alan@Bletchley.example' });
    expect(added.statusCode).toBe(201);
    expect((await get(`/leads/${b.id}/duplicates`)).json().data[0]).toMatchObject({
      lead_id: a.id,
      flagged: true,
    });
    expect((await get(`/leads/${b.id}`)).json().possible_duplicates).toBe(1);
  });

  it('dismisses a pair: it leaves the groups and is not flagged again', async () => {
    const a = await createLead(t.app, s, {
      first_name: 'Twin',
      last_name: 'Brother',
      phone: '+33 1 44 55 66 77',
      email: null,
    });
    const b = await createLead(t.app, s, {
      first_name: 'Twin',
      last_name: 'Brother',
      phone: '+33144556677',
      email: null,
    });
    expect((await get(`/leads/${a.id}`)).json().possible_duplicates).toBe(1);
    const d = await post('/duplicates/dismiss', { lead_ids: [b.id, a.id] });
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({ lead_a: a.id, lead_b: b.id, status: 'dismissed' });
    expect((await get(`/leads/${a.id}`)).json().possible_duplicates).toBe(0);
    const groups = (await get('/duplicates')).json().data;
    expect(groups.some((g: { leads: Array<{ id: number }> }) => g.leads.some((l) => l.id === a.id))).toBe(
      false,
    );
    // An edit of either lead, from the pair's lead_a side and from its lead_b side, does not bring the pair back.
    for (const [lead, other] of [
      [a, b],
      [b, a],
    ]) {
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/leads/${lead.id}`,
        headers: s.headers,
        payload: { title: 'Dr' },
      });
      expect((await get(`/leads/${lead.id}`)).json().possible_duplicates).toBe(0);
      expect((await get(`/leads/${lead.id}/duplicates`)).json().data[0]).toMatchObject({
        lead_id: other.id,
        dismissed: true,
      });
    }
    expect((await post('/duplicates/dismiss', { lead_ids: [a.id, a.id] })).statusCode).toBe(422);
    expect((await post('/duplicates/dismiss', { lead_ids: [a.id, 999999] })).statusCode).toBe(404);
  });

  it('pages the groups with a cursor', async () => {
    const first = (await get('/duplicates?limit=1')).json();
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();
    const second = (await get(`/duplicates?limit=1&cursor=${first.next_cursor}`)).json();
    expect(second.data[0].id).toBeGreaterThan(first.data[0].id);
  });
});

describe('refusal on create', () => {
  it('refuses a likely duplicate with 409 from every entry point when the organization asks, writing nothing', async () => {
    const o = await signup(t.app);
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/organization/duplicate-check',
      headers: o.headers,
      payload: { on_create: 'refuse', refuse_score: 0.9 },
    });
    expect(put.json()).toEqual({ enabled: false, on_create: 'refuse', refuse_score: 0.9 });
    const a = await createLead(t.app, o, {
      first_name: 'Linus',
      last_name: 'Torvalds',
      email: 'linus@kernel.example',
    });
    const before = await countAllTables(t.db);
    const res = await post(
      '/leads',
      { first_name: 'linus', last_name: 'torvalds', email: 'LINUS@kernel.example' },
      o,
    );
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain(`lead ${a.id}`);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([{ field: 'email', message: `matches lead ${a.id}` }]),
    );
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
    // A lead that only looks alike (same name, another company and address) is still created, flagged or not.
    expect(
      (await post('/leads', { first_name: 'Linus', last_name: 'Pauling', email: 'lp@chem.example' }, o))
        .statusCode,
    ).toBe(201);
    // Back to flagging: the duplicate is created and flagged.
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/organization/duplicate-check',
      headers: o.headers,
      payload: { on_create: 'flag' },
    });
    const flagged = await post(
      '/leads',
      { first_name: 'Linus', last_name: 'Torvalds', email: 'linus@kernel.example' },
      o,
    );
    expect(flagged.statusCode).toBe(201);
    expect(flagged.json().possible_duplicates).toBe(1);
  });
});

describe('agent visibility', () => {
  it('shows an agent only the candidates and groups among leads they see', async () => {
    const o = await signup(t.app);
    const agent = await addMember(t.app, o, 'agent');
    const mine = await createLead(t.app, agent, {
      first_name: 'Hidden',
      last_name: 'Pair',
      email: 'hp@example.org',
    });
    const theirs = await createLead(t.app, o, {
      first_name: 'Hidden',
      last_name: 'Pair',
      email: 'hp@example.org',
    });
    expect((await get(`/leads/${theirs.id}/duplicates`, o)).json().data[0].lead_id).toBe(mine.id);
    expect((await get(`/leads/${mine.id}/duplicates`, agent)).json().data).toEqual([]);
    expect((await get(`/leads/${theirs.id}/duplicates`, agent)).statusCode).toBe(404);
    expect((await get('/duplicates', agent)).json().data).toEqual([]);
    expect((await get('/duplicates', o)).json().data).toHaveLength(1);
    expect((await post('/duplicates/dismiss', { lead_ids: [mine.id, theirs.id] }, agent)).statusCode).toBe(
      404,
    );
  });

  it("another organization's lead is never a candidate and is a 404", async () => {
    const o = await signup(t.app);
    const lead = await createLead(t.app, o, {
      first_name: 'José',
      last_name: 'Müller',
      email: 'jose.muller@gmail.com',
    });
    expect((await get(`/leads/${lead.id}/duplicates`, o)).json().data).toEqual([]);
    expect((await get(`/leads/${lead.id}/duplicates`)).statusCode).toBe(404);
  });
});

describe('other entry points', () => {
  it('flags duplicates an import brings, within the file and against existing leads', async () => {
    const o = await signup(t.app);
    const existing = await createLead(t.app, o, {
      first_name: 'Sophie',
      last_name: 'Laurent',
      email: 's.laurent@lyondigital.fr',
    });
    const csv =
      'FirstName,LastName,Company,Email,Phone\n' +
      'Sophie,Laurent,Lyon Digital Agency,S.Laurent@LyonDigital.fr,+33 4 5555 2200\n' +
      'Viktor,Andersen,Scandi Cloud Services,v.andersen@scandicloud.dk,+45 33 88 1100\n' +
      'Viktor,Andersn,Scandi Cloud Services ApS,,+4533881100\n' +
      'Maria,Rossi,Milano Moda,m.rossi@milanomoda.it,+39 02 1234 5678\n';
    // The import's own exact dedupe (skip or update on email) is off: every row is created, and flagged.
    const job = await importFile(t.app, o, 'leads.csv', csv, { dedupe: { on: [], policy: 'create' } });
    expect(job.status).toBe('completed');
    const groups = (await get('/duplicates', o)).json().data;
    const names = groups.map((g: { leads: Array<{ first_name: string; last_name: string }> }) =>
      g.leads.map((l) => `${l.first_name} ${l.last_name}`).sort(),
    );
    expect(names).toEqual([
      ['Sophie Laurent', 'Sophie Laurent'],
      ['Viktor Andersen', 'Viktor Andersn'],
    ]);
    expect(groups[0].leads[0].id).toBe(existing.id);
  });

  it('refuses a duplicate sent through web-to-lead when the organization asks', async () => {
    const o = await signup(t.app);
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/organization/duplicate-check',
      headers: o.headers,
      payload: { on_create: 'refuse' },
    });
    const key = (await post('/web-to-lead-keys', { name: 'Form' }, o)).json();
    await createLead(t.app, o, { first_name: 'Wendy', last_name: 'Web', email: 'wendy@web.example' });
    const before = await countAllTables(t.db);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key.key}`,
      payload: { first_name: 'Wendy', last_name: 'Web', email: 'Wendy@Web.example' },
    });
    expect(res.statusCode).toBe(409);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });
});

describe('leads written before duplicate detection', () => {
  it('the backfill job (queued once per organization by migration 0162) files them, so their duplicates show', async () => {
    const b2 = await signup(t.app);
    const a = await createLead(t.app, b2, {
      first_name: 'Grace',
      last_name: 'Hopper',
      email: 'grace@navy.example',
    });
    const b = await createLead(t.app, b2, {
      first_name: 'Grace',
      last_name: 'Hoper',
      email: 'GRACE@navy.example',
    });
    const candidates = async () =>
      (await get(`/leads/${a.id}/duplicates`, b2)).json().data as { lead_id: number }[];
    expect((await candidates()).map((c) => c.lead_id)).toContain(b.id);
    // As before the upgrade: no keys and no pairs.
    await t.db.kysely.deleteFrom('duplicate_pairs').where('org_id', '=', b2.orgId).execute();
    await t.db.kysely.deleteFrom('lead_dup_keys').where('org_id', '=', b2.orgId).execute();
    expect(await candidates()).toEqual([]);
    const now = new Date().toISOString();
    const job = await t.db.kysely
      .insertInto('jobs')
      .values({
        org_id: b2.orgId,
        kind: 'duplicates.backfill',
        payload: '{}',
        status: 'queued',
        attempts: 0,
        run_after: now,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let status = 'queued';
    for (let i = 0; i < 200 && status !== 'completed' && status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (
        await t.db.kysely
          .selectFrom('jobs')
          .select('status')
          .where('id', '=', job.id)
          .executeTakeFirstOrThrow()
      ).status;
    }
    expect(status).toBe('completed');
    expect((await candidates()).map((c) => c.lead_id)).toContain(b.id);
  });
});

// Planner statistics of a 200,000-lead benchmark database (`PRAGMA optimize` had analyzed a grown duplicate_pairs):
// with them, the open-pairs count joined both leads of each pair and SQLite read the other side first, every live
// lead of the organization through leads_org_report_idx (150-250 ms per lead response at 80,000 leads,
// docs/performance.md, "Writers across workers").
const BENCH_STATS: Array<[string, string, string]> = [
  ['leads', 'leads_org_report_idx', '200000 1653 49 36 36 35 12 1 1 1 1 1'],
  ['duplicate_pairs', 'duplicate_pairs_org_status_idx', '9900 1093 1093 92'],
  ['duplicate_pairs', 'duplicate_pairs_org_b_idx', '9900 1093 17'],
  ['duplicate_pairs', 'sqlite_autoindex_duplicate_pairs_1', '9900 1093 92 1'],
];

describe.skipIf(onPostgres)('the open-pairs count under skewed statistics (SQLite)', () => {
  it('looks both leads of a pair up by primary key, never through an index of the organization', async () => {
    const k = t.db.kysely;
    await sql`ANALYZE duplicate_pairs`.execute(k); // makes sqlite_stat1
    await sql`DELETE FROM sqlite_stat1 WHERE tbl IN ('leads', 'duplicate_pairs')`.execute(k);
    try {
      for (const [tbl, idx, stat] of BENCH_STATS)
        await sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (${tbl}, ${idx}, ${stat})`.execute(k);
      await sql`ANALYZE sqlite_schema`.execute(k); // loads them
      let plan: string[] = [];
      // The repository's own statement, explained instead of run.
      const explaining = new Proxy(k, {
        get(target, prop) {
          if (prop === 'executeQuery')
            return async (q: CompiledQuery) => {
              const r = await target.executeQuery<{ detail: string }>({
                ...q,
                sql: `EXPLAIN QUERY PLAN ${q.sql}`,
              });
              plan = r.rows.map((row) => row.detail);
              return { rows: [] };
            };
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      await createDuplicateRepository().openCounts(explaining, s.orgId, [1]);
      expect(plan.length).toBeGreaterThan(0);
      expect(plan.filter((line) => /\bleads_org_/.test(line))).toEqual([]);
    } finally {
      await sql`DELETE FROM sqlite_stat1 WHERE tbl IN ('leads', 'duplicate_pairs')`.execute(k);
      await sql`ANALYZE sqlite_schema`.execute(k);
    }
  });
});

describe.skipIf(onPostgres)('the pairs of an updated lead (SQLite)', () => {
  it('a PATCH reads and deletes the pairs of that lead through their indexes, never every pair of the organization', async () => {
    const counter = createQueryCounter();
    const e = await createTestApp({}, { wrapDialect: counter.wrapDialect });
    try {
      const me = await signup(e.app);
      const person = { first_name: 'Pair', last_name: 'Sider', phone: '+33 1 44 55 66 78', email: null };
      await createLead(e.app, me, person);
      const b = await createLead(e.app, me, person);
      // No statistics on duplicate_pairs (a database no import has analyzed): SQLite's plan of `lead_a IN (...)
      // OR lead_b IN (...)` was then a scan of the whole table, every organization's pairs.
      const k = e.db.kysely;
      await sql`ANALYZE duplicate_pairs`.execute(k);
      await sql`DELETE FROM sqlite_stat1 WHERE tbl = 'duplicate_pairs'`.execute(k);
      await sql`ANALYZE sqlite_schema`.execute(k);
      const { result, counts } = await counter.measure(() =>
        e.app.inject({
          method: 'PATCH',
          url: `/api/v1/leads/${b.id}`,
          headers: me.headers,
          payload: { job_title: 'Buyer' },
        }),
      );
      expect(result.statusCode).toBe(200);
      expect(result.json().possible_duplicates).toBe(1);
      const statements = counts.sql.filter((q) => /duplicate_pairs/.test(q));
      // The refresh deletes the open pairs and reads the dismissed ones; the response counts the open ones.
      expect(statements.filter((q) => /^\s*delete/i.test(q)).length).toBeGreaterThan(0);
      const lines: string[] = [];
      for (const q of statements) {
        // The plan does not depend on the values: any will do.
        const params = Array.from({ length: (q.match(/\?/g) ?? []).length }, () => 1);
        const plan = await k.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q}`, params),
        );
        lines.push(...plan.rows.map((r) => r.detail));
      }
      const onPairs = lines.filter((l) => /^(SCAN|SEARCH) (duplicate_pairs|p)\b/.test(l));
      expect(onPairs.length).toBeGreaterThan(0);
      expect(onPairs.filter((l) => !/lead_[ab]=\?/.test(l))).toEqual([]);
    } finally {
      await e.close();
    }
  });
});
