import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { ADD_LEAD_POST, FOLLOWUP_POST, UPDATE_STATUS_PUT } from './compat-capillary.samples.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;
let other: Session;
let reason: number;
let leadId: number;

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
const basic = (user: string, password = '') => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const leadCount = async (who: Session = s) =>
  (await app.inject({ method: 'GET', url: '/api/v1/leads?include_total=true', headers: who.headers })).json()
    .total;

/** The document's sample lead, trimmed to what a test needs, with a reason id of this organization. */
const sampleLead = (overrides: Record<string, unknown> = {}) => ({
  ...ADD_LEAD_POST,
  status: 'OPEN',
  followUpDetails: undefined,
  statusLogDetails: [{ status: 'OPEN', createdBy: 28812689, reasonId: reason }],
  extendedFields: undefined,
  ...overrides,
});

function expectError(res: { statusCode: number; json(): any }, status: number, code: number, field?: string) {
  expect(res.statusCode).toBe(status);
  const body = res.json();
  expect(body.warnings).toEqual([]);
  expect(body.errors).toEqual(
    expect.arrayContaining([expect.objectContaining({ code, message: expect.any(String) })]),
  );
  if (field) expect(body.errors.find((e: any) => e.code === code).message).toContain(field);
}

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  other = await signup(app);
  reason = (await cap('POST', '/v2/leads/reasons', [{ reason: 'Item not available in store' }])).json()
    .data[0].id;
  const created = await cap('POST', '/v2/leads', sampleLead());
  expect(created.statusCode).toBe(200);
  leadId = created.json().id;
});
afterAll(async () => t.close());

