import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { CRM, crm, crmToken, minimal, setUp } from './compat-crmcom.helpers.js';
import { hashToken } from '../src/access/crypto.js';

/** Seed 003's tokens: issued for a user or an API key, two hours, pinned to one organization, released. */
let t: TestApp;
let app: FastifyInstance;
let s: Session;

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  await setUp(app, s);
});
afterAll(async () => t.close());

const login = (payload: object) =>
  app.inject({ method: 'POST', url: `${CRM}/authentication/token`, payload });
const types = (token: string) => crm(app, token).get('leads/configuration/types/list');
const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

describe('authentication/token', () => {
  it('issues a token living two hours, usable in the query (GET) and the body (POST)', async () => {
    const before = Date.now();
    const res = await login({
      username: s.email,
      password: 'correct horse battery',
      organisation: String(s.orgId),
    });
    expect(res.statusCode, res.body).toBe(200);
    const { status, data } = res.json();
    expect(status.code).toBe('OK');
    const ttl = Date.parse(data.expiration_date) - before;
    expect(ttl).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(2 * 3600_000 + 1000);
    expect((await types(data.token)).statusCode).toBe(200);
    const created = await crm(app, data.token).post('leads/create', minimal());
    expect(created.statusCode, created.body).toBe(200);
  });

  it('refuses a wrong password and an organisation the user is not in, in the envelope', async () => {
    const bad = await login({ username: s.email, password: 'wrong' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ status: { code: 'INVALID_LOGIN' }, data: null });
    const other = await signup(app);
    const notMine = await login({
      username: s.email,
      password: 'correct horse battery',
      organisation: String(other.orgId),
    });
    expect(notMine.statusCode).toBe(403);
    expect(notMine.json().status.code).toBe('PERMISSION_DENIED');
  });

  it('pins the token to the organisation named by id or name', async () => {
    // The same person starts a second organization.
    const second = await signup(app, { email: s.email, organization_name: 'Second Org' });
    const byName = await crmToken(app, s, 'second org');
    const res = await types(byName);
    expect(res.json().data).toEqual([]); // the second organization has no lead types
    const first = await crmToken(app, s, String(s.orgId));
    expect((await types(first)).json().data.length).toBe(3);
    expect(second.orgId).not.toBe(s.orgId);
  });

  it('no token, an unknown token, an expired token and a released token are refused (401 INVALID_TOKEN)', async () => {
    const none = await app.inject({ method: 'GET', url: `${CRM}/leads/configuration/types/list` });
    expect(none.statusCode).toBe(401);
    expect(none.json().status.code).toBe('INVALID_TOKEN');
    expect((await types('lf_nope')).json().status.code).toBe('INVALID_TOKEN');

    const expiring = await crmToken(app, s);
    expect((await types(expiring)).statusCode).toBe(200);
    // The stored expiry passes (as two hours later): every process reads the same row.
    await t.db.kysely
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', hashToken(expiring))
      .execute();
    const expired = await types(expiring);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().status.code).toBe('INVALID_TOKEN');

    const token = await crmToken(app, s);
    const released = await crm(app, token).post('authentication/token/release');
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toEqual({ status: { code: 'OK', message: '', description: '' }, data: null });
    expect((await types(token)).statusCode).toBe(401);
    expect((await crm(app, token).post('leads/create', minimal())).statusCode).toBe(401);
  });

  it('keeps the token out of the request logs and of the body the handlers see', async () => {
    const token = await crmToken(app, s);
    // A body-token request whose schema refuses unknown fields: the token was taken out before validation.
    const res = await crm(app, token).post('leads/create', minimal({ fields_set: 'id' }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(token);
  });
});

describe('authentication/web_api_key/token', () => {
  it('exchanges an API key (Basic user name, empty password) for a two-hour token; release ends only that token', async () => {
    const key = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: s.headers,
        payload: { name: 'crm client', scopes: ['leads:read', 'leads:write'] },
      })
    ).json();
    const exchange = () =>
      app.inject({
        method: 'POST',
        url: `${CRM}/authentication/web_api_key/token`,
        headers: { authorization: basic(key.key) },
      });
    const res = await exchange();
    expect(res.statusCode, res.body).toBe(200);
    const { token, expiration_date } = res.json().data;
    expect(token).not.toBe(key.key);
    expect(Date.parse(expiration_date) - Date.now()).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect((await types(token)).statusCode).toBe(200);
    const lead = await crm(app, token).post('leads/create', minimal());
    expect(lead.statusCode, lead.body).toBe(200);

    expect((await crm(app, token).post('authentication/token/release')).statusCode).toBe(200);
    expect((await types(token)).statusCode).toBe(401);
    // The API key itself lives on, and cannot be "released" through this API.
    const again = (await exchange()).json().data.token;
    expect((await types(again)).statusCode).toBe(200);
    const direct = await crm(app, key.key).post('authentication/token/release');
    expect(direct.statusCode).toBe(403);
    expect((await types(key.key)).statusCode).toBe(200);

    // An expired short-lived key, and one whose parent key is revoked.
    await t.db.kysely
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('key_hash', '=', hashToken(again))
      .execute();
    expect((await types(again)).statusCode).toBe(401);
    const third = (await exchange()).json().data.token;
    await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: s.headers });
    expect((await types(third)).statusCode).toBe(401);
    expect((await exchange()).statusCode).toBe(401);
  });

  it('refuses a missing or unknown key', async () => {
    const none = await app.inject({ method: 'POST', url: `${CRM}/authentication/web_api_key/token` });
    expect(none.statusCode).toBe(401);
    expect(none.json().status.code).toBe('INVALID_LOGIN');
    const unknown = await app.inject({
      method: 'POST',
      url: `${CRM}/authentication/web_api_key/token`,
      headers: { authorization: basic('lfk_unknown') },
    });
    expect(unknown.statusCode).toBe(401);
  });
});
