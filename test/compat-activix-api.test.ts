import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { changedTables, countAllTables } from './table-counts.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;

const ax = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, who: Session = s) =>
  app.inject({
    method,
    url: `/compat/activix${url}`,
    headers: who.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const create = async (body: Record<string, unknown>) => {
  const res = await ax('POST', '/v2/leads', { type: 'email', ...body });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().data as Record<string, unknown> & { id: number };
};
const ids = (res: { json(): { data: Array<{ id: number }> } }) => res.json().data.map((l) => l.id);

let a: { id: number }, b: { id: number }, c: { id: number };

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app, { name: 'Max Dealer' });
  a = await create({
    first_name: 'Alice',
    last_name: 'Martin',
    postal_code: 'H2X 1Y4',
    division: 'new',
    created_at: '2024-01-10T10:00:00Z',
    sale_date: '2024-02-01T12:00:00Z',
    emails: [{ address: 'alice@example.com' }],
    phones: [{ number: '+15145550101', type: 'mobile' }],
  });
  b = await create({
    first_name: 'Bob',
    last_name: 'Martinez',
    postal_code: 'H3A 0G4',
    division: 'used',
    created_at: '2024-02-10T10:00:00Z',
    sale_date: '2024-03-01T12:00:00Z',
    second_contact: 'Zoltan Fleet Inc',
    emails: [{ address: 'bob@example.org' }],
  });
  c = await create({
    first_name: 'Carla',
    last_name: 'Smith',
    postal_code: 'J4K 2T1',
    division: 'service',
    created_at: '2024-03-10T10:00:00Z',
    phones: [{ number: '+15145550303' }],
  });
});
afterAll(async () => t.close());

describe('GET /v2/leads: filters, newest first, paging', () => {
  it('lists newest first with the Laravel paginator', async () => {
    const res = await ax('GET', '/v2/leads?per_page=2');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(ids(res)).toEqual([c.id, b.id]);
    expect(body.meta).toEqual({
      current_page: 1,
      from: 1,
      last_page: 2,
      path: expect.stringMatching(/\/compat\/activix\/v2\/leads$/),
      per_page: 2,
      to: 2,
      total: 3,
    });
    expect(body.links.prev).toBeNull();
    expect(body.links.next).toMatch(/page=2/);
    expect(body.links.last).toMatch(/page=2/);
    const p2 = await ax('GET', '/v2/leads?per_page=2&page=2');
    expect(ids(p2)).toEqual([a.id]);
    expect(p2.json().meta).toMatchObject({ current_page: 2, from: 3, to: 3, total: 3 });
    expect(p2.json().links.next).toBeNull();
    const past = await ax('GET', '/v2/leads?per_page=2&page=9');
    expect(past.json().data).toEqual([]);
    expect(past.json().meta).toMatchObject({ from: null, to: null, total: 3 });
    expect((await ax('GET', '/v2/leads?per_page=101')).statusCode).toBe(422);
    expect((await ax('GET', '/v2/leads')).json().meta.per_page).toBe(25);
  });

  it('filters by name with % wildcards and comma OR, email, phone, postal code and division', async () => {
    expect(ids(await ax('GET', '/v2/leads?filter[name]=Martin'))).toEqual([a.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[name]=Mart%25'))).toEqual([b.id, a.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[name]=Alice,Carla'))).toEqual([c.id, a.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[email]=%25@example.org'))).toEqual([b.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[phone]=%2B15145550303'))).toEqual([c.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[postal_code]=H%25'))).toEqual([b.id, a.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[division]=used'))).toEqual([b.id]);
  });

  it('filters created_at, updated_at and sale_date with ranges and exact days', async () => {
    expect(ids(await ax('GET', '/v2/leads?filter[created_at][gte]=2024-02-01'))).toEqual([c.id, b.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[created_at][lt]=2024-02-10T10:00:00Z'))).toEqual([a.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[created_at][lte]=2024-02-10T10:00:00Z'))).toEqual([
      b.id,
      a.id,
    ]);
    expect(ids(await ax('GET', '/v2/leads?filter[created_at]=2024-03-10'))).toEqual([c.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[sale_date][gt]=2024-02-01T12:00:00Z'))).toEqual([b.id]);
    expect(
      ids(await ax('GET', '/v2/leads?filter[sale_date][gte]=2024-01-01&filter[sale_date][lt]=2024-12-31')),
    ).toEqual([b.id, a.id]);
    expect(ids(await ax('GET', '/v2/leads?filter[updated_at][gte]=2000-01-01'))).toHaveLength(3);
    expect(ids(await ax('GET', '/v2/leads?filter[updated_at][lt]=2000-01-01'))).toEqual([]);
  });

  it('answers 422 naming a bad filter', async () => {
    const res = await ax('GET', '/v2/leads?filter[created_at][gte]=yesterday&filter[colour]=red');
    expect(res.statusCode).toBe(422);
    expect(Object.keys(res.json().errors).sort()).toEqual(['filter.colour', 'filter.created_at.gte']);
  });

  it('searches name, second contact, phone, email and postal code', async () => {
    expect(ids(await ax('GET', '/v2/leads/search?query=Zoltan'))).toEqual([b.id]);
    expect(ids(await ax('GET', '/v2/leads/search?query=alice@example.com'))).toEqual([a.id]);
    expect(ids(await ax('GET', '/v2/leads/search?query=Carla'))).toEqual([c.id]);
  });

  it('includes nested objects on lists', async () => {
    const res = await ax(
      'GET',
      '/v2/leads?filter[name]=Alice&include[]=emails&include[]=phones&include[]=account',
    );
    const d = res.json().data[0];
    expect(d.emails[0].address).toBe('alice@example.com');
    expect(d.phones[0]).toMatchObject({ number: '+15145550101', type: 'mobile', mobile: true });
    expect(d.account).toMatchObject({ id: s.orgId });
    expect(d).not.toHaveProperty('vehicles');
  });
});