describe('credentials', () => {
  it('refuses a request without credentials, with a bad token, or with a malformed header (401, code 1001)', async () => {
    expectError(await cap('GET', '/v2/leads/reasons', undefined, {}), 401, 1001);
    expectError(
      await cap('GET', '/v2/leads/reasons', undefined, { authorization: 'Bearer not-a-token' }),
      401,
      1001,
    );
    expectError(await cap('GET', '/v2/leads/reasons', undefined, basic('not-a-token', 'x')), 401, 1001);
    expectError(await cap('GET', '/v2/leads/reasons', undefined, { authorization: 'Digest abc' }), 401, 1001);
    expectError(await cap('GET', '/v2/leads/reasons', undefined, basic('', 'only-a-password')), 401, 1001);
  });

  it('accepts the session token as Bearer and as the HTTP Basic username', async () => {
    expect(
      (await cap('GET', '/v2/leads/reasons', undefined, { authorization: `Bearer ${s.token}` })).statusCode,
    ).toBe(200);
    expect((await cap('GET', '/v2/leads/reasons', undefined, basic(s.token))).statusCode).toBe(200);
    expect((await cap('GET', '/v2/leads/reasons', undefined, basic(s.token, 'ignored'))).statusCode).toBe(
      200,
    );
  });

  it('accepts an API key as Bearer and as the HTTP Basic username', async () => {
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: s.headers,
      payload: { name: 'pos', scopes: ['leads:read', 'leads:write'] },
    });
    expect(key.statusCode).toBe(201);
    const secret = key.json().key ?? key.json().secret ?? key.json().token;
    expect(secret).toMatch(/^lfk_/);
    const viaBearer = await cap('GET', `/v2/leads/${leadId}`, undefined, {
      authorization: `Bearer ${secret}`,
    });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json().id).toBe(leadId);
    const viaBasic = await cap('POST', `/v2/leads/${leadId}/followup`, FOLLOWUP_POST, basic(secret));
    expect(viaBasic.statusCode).toBe(200);
    // An API key is no Leadflow user: what it writes shows the staff id it sent.
    expect(viaBasic.json().followUpDetails.at(-1).createdBy).toBe(124);
  });

  it('an API key without the scope is refused (403, code 1002) and writes nothing', async () => {
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: s.headers,
      payload: { name: 'reader', scopes: ['leads:read'] },
    });
    const reader = { authorization: `Bearer ${key.json().key}` };
    expect((await cap('GET', '/v2/leads/reasons', undefined, reader)).statusCode).toBe(200);
    expectError(await cap('POST', '/v2/leads/reasons', [{ reason: 'Sneaky' }], reader), 403, 1002);
    expectError(await cap('POST', '/v2/leads', sampleLead(), reader), 403, 1002);
    expect((await cap('GET', '/v2/leads/reasons')).json().data.map((r: any) => r.reason)).not.toContain(
      'Sneaky',
    );
  });

  it('too many requests: 429 with code 1003 and Retry-After, in this API envelope', async () => {
    process.env.RATE_LIMIT_PER_MINUTE = '2';
    const limited = await createTestApp();
    delete process.env.RATE_LIMIT_PER_MINUTE;
    try {
      const u = await signup(limited.app);
      const call = () =>
        limited.app.inject({ method: 'GET', url: '/compat/capillary/v2/leads/reasons', headers: u.headers });
      expect((await call()).statusCode).toBe(200);
      expect((await call()).statusCode).toBe(200);
      const refused = await call();
      expectError(refused, 429, 1003);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('another organization sees no lead of this one (404, code 1201), and /api/v1 keeps problem+json', async () => {
    expectError(await cap('GET', `/v2/leads/${leadId}`, undefined, other.headers), 404, 1201);
    expectError(
      await cap(
        'PUT',
        `/v2/leads/${leadId}/status`,
        { ...UPDATE_STATUS_PUT, reasonId: reason },
        other.headers,
      ),
      404,
      1201,
    );
    const v1 = await app.inject({ method: 'GET', url: `/api/v1/leads/${leadId}`, headers: other.headers });
    expect(v1.statusCode).toBe(404);
    expect(v1.headers['content-type']).toContain('application/problem+json');
  });

  it('an unknown path under the mount answers in this API envelope', async () => {
    expectError(await cap('GET', '/v2/nothing-here'), 404, 1201);
  });
});

describe('bad input changes nothing', () => {
  it('missing leadFor: 400, code 2001', async () => {
    const before = await leadCount();
    const { leadFor: _omit, ...body } = sampleLead();
    expectError(await cap('POST', '/v2/leads', body), 400, 2001, 'leadFor');
    expect(await leadCount()).toBe(before);
  });

  it('unknown reasonId: 422, code 2004, on create and on status change', async () => {
    const before = await leadCount();
    const res = await cap(
      'POST',
      '/v2/leads',
      sampleLead({ statusLogDetails: [{ status: 'OPEN', reasonId: 999999 }] }),
    );
    expectError(res, 422, 2004, 'statusLogDetails.0.reasonId');
    expect(await leadCount()).toBe(before);
    const change = await cap('PUT', `/v2/leads/${leadId}/status`, {
      ...UPDATE_STATUS_PUT,
      subStatus: undefined,
      reasonId: 999999,
    });
    expectError(change, 422, 2004, 'reasonId');
    expect((await cap('GET', `/v2/leads/${leadId}`)).json().statusLogDetails).toHaveLength(1);
  });

  it("userId of another organization's customer: 422, code 2006", async () => {
    const theirs = await cap(
      'POST',
      '/v2/leads',
      { leadFor: 'x', idType: 'EMAIL', identifier: 'huck@example.com' },
      other.headers,
    );
    expect(theirs.statusCode).toBe(200);
    const before = await leadCount();
    expectError(
      await cap('POST', '/v2/leads', { leadFor: 'item001', userId: theirs.json().userId }),
      422,
      2006,
      'userId',
    );
    expect(await leadCount()).toBe(before);
  });

  it('no customer at all, or an identifier that does not fit its idType: 422 naming the field', async () => {
    expectError(await cap('POST', '/v2/leads', { leadFor: 'item001' }), 422, 2006, 'userId');
    expectError(
      await cap('POST', '/v2/leads', { leadFor: 'item001', idType: 'EMAIL', identifier: 'not an email' }),
      422,
      2008,
      'identifier',
    );
    expectError(
      await cap('POST', '/v2/leads', { leadFor: 'item001', identifier: 'a@example.com' }),
      422,
      2007,
      'idType',
    );
  });

  it('status outside the enum: 400, code 2003', async () => {
    expectError(
      await cap('PUT', `/v2/leads/${leadId}/status`, { status: 'CLOSED', reasonId: reason }),
      400,
      2003,
      'status',
    );
    expectError(await cap('POST', '/v2/leads', sampleLead({ status: 'open' })), 400, 2003, 'status');
    expectError(
      await cap('POST', '/v2/leads/substatus', { status: 'PENDING', subStatus: 'x' }),
      400,
      2003,
      'status',
    );
    expect((await cap('GET', `/v2/leads/${leadId}`)).json().status).toBe('OPEN');
  });

  it('status change without reasonId, or with a sub-status of another status: refused', async () => {
    expectError(await cap('PUT', `/v2/leads/${leadId}/status`, { status: 'WON' }), 400, 2004, 'reasonId');
    const sub = await cap('PUT', `/v2/leads/${leadId}/status`, {
      status: 'WON',
      reasonId: reason,
      subStatus: 'NoSuchSubStatus',
    });
    expectError(sub, 422, 2005, 'subStatus');
    expect((await cap('GET', `/v2/leads/${leadId}`)).json().status).toBe('OPEN');
  });

  it('follow-up without followedUpOn: 400, code 2011; with a bad date: 422, code 2011', async () => {
    const before = (await cap('GET', `/v2/leads/${leadId}`)).json().followUpDetails.length;
    expectError(
      await cap('POST', `/v2/leads/${leadId}/followup`, { createdBy: 124 }),
      400,
      2011,
      'followedUpOn',
    );
    expectError(
      await cap('POST', `/v2/leads/${leadId}/followup`, { createdBy: 124, followedUpOn: '05/10/2018' }),
      422,
      2011,
      'followedUpOn',
    );
    expectError(
      await cap('POST', `/v2/leads/${leadId}/followup`, { followedUpOn: FOLLOWUP_POST.followedUpOn }),
      400,
      2012,
      'createdBy',
    );
    expect((await cap('GET', `/v2/leads/${leadId}`)).json().followUpDetails.length).toBe(before);
  });

  it('a body that is not JSON, not JSON at all, or a lead id that is not a number: 4xx in this envelope', async () => {
    const raw = (payload: string, type: string) =>
      app.inject({
        method: 'POST',
        url: '/compat/capillary/v2/leads',
        headers: { ...s.headers, 'content-type': type },
        payload,
      });
    expectError(await raw('{"leadFor": ', 'application/json'), 400, 1101);
    expectError(await raw('<lead><leadFor>item001</leadFor></lead>', 'application/xml'), 415, 1104);
    expectError(await raw('leadFor=item001', 'text/plain'), 400, 1102, 'body');
    expectError(await cap('GET', '/v2/leads/abc'), 400, 2035, 'leadId');
  });

  it('unknown fields are refused, never dropped; staff ids must be integers', async () => {
    expectError(await cap('POST', '/v2/leads', sampleLead({ colour: 'red' })), 400, 1102, 'colour');
    expectError(
      await cap('POST', '/v2/leads', sampleLead({ createdBy: '28812689' })),
      400,
      2012,
      'createdBy',
    );
  });

  it("an owner that is no Leadflow user is the client's own username: kept, shown, and found by search", async () => {
    const res = await cap('PUT', `/v2/leads/${leadId}`, { owner: 'john.doe' });
    expect(res.statusCode).toBe(200);
    expect(res.json().owner).toBe('john.doe');
    const found = (await cap('GET', '/v2/leads?owner=john.doe')).json().data.map((l: any) => l.id);
    expect(found).toEqual([leadId]);
    expect((await cap('GET', '/v2/leads?owner=someone.else')).json().data).toEqual([]);
    const ok = await cap('PUT', `/v2/leads/${leadId}`, { owner: s.email });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().owner).toBe(s.email);
    const byUser = (await cap('GET', `/v2/leads?owner=${encodeURIComponent(s.email)}`)).json().data;
    expect(byUser.map((l: any) => l.id)).toEqual([leadId]);
  });

  it('search rejects values outside its enums (400) and pages with offset and limit', async () => {
    expectError(await cap('GET', '/v2/leads?sortOrder=UP'), 400, 2033, 'sortOrder');
    expectError(await cap('GET', '/v2/leads?status=CLOSED'), 400, 2003, 'status');
    for (const n of [1, 2, 3])
      expect(
        (await cap('POST', '/v2/leads', { leadFor: `sku_${n}`, idType: 'MOBILE', identifier: '+15550100' }))
          .statusCode,
      ).toBe(200);
    const all = (await cap('GET', '/v2/leads?limit=50')).json().data.map((l: any) => l.id);
    const page = (await cap('GET', '/v2/leads?limit=2&offset=1')).json().data.map((l: any) => l.id);
    expect(page).toEqual(all.slice(1, 3));
    const mobile = await cap(
      'GET',
      `/v2/leads?userId=${(await cap('GET', `/v2/leads/${all.at(-1)}`)).json().userId}`,
    );
    expect(mobile.json().data.map((l: any) => l.leadFor)).toEqual(['sku_1', 'sku_2', 'sku_3']);
  });
});
