import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

const post = (payload: unknown, sess = s) =>
  t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: sess.headers, payload: payload as object });
const get = (url: string, sess = s) => t.app.inject({ method: 'GET', url, headers: sess.headers });
const patch = (id: number, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'PATCH',
    url: `/api/v1/leads/${id}`,
    headers: { ...s.headers, ...headers },
    payload: payload as object,
  });

describe('create and read', () => {
  it('creates a lead with every core field and reads back exactly what was written', async () => {
    const input = {
      first_name: 'Grace',
      last_name: 'Hopper',
      civility: 'dr',
      title: 'Fleet of 12 cars',
      job_title: 'Rear Admiral',
      email: 'Grace.Hopper@Navy.example',
      phone: '+1 202 555 0100',
      mobile: '+1 202 555 0199',
      company_name: 'US Navy',
      website: 'https://navy.example',
      source: 'Web',
      owner_id: s.userId,
      value: '125000.50',
      currency: 'usd',
      probability: 40,
      rating: 5,
      priority: 2,
      importance: 4,
      description: 'Wants a demo',
      address: {
        line1: '1 Main St',
        line2: 'Suite 2',
        city: 'Arlington',
        state: 'VA',
        postal_code: '22201',
        country: 'us',
      },
      locale: 'en-US',
      birth_date: '1906-12-09',
      external_id: 'SF-00Q1',
      expected_close_date: '2027-03-31',
      tags: ['vip', 'fleet', 'vip'],
      custom_fields: { trial_status: 'Not Done', seats: 12, renewal: true },
    };
    const res = await post(input);
    expect(res.statusCode).toBe(201);
    const lead = res.json();
    expect(res.headers.location).toBe(`/api/v1/leads/${lead.id}`);
    expect(res.headers.etag).toBe(`"${lead.id}-1"`);
    expect(lead).toMatchObject({
      ...input,
      email: 'grace.hopper@navy.example',
      currency: 'USD',
      address: { ...input.address, country: 'US' },
      tags: ['fleet', 'vip'],
      status: 'new',
      status_category: 'open',
      created_by: s.userId,
      version: 1,
      deleted_at: null,
    });
    expect(lead.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const again = await get(`/api/v1/leads/${lead.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(lead);
  });

  it('gives integer, incremental ids', async () => {
    const a = await createLead(t.app, s);
    const b = await createLead(t.app, s);
    expect(Number.isInteger(a.id)).toBe(true);
    expect(b.id).toBeGreaterThan(a.id);
  });

  it('needs at least a name, email, phone, company or external id', async () => {
    const res = await post({ description: 'nobody', tags: ['x'] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe('first_name');
    for (const ok of [
      { email: 'a@b.co' },
      { phone: '123' },
      { company_name: 'Acme' },
      { external_id: 'X1' },
      { last_name: 'Z' },
    ]) {
      expect((await post(ok)).statusCode).toBe(201);
    }
  });

  it('round-trips quotes, emoji, right-to-left text and SQL fragments byte for byte', async () => {
    const nasty = {
      first_name: `O'Brien "the" \\ back`,
      last_name: 'مرحبا بالعالم',
      company_name: "Robert'); DROP TABLE leads;--",
      description: '😀 👩🏽‍💻 \u202Eevil\u202C NUL-free, tabs\tand\nnewlines',
      title: '%_ LIKE wildcards _%',
    };
    const created = (await post(nasty)).json();
    const read = (await get(`/api/v1/leads/${created.id}`)).json();
    for (const [k, v] of Object.entries(nasty)) expect(read[k]).toBe(v);
    const found = (await get(`/api/v1/leads?q=${encodeURIComponent('مرحبا')}`)).json();
    expect(found.data.map((l: { id: number }) => l.id)).toContain(created.id);
  });
});

describe('bad input gets a clear problem+json answer and changes nothing', () => {
  it('malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: { ...s.headers, 'content-type': 'application/json' },
      payload: '{"first_name": "x",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('wrong types, unknown fields, bad email, out-of-range values, bad country', async () => {
    const before = (await get('/api/v1/leads?include_total=true')).json().total;
    const cases: Array<[object, string]> = [
      [{ first_name: 42 }, 'first_name'],
      [{ first_name: 'x', shoe_size: 44 }, 'shoe_size'],
      [{ first_name: 'x', email: 'not-an-email' }, 'email'],
      [{ first_name: 'x', rating: 9 }, 'rating'],
      [{ first_name: 'x', probability: 101 }, 'probability'],
      [{ first_name: 'x', address: { country: 'USA' } }, 'address.country'],
      [{ first_name: 'x', birth_date: '31/12/1990' }, 'birth_date'],
      [{ first_name: 'x', owner_id: '1' }, 'owner_id'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const semantic: Array<[object, string]> = [
      [{ first_name: 'x', address: { country: 'XY' } }, 'address.country'],
      [{ first_name: 'x', value: '12.345' }, 'value'],
      [{ first_name: 'x', status: 'no-such-status' }, 'status'],
      [{ first_name: 'x', owner_id: 999999 }, 'owner_id'],
    ];
    for (const [body, field] of semantic) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await get('/api/v1/leads?include_total=true')).json().total).toBe(before);
  });

  it('a NUL character in text is 400 on both databases', async () => {
    const res = await post({ first_name: 'a\u0000b' });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('NUL');
  });

  it('a body over 1 MB is 413', async () => {
    const res = await post({ first_name: 'x', description: 'a'.repeat(1024 * 1024 + 10) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it("an unknown id, a non-numeric id, and another organization's lead are 404 (never 403)", async () => {
    const other = await signup(t.app);
    const theirs = await createLead(t.app, other);
    expect((await get('/api/v1/leads/99999999')).statusCode).toBe(404);
    expect((await get('/api/v1/leads/abc')).statusCode).toBe(400);
    expect((await get(`/api/v1/leads/${theirs.id}`)).statusCode).toBe(404);
    expect((await patch(theirs.id, { first_name: 'hijack' })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${theirs.id}`, headers: s.headers }))
        .statusCode,
    ).toBe(404);
    expect((await get(`/api/v1/leads/${theirs.id}`, other)).json().first_name).toBe(theirs.first_name);
  });
});

describe('update, delete, restore', () => {
  it('PATCH changes only the given fields; null clears; the version and ETag move on', async () => {
    const lead = await createLead(t.app, s, { phone: '123', company_name: 'Acme', tags: ['a'] });
    const res = await patch(lead.id, { phone: null, company_name: 'Acme Corp', tags: ['b'] });
    expect(res.statusCode).toBe(200);
    const after = res.json();
    expect(after).toMatchObject({
      phone: null,
      company_name: 'Acme Corp',
      tags: ['b'],
      first_name: lead.first_name,
      version: 2,
    });
    expect(res.headers.etag).toBe(`"${lead.id}-2"`);
    expect(after.updated_at >= lead.updated_at).toBe(true);
  });

  it('PATCH with a stale If-Match is 412 and changes nothing', async () => {
    const lead = await createLead(t.app, s);
    const stale = `"${lead.id}-1"`;
    expect((await patch(lead.id, { first_name: 'One' }, { 'if-match': stale })).statusCode).toBe(200);
    const res = await patch(lead.id, { first_name: 'Two' }, { 'if-match': stale });
    expect(res.statusCode).toBe(412);
    expect((await get(`/api/v1/leads/${lead.id}`)).json().first_name).toBe('One');
  });

  it('refuses a PATCH that would leave the lead with nothing to identify it', async () => {
    const lead = await createLead(t.app, s, { first_name: 'A', last_name: null, email: null });
    const res = await patch(lead.id, { first_name: null });
    expect(res.statusCode).toBe(422);
    expect((await get(`/api/v1/leads/${lead.id}`)).json().first_name).toBe('A');
  });

  it('soft-deletes (gone from reads and lists, kept in the trash) and restores', async () => {
    const lead = await createLead(t.app, s, { last_name: 'Trashme' });
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${lead.id}`, headers: s.headers });
    expect(del.statusCode).toBe(204);
    expect((await get(`/api/v1/leads/${lead.id}`)).statusCode).toBe(404);
    expect((await get('/api/v1/leads?q=Trashme')).json().data).toHaveLength(0);
    const trash = (await get('/api/v1/leads?deleted=true&q=Trashme')).json().data;
    expect(trash.map((l: { id: number }) => l.id)).toEqual([lead.id]);
    expect(trash[0].deleted_at).not.toBeNull();
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/leads/${lead.id}`,
      headers: s.headers,
    });
    expect(again.statusCode).toBe(404);
    const restored = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/restore`,
      headers: s.headers,
    });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ id: lead.id, deleted_at: null, last_name: 'Trashme' });
    expect((await get(`/api/v1/leads/${lead.id}`)).statusCode).toBe(200);
    const twice = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/restore`,
      headers: s.headers,
    });
    expect(twice.statusCode).toBe(409);
  });
});

describe('list, filters, search, sorting and keyset pages', () => {
  let org: Session;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    org = await signup(t.app);
    const rows = [
      {
        key: 'a',
        first_name: 'Anna',
        last_name: 'Zeller',
        source: 'Web',
        value: '10',
        tags: ['hot'],
        company_name: 'Zeta GmbH',
      },
      {
        key: 'b',
        first_name: 'Bruno',
        last_name: 'Young',
        source: 'Referral',
        value: '300',
        tags: ['cold'],
        status: 'qualified',
      },
      {
        key: 'c',
        first_name: 'Chloé',
        last_name: 'Xavier',
        source: 'Web',
        value: null,
        tags: ['hot', 'fleet'],
        email: 'chloe@fleet.example',
      },
      {
        key: 'd',
        first_name: 'Dmitri',
        last_name: null,
        source: 'Fair',
        value: '300',
        company_name: 'Delta Fleet',
        status: 'qualified',
      },
      {
        key: 'e',
        first_name: 'Eve',
        last_name: 'Adams',
        source: 'Web',
        value: '5',
        phone: '+44 20 7946 0958',
        custom_fields: { tier: 'gold' },
      },
    ];
    for (const { key, ...r } of rows) ids[key] = (await createLead(t.app, org, r)).id;
  });
  const list = async (qs: string) => {
    const res = await get(`/api/v1/leads?${qs}`, org);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const idsOf = (body: { data: Array<{ id: number }> }) => body.data.map((l) => l.id);

  it("lists newest first by default, only this organization's leads", async () => {
    const body = await list('');
    expect(idsOf(body)).toEqual([ids.e, ids.d, ids.c, ids.b, ids.a]);
    expect(body.next_cursor).toBeNull();
    expect(body.total).toBeUndefined();
  });

  it('filters by status, source, tag, owner, dates and custom field', async () => {
    expect(idsOf(await list('status=qualified'))).toEqual([ids.d, ids.b]);
    expect(idsOf(await list('status=qualified,new'))).toHaveLength(5);
    expect(idsOf(await list('source=Web'))).toEqual([ids.e, ids.c, ids.a]);
    expect(idsOf(await list('tag=hot'))).toEqual([ids.c, ids.a]);
    expect(idsOf(await list(`owner_id=${org.userId}`))).toEqual([]);
    expect(idsOf(await list('cf.tier=gold'))).toEqual([ids.e]);
    const all = (await list('')).data;
    const cAt = all.find((l: { id: number }) => l.id === ids.c).created_at;
    expect(idsOf(await list(`created_after=${encodeURIComponent(cAt)}`))).toEqual(
      expect.arrayContaining([ids.c, ids.d, ids.e]),
    );
    expect(idsOf(await list(`created_before=${encodeURIComponent(cAt)}`))).not.toContain(ids.c);
    expect(
      idsOf(await list('created_after=2000-01-01T00:00:00Z&updated_after=2000-01-01T00:00:00Z')),
    ).toHaveLength(5);
    const unknown = await get('/api/v1/leads?status=nope', org);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].field).toBe('status');
    const badDate = await get('/api/v1/leads?created_after=yesterday', org);
    expect(badDate.statusCode).toBe(400);
    expect((await get('/api/v1/leads?limit=201', org)).statusCode).toBe(400);
    expect((await get('/api/v1/leads?sort=shoe_size', org)).statusCode).toBe(400);
  });

  it('searches names, email, phone, company and title with prefixes, accents folded on SQLite', async () => {
    expect(idsOf(await list('q=fleet'))).toEqual([ids.d, ids.c]);
    expect(idsOf(await list('q=zel'))).toEqual([ids.a]);
    expect(idsOf(await list('q=anna%20zeller'))).toEqual([ids.a]);
    expect(idsOf(await list('q=7946'))).toEqual([ids.e]);
    expect(idsOf(await list('q=chloe%40fleet.example'))).toEqual([ids.c]);
    expect(idsOf(await list('q=nobodyhere'))).toEqual([]);
    expect(idsOf(await list('q=%22%27%3B--'))).toEqual([]);
  });

  it('sorts by value and last name with empty values last, both directions', async () => {
    expect(idsOf(await list('sort=value'))).toEqual([ids.e, ids.a, ids.b, ids.d, ids.c]);
    expect(idsOf(await list('sort=-value'))).toEqual([ids.d, ids.b, ids.a, ids.e, ids.c]);
    expect(idsOf(await list('sort=last_name'))).toEqual([ids.e, ids.c, ids.b, ids.a, ids.d]);
    expect(idsOf(await list('sort=-last_name'))).toEqual([ids.a, ids.b, ids.c, ids.e, ids.d]);
  });

  it('walks every page with next_cursor, for every sort, without gaps or repeats', async () => {
    for (const sort of [
      '-created_at',
      'created_at',
      'updated_at',
      '-updated_at',
      'value',
      '-value',
      'last_name',
      '-last_name',
    ]) {
      const full = idsOf(await list(`sort=${sort}`));
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const body = await list(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(body.data.length).toBeLessThanOrEqual(2);
        seen.push(...idsOf(body));
        cursor = body.next_cursor;
      } while (cursor);
      expect(seen, sort).toEqual(full);
    }
  });

  it('counts with include_total, and rejects a cursor from another sort', async () => {
    const body = await list('limit=2&include_total=true&source=Web');
    expect(body.total).toBe(3);
    expect(body.data).toHaveLength(2);
    const res = await get(`/api/v1/leads?sort=value&cursor=${body.next_cursor}`, org);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('cursor');
    expect((await get('/api/v1/leads?cursor=garbage', org)).statusCode).toBe(400);
  });
});
