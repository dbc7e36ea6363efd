/** The smaller findings of issue 12: 414, web-to-lead extra fields, strict query integers, sign-up enumeration. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

describe('smaller findings', () => {
  it('a too long path parameter is a 414 problem+json that does not echo the path', async () => {
    const long = 'z'.repeat(300);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/statuses/${long}`, headers: s.headers });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 414 });
    expect(res.body).not.toContain(long.slice(0, 50));
  });

  it('query and path integers are plain decimal: Infinity, 1e400, 0x1 are 400 naming the field', async () => {
    for (const v of ['Infinity', '1e400', '0x1', '1.5', '']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/leads?owner_id=${v}`,
        headers: s.headers,
      });
      expect(res.statusCode, v).toBe(400);
      expect(res.json().errors[0].field, v).toBe('owner_id');
    }
    const path = await t.app.inject({ method: 'GET', url: '/api/v1/leads/0x1', headers: s.headers });
    expect(path.statusCode).toBe(400);
    const ok = await t.app.inject({
      method: 'GET',
      url: `/api/v1/leads?owner_id=${s.userId}`,
      headers: s.headers,
    });
    expect(ok.statusCode).toBe(200);
  });

  it('web-to-lead reports the 31st extra field instead of dropping it, and creates nothing', async () => {
    const key = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/web-to-lead-keys',
        headers: s.headers,
        payload: { name: 'F' },
      })
    ).json().key;
    const extra = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`extra_${i}`, `v${i}`]));
    const count = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/leads?limit=200', headers: s.headers })).json().data
        .length;
    const before = await count();
    const over = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key}`,
      payload: { last_name: 'Form', email: 'form@example.com', ...extra(31) },
    });
    expect(over.statusCode).toBe(422);
    expect(over.json().errors[0].field).toBe('extra_30');
    expect(await count()).toBe(before);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/v1/web-to-lead?key=${key}`,
      payload: { last_name: 'Form', email: 'form@example.com', ...extra(30) },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('sign-up never says an email has an account; with its own password it adds an organization', async () => {
    const owner = await signup(t.app, { password: 'owner password 1' });
    const body = (password: string) => ({
      email: owner.email,
      password,
      name: 'X',
      organization_name: 'Second Co',
    });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: body('guess guess'),
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: 'guess guess' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(login.json().detail);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: body('owner password 1'),
    });
    expect(again.statusCode).toBe(201);
    expect(again.json().user.id).toBe(owner.userId);
    expect(again.json().organization.id).not.toBe(owner.orgId);
  });
});
