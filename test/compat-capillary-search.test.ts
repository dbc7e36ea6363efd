import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;
let reason: number;
const ids: Record<string, number> = {};

const cap = (
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = s.headers,
) =>
  app.inject({
    method,
    url: `/compat/capillary${url}`,
    headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const v1 = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  app.inject({
    method,
    url: `/api/v1${url}`,
    headers: s.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const leadFors = async (query: string) =>
  (await cap('GET', `/v2/leads?${query}`)).json().data.map((l: any) => l.leadFor);
const customer = (n: number) => ({ idType: 'EMAIL', identifier: `buyer${n}@example.com` });

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  reason = (await cap('POST', '/v2/leads/reasons', [{ reason: 'Interested in our brand products' }])).json()
    .data[0].id;
  await cap('POST', '/v2/leads/substatus', { status: 'ON_HOLD', subStatus: 'YetToDecide' });
  const add = async (name: string, body: Record<string, unknown>) => {
    const res = await cap('POST', '/v2/leads', { leadFor: name, ...body });
    expect(res.statusCode, res.body).toBe(200);
    ids[name] = res.json().id;
  };
  await add('sku-open', { ...customer(1) });
  await add('brand-hold', { ...customer(2), type: 'BRAND', status: 'ON_HOLD', subStatus: 'YetToDecide' });
  await add('category-web', { ...customer(1), type: 'CATEGORY', orgSourceId: 7 });
  await add('custom-lost', {
    ...customer(3),
    type: 'CUSTOM',
    statusLogDetails: [{ status: 'LOST', reasonId: reason }],
  });
});
afterAll(async () => t.close());

describe('statuses onto the core pipeline', () => {
  it('each seed status lands on its core status and reads back', async () => {
    const core = async (name: string) => (await v1('GET', `/leads/${ids[name]}`)).json().status;
    expect(await core('sku-open')).toBe('new');
    expect(await core('brand-hold')).toBe('on_hold');
    expect(await core('custom-lost')).toBe('lost');
    const del = await cap('PUT', `/v2/leads/${ids['category-web']}/status`, {
      status: 'DELETED',
      reasonId: reason,
      createdBy: 5,
    });
    expect(del.statusCode).toBe(200);
    expect(del.json().status).toBe('DELETED');
    expect(await core('category-web')).toBe('deleted');
    // DELETED is a status, not the trash: the lead is still listed.
    expect(await leadFors('status=DELETED')).toEqual(['category-web']);
    const reopened = await cap('PUT', `/v2/leads/${ids['category-web']}/status`, {
      status: 'OPEN',
      reasonId: reason,
    });
    expect(reopened.json().statusLogDetails.map((e: any) => e.status)).toEqual(['OPEN', 'DELETED', 'OPEN']);
  });

  it('core statuses outside the five read as the nearest one (qualified -> OPEN, duplicate -> LOST)', async () => {
    await v1('POST', `/leads/${ids['sku-open']}/status`, { status: 'qualified' });
    expect((await cap('GET', `/v2/leads/${ids['sku-open']}`)).json().status).toBe('OPEN');
    await v1('POST', `/leads/${ids['sku-open']}/status`, { status: 'duplicate' });
    const res = await cap('GET', `/v2/leads/${ids['sku-open']}`);
    expect(res.json().status).toBe('LOST');
    expect(res.json().statusLogDetails.map((e: any) => e.status)).toEqual(['OPEN', 'OPEN', 'LOST']);
    expect(await leadFors('status=LOST')).toEqual(['sku-open', 'custom-lost']);
    await v1('POST', `/leads/${ids['sku-open']}/status`, { status: 'new' });
  });

  it('a sub-status already there is answered with a warning, and both lists agree', async () => {
    const res = await cap('POST', '/v2/leads/substatus', { status: 'ON_HOLD', subStatus: 'YetToDecide' });
    expect(res.statusCode).toBe(200);
    expect(res.json().warnings).toEqual([expect.objectContaining({ code: 3002 })]);
    const core = await v1('GET', '/statuses/on_hold/sub-statuses');
    expect(JSON.stringify(core.json()).match(/YetToDecide/g)).toHaveLength(1);
  });
});

describe('search', () => {
  it('filters by type (ALL lists everything), status, substatus, orgSourceId and userId', async () => {
    expect(await leadFors('type=ALL')).toEqual(['sku-open', 'brand-hold', 'category-web', 'custom-lost']);
    expect(await leadFors('type=BRAND')).toEqual(['brand-hold']);
    expect(await leadFors('type=SKU')).toEqual(['sku-open']);
    expect(await leadFors('status=ON_HOLD&substatus=YetToDecide')).toEqual(['brand-hold']);
    expect(await leadFors('substatus=Nope')).toEqual([]);
    expect(await leadFors('orgSourceId=7')).toEqual(['category-web']);
    expect(await leadFors('orgSourceId=-1')).toEqual(['sku-open', 'brand-hold', 'custom-lost']);
    const buyer1 = (await cap('GET', `/v2/leads/${ids['sku-open']}`)).json().userId;
    expect(await leadFors(`userId=${buyer1}`)).toEqual(['sku-open', 'category-web']);
  });

  it('a lead made in /api/v1 reads with the defaults (SKU, orgSourceId -1) and is found by them', async () => {
    const lead = await v1('POST', '/leads', { first_name: 'Ann', title: 'from the web app' });
    expect(lead.statusCode).toBe(201);
    const res = await cap('GET', `/v2/leads/${lead.json().id}`);
    expect(res.json()).toMatchObject({
      type: 'SKU',
      orgSourceId: -1,
      leadFor: 'from the web app',
      status: 'OPEN',
    });
    expect(res.json().userId).toBeUndefined();
    expect(await leadFors('type=SKU&orgSourceId=-1')).toEqual(['sku-open', 'from the web app']);
  });

  it('sorts by createdon or lastUpdatedOn, ASC or DESC, and pages with limit and offset', async () => {
    const all = await leadFors('limit=50');
    expect(await leadFors('sortOrder=DESC&limit=50')).toEqual([...all].reverse());
    expect(await leadFors('limit=2&offset=1')).toEqual(all.slice(1, 3));
    expect(await leadFors('offset=50')).toEqual([]);
    await cap('PUT', `/v2/leads/${ids['brand-hold']}`, { extendedFields: { colour: 'red' } });
    expect((await leadFors('sortBy=lastUpdatedOn&sortOrder=DESC&limit=1'))[0]).toBe('brand-hold');
  });
});

describe('extended fields', () => {
  it('a new numeric key becomes a number field; later values are checked against it; reserved keys are refused', async () => {
    const first = await cap('PUT', `/v2/leads/${ids['brand-hold']}`, { extendedFields: { visits: 3 } });
    expect(first.json().warnings).toEqual([
      expect.objectContaining({ code: 3001, message: expect.stringContaining('visits') }),
    ]);
    const fields = (await v1('GET', '/custom-fields')).json().data;
    expect(fields).toContainEqual(expect.objectContaining({ key: 'visits', type: 'number' }));
    const wrong = await cap('PUT', `/v2/leads/${ids['brand-hold']}`, { extendedFields: { visits: 'many' } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0]).toMatchObject({
      code: 2010,
      message: expect.stringContaining('extendedFields.visits'),
    });
    const reserved = await cap('PUT', `/v2/leads/${ids['brand-hold']}`, {
      extendedFields: { capillary__lead_type: 'BRAND' },
    });
    expect(reserved.statusCode).toBe(422);
    expect(reserved.json().errors[0].code).toBe(2010);
    const lead = (await cap('GET', `/v2/leads/${ids['brand-hold']}`)).json();
    expect(lead.extendedFields).toEqual({ colour: 'red', visits: 3 });
    expect(lead.type).toBe('BRAND');
  });

  it('a value the core refuses leaves no customer and no new field behind', async () => {
    const def = await v1('POST', '/custom-fields', {
      key: 'tier',
      label: 'Tier',
      type: 'enum',
      options: ['gold', 'silver'],
    });
    expect(def.statusCode).toBe(201);
    const res = await cap('POST', '/v2/leads', {
      leadFor: 'refused',
      idType: 'EMAIL',
      identifier: 'nobody.yet@example.com',
      extendedFields: { tier: 'bronze', brand_new_key: 'x' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ code: 2010, message: expect.stringContaining('extendedFields.tier') }),
    ]);
    expect((await v1('GET', '/contacts?email=nobody.yet@example.com')).json().data).toEqual([]);
    expect((await v1('GET', '/custom-fields')).json().data.map((f: any) => f.key)).not.toContain(
      'brand_new_key',
    );
  });

  it('lastUpdatedOn / lastUpdatedBy sent on create read back as sent until the lead changes elsewhere', async () => {
    const res = await cap('POST', '/v2/leads', {
      leadFor: 'imported',
      ...customer(10),
      createdOn: '2018-11-14T15:38:04+05:30',
      createdBy: 28812689,
      lastUpdatedOn: '2018-11-14T15:44:26+05:30',
      lastUpdatedBy: 15002926,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      createdOn: '2018-11-14T15:38:04+05:30',
      createdBy: 28812689,
      lastUpdatedOn: '2018-11-14T15:44:26+05:30',
      lastUpdatedBy: 15002926,
    });
    await v1('PATCH', `/leads/${res.json().id}`, { description: 'edited in the web app' });
    const after = (await cap('GET', `/v2/leads/${res.json().id}`)).json();
    // Changed in the web app: the last updater is a Leadflow user, never shown as one of the client's staff ids.
    expect(after).toMatchObject({ createdBy: 28812689, lastUpdatedBy: -1 });
    expect(after.lastUpdatedOn).not.toBe('2018-11-14T15:44:26+05:30');
    expect(after.lastUpdatedOn).toMatch(/\+05:30$/);
  });

  it("a follow-up with every field: the lead's next follow-up follows it, the staff ids come back", async () => {
    const res = await cap('POST', `/v2/leads/${ids['custom-lost']}/followup`, {
      followedUpOn: '2019-04-16T05:19:06Z',
      followedUpBy: 340417059,
      createdBy: 124,
      scheduledFollowUp: '2019-04-16T05:00:00Z',
      nextFollowUp: '2019-04-18T05:19:06Z',
      notes: 'call back Thursday',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().followUpDetails.at(-1)).toMatchObject({
      followedUpOn: '2019-04-16T05:19:06Z',
      followedUpBy: 340417059,
      createdBy: 124,
      scheduledFollowUp: '2019-04-16T05:00:00Z',
      nextFollowUp: '2019-04-18T05:19:06Z',
      notes: 'call back Thursday',
    });
    expect(res.json()).toMatchObject({
      nextFollowUp: '2019-04-18T05:19:06Z',
      lastFollowUp: '2019-04-16T05:19:06Z',
      lastUpdatedBy: 124,
    });
    const core = (await v1('GET', `/leads/${ids['custom-lost']}/follow-ups`)).json();
    expect(JSON.stringify(core)).toContain('call back Thursday');
  });

  it('lastFollowUp sent on create is recorded as the follow-up done then', async () => {
    const res = await cap('POST', '/v2/leads', {
      leadFor: 'called',
      ...customer(9),
      lastFollowUp: '2019-04-17T05:19:06Z',
      createdBy: 77,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().lastFollowUp).toBe('2019-04-17T05:19:06Z');
    expect(res.json()).toMatchObject({ createdBy: 77, lastUpdatedBy: 77 });
    expect(res.json().followUpDetails).toEqual([
      expect.objectContaining({ followedUpOn: '2019-04-17T05:19:06Z', createdBy: 77 }),
    ]);
  });
});