describe('refused writes answer 422 naming the field and write nothing', () => {
  it('bad enums, bad dates and a bad VIN', async () => {
    const before = await countAllTables(t.db);
    const res = await ax('POST', '/v2/leads', {
      type: 'fax',
      civility: 'sir',
      division: 'parts',
      result: 'won',
      segment: 'vip',
      status: 'sold',
      created_method: 'carrier_pigeon',
      gender: 3,
      rating: 6,
      service_interval_km: 7000,
      sale_date: '2024-13-45T00:00:00Z',
      appointment_date: 'tomorrow',
      birth_date: '1980-02-30',
      vehicles: [{ type: 'wanted', vin: 'IOQ123' }],
      phones: [{ number: '514-555' }],
    });
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(body.message).toBe('The given data was invalid.');
    for (const k of [
      'type',
      'civility',
      'division',
      'result',
      'segment',
      'status',
      'created_method',
      'gender',
      'rating',
      'service_interval_km',
      'sale_date',
      'appointment_date',
      'birth_date',
      'vehicles.0.vin',
      'phones.0.number',
    ])
      expect(body.errors[k], k).toEqual([expect.any(String)]);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });

  it('type is required on create; an unknown advisor is refused on update with nothing written', async () => {
    const res = await ax('POST', '/v2/leads', { first_name: 'No type' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.type).toBeDefined();
    const before = await countAllTables(t.db);
    const up = await ax('PUT', `/v2/leads/${a.id}`, {
      first_name: 'Changed',
      advisor: { email: 'nobody@example.com' },
      vehicles: [{ make: 'Ford', vin: 'BADVIN' }],
    });
    expect(up.statusCode).toBe(422);
    expect(Object.keys(up.json().errors).sort()).toEqual(['advisor', 'vehicles.0.vin']);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
    expect((await ax('GET', `/v2/leads/${a.id}`)).json().data.first_name).toBe('Alice');
  });

  it('a schema fault (wrong type, unknown field) is a 422 too', async () => {
    const res = await ax('POST', '/v2/leads', { type: 'email', rating: 'five', colour: 'red' });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toBe('The given data was invalid.');
  });

  it('no DELETE; 401 in Laravel form', async () => {
    expect((await ax('DELETE', `/v2/leads/${a.id}`)).statusCode).toBe(404);
    const res = await app.inject({ method: 'GET', url: '/compat/activix/v2/leads' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ message: 'Unauthenticated.' });
  });
});

describe('a lead written here is the core lead', () => {
  it('reads the same in /api/v1 and capillary', async () => {
    const d = (await ax('GET', `/v2/leads/${a.id}?include[]=emails`)).json().data;
    const v1 = (await app.inject({ method: 'GET', url: `/api/v1/leads/${a.id}`, headers: s.headers })).json();
    expect(v1).toMatchObject({
      first_name: d.first_name,
      last_name: d.last_name,
      email: 'alice@example.com',
      mobile: '+15145550101',
      address: { postal_code: 'H2X 1Y4' },
    });
    expect(new Date(v1.created_at).getTime()).toBe(new Date(d.created_at).getTime());
    expect(v1.custom_fields.activix__division).toBe('new');
    expect(v1.custom_fields.activix__sale_date).toBe('2024-02-01T12:00:00Z');
    const cap = await app.inject({
      method: 'GET',
      url: `/compat/capillary/v2/leads/${a.id}`,
      headers: s.headers,
    });
    expect(cap.statusCode).toBe(200);
    const cl = cap.json();
    expect(new Date(cl.createdOn).getTime()).toBe(new Date(d.created_at).getTime());
    // Owned fields of this surface are not the other surface's extended fields.
    expect(Object.keys(cl.extendedFields).filter((k) => k.startsWith('activix__'))).toEqual([]);
    // And a change made in /api/v1 shows here.
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${b.id}`,
      headers: s.headers,
      payload: { rating: 2 },
    });
    expect((await ax('GET', `/v2/leads/${b.id}`)).json().data.rating).toBe(2);
  });
});

describe('emails, phones, vehicles, notes, events, tasks, account', () => {
  it('adds and updates emails and phones (E.164, one per type, duplicate phone 403)', async () => {
    const e = await ax('POST', '/v2/lead-emails', {
      lead_id: c.id,
      address: 'carla@work.example.com',
      type: 'work',
    });
    expect(e.statusCode, e.body).toBe(201);
    const email = e.json().data;
    expect(email).toMatchObject({
      lead_id: c.id,
      address: 'carla@work.example.com',
      type: 'work',
      valid: true,
    });
    expect((await ax('GET', `/v2/lead-emails/${email.id}`)).json().data.address).toBe(
      'carla@work.example.com',
    );
    const again = await ax('POST', '/v2/lead-emails', {
      lead_id: c.id,
      address: 'other@work.example.com',
      type: 'work',
    });
    expect(again.statusCode).toBe(422);
    expect(again.json().errors.type).toBeDefined();
    const ue = await ax('PUT', `/v2/lead-emails/${email.id}`, { valid: false });
    expect(ue.json().data.valid).toBe(false);

    const p = await ax('POST', '/v2/lead-phones', {
      lead_id: c.id,
      number: '+15145550999',
      type: 'work',
      extension: '12',
    });
    expect(p.statusCode, p.body).toBe(201);
    expect(p.json().data).toMatchObject({ number: '+15145550999', extension: '12', type: 'work' });
    const dup = await ax('POST', '/v2/lead-phones', {
      lead_id: c.id,
      number: '+15145550303',
      type: 'mobile',
    });
    expect(dup.statusCode).toBe(403);
    expect(dup.json()).toEqual({ message: 'Duplicate phone.' });
    const bad = await ax('POST', '/v2/lead-phones', {
      lead_id: c.id,
      number: '514 555 0000',
      type: 'mobile',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.number).toBeDefined();
    const up = await ax('PUT', `/v2/lead-phones/${p.json().data.id}`, { extension: '34' });
    expect(up.json().data.extension).toBe('34');
  });

  it('adds and updates vehicles', async () => {
    const v = await ax('POST', '/v2/lead-vehicles', {
      lead_id: c.id,
      type: 'exchange',
      make: 'Honda',
      model: 'Civic',
      year: 2015,
      odometer: 120000,
      vin: '1HGCM82633A004352',
    });
    expect(v.statusCode, v.body).toBe(201);
    const id = v.json().data.id;
    const up = await ax('PUT', `/v2/lead-vehicles/${id}`, { color_exterior: 'Red' });
    expect(up.json().data).toMatchObject({
      type: 'exchange',
      make: 'Honda',
      color_exterior: 'Red',
      year: 2015,
    });
    const bad = await ax('PUT', `/v2/lead-vehicles/${id}`, { vin: 'NOPE' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.vin).toBeDefined();
    const got = (await ax('GET', `/v2/leads/${c.id}?include[]=vehicles`)).json().data.vehicles;
    expect(got).toEqual([expect.objectContaining({ id, model: 'Civic', color_exterior: 'Red' })]);
  });

  it('notes with parent_id and file_url', async () => {
    const n = await ax('POST', `/v2/leads/${c.id}/notes`, {
      content: 'Called back',
      file_url: 'https://files.example.com/a.pdf',
    });
    expect(n.statusCode, n.body).toBe(201);
    const reply = await ax('POST', `/v2/leads/${c.id}/notes`, {
      content: 'Thanks',
      parent_id: n.json().data.id,
    });
    expect(reply.json().data).toMatchObject({ parent_id: n.json().data.id, content: 'Thanks' });
    const ed = await ax('PUT', `/v2/leads/${c.id}/notes/${n.json().data.id}`, {
      content: 'Called back twice',
    });
    expect(ed.json().data).toMatchObject({ content: 'Called back twice' });
    expect((await ax('GET', `/v2/leads/${c.id}/notes`)).json().data).toHaveLength(2);
  });

  it('events and tasks, with or without a lead', async () => {
    const ev = await ax('POST', '/v2/events', {
      lead_id: c.id,
      title: 'Test drive',
      type: 'appointment',
      start_at: '2030-01-05T15:00:00Z',
      end_at: '2030-01-05T16:00:00Z',
      owner: { first_name: 'Max', last_name: 'Dealer' },
    });
    expect(ev.statusCode, ev.body).toBe(201);
    expect(ev.json().data).toMatchObject({
      lead_id: c.id,
      start_at: '2030-01-05T15:00:00+00:00',
      owner: { id: s.userId },
    });
    const tk = await ax('POST', '/v2/tasks', { title: 'Call the bank', priority: 'high' });
    expect(tk.statusCode, tk.body).toBe(201);
    expect(tk.json().data).toMatchObject({ lead_id: null, type: 'call', priority: 'high' });
    const done = await ax('PUT', `/v2/tasks/${tk.json().data.id}`, { done: true });
    expect(done.json().data.done).toBe(true);
    expect((await ax('GET', `/v2/events/${tk.json().data.id}`)).statusCode).toBe(404);
    const evs = await ax('GET', '/v2/events');
    expect(evs.json().data.map((x: { id: number }) => x.id)).toEqual([ev.json().data.id]);
    expect(evs.json().meta.total).toBe(1);
    const inc = (await ax('GET', `/v2/leads/${c.id}?include[]=events&include[]=tasks`)).json().data;
    expect(inc.events).toHaveLength(1);
    expect(inc.tasks).toEqual([]);
    const wrong = await ax('POST', '/v2/events', { title: 'x', type: 'call' });
    expect(wrong.statusCode).toBe(422);
  });

  it('GET /account is the organization', async () => {
    const res = await ax('GET', '/account');
    expect(res.json().data).toMatchObject({ id: s.orgId, name: expect.any(String) });
  });
});

describe('another organization', () => {
  it("never reaches this organization's leads, emails, phones or vehicles (404)", async () => {
    const other = await signup(app);
    const full = (
      await ax('GET', `/v2/leads/${c.id}?include[]=emails&include[]=phones&include[]=vehicles`)
    ).json().data;
    expect((await ax('GET', `/v2/leads/${c.id}`, undefined, other)).statusCode).toBe(404);
    expect((await ax('PUT', `/v2/leads/${c.id}`, { rating: 1 }, other)).statusCode).toBe(404);
    expect(
      (await ax('POST', '/v2/lead-emails', { lead_id: c.id, address: 'x@example.com' }, other)).statusCode,
    ).toBe(404);
    expect((await ax('GET', `/v2/lead-emails/${full.emails[0].id}`, undefined, other)).statusCode).toBe(404);
    expect(
      (await ax('PUT', `/v2/lead-phones/${full.phones[0].id}`, { extension: '1' }, other)).statusCode,
    ).toBe(404);
    expect((await ax('GET', `/v2/lead-vehicles/${full.vehicles[0].id}`, undefined, other)).statusCode).toBe(
      404,
    );
    expect((await ax('GET', '/v2/leads', undefined, other)).json().meta.total).toBe(0);
  });
});

describe('duplicate detection', () => {
  it('refuses a lead with the email or phone of another lead when the organization enables it', async () => {
    const body = { type: 'email', first_name: 'Again', emails: [{ address: 'ALICE@example.com' }] };
    expect((await ax('POST', '/v2/leads', body)).statusCode).toBe(201);
    const on = await app.inject({
      method: 'PUT',
      url: '/api/v1/organization/duplicate-check',
      headers: s.headers,
      payload: { enabled: true },
    });
    expect(on.json()).toMatchObject({ enabled: true });
    const before = await countAllTables(t.db);
    const res = await ax('POST', '/v2/leads', body);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ message: 'Duplicate lead.' });
    const byPhone = await ax('POST', '/v2/leads', { type: 'phone', phones: [{ number: '+15145550303' }] });
    expect(byPhone.statusCode).toBe(403);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
    expect(
      (await ax('POST', '/v2/leads', { type: 'phone', phones: [{ number: '+15145559999' }] })).statusCode,
    ).toBe(201);
  });
});

describe('rate limit', () => {
  it('answers 429 past 200 requests a minute', async () => {
    const other = await signup(app);
    let last = 0;
    for (let i = 0; i < 201; i++) last = (await ax('GET', '/account', undefined, other)).statusCode;
    expect(last).toBe(429);
    expect((await ax('GET', '/account', undefined, other)).json()).toHaveProperty('message');
  });
});
