/** The web app's cookie session with CSRF protection (docs/security.md, "Browser sessions and CSRF"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type TestApp } from './helpers.js';
import { changedTables, countAllTables } from './table-counts.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const PASSWORD = 'correct horse battery';

function cookiesOf(res: { headers: Record<string, unknown> }): string[] {
  const h = res.headers['set-cookie'];
  return Array.isArray(h) ? (h as string[]) : h ? [String(h)] : [];
}
const valueOf = (cookies: string[], name: string) =>
  cookies
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1);

async function cookieLogin(email: string, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'x-leadflow-session': 'cookie', ...headers },
    payload: { email, password: PASSWORD },
  });
  expect(res.statusCode).toBe(200);
  const cookies = cookiesOf(res);
  const session = valueOf(cookies, 'lf_session')!;
  const csrf = valueOf(cookies, 'lf_csrf')!;
  return { res, cookies, session, csrf, cookie: `lf_session=${session}; lf_csrf=${csrf}` };
}

describe('cookie session', () => {
  it('sets an HttpOnly SameSite cookie and leaves the token out of the body', async () => {
    const s = await signup(t.app);
    const { res, cookies, session, csrf } = await cookieLogin(s.email);
    expect(res.json().token).toBeUndefined();
    expect(res.json().user.email).toBe(s.email);
    const sc = cookies.find((c) => c.startsWith('lf_session='))!;
    expect(sc).toMatch(/HttpOnly/);
    expect(sc).toMatch(/SameSite=Lax/);
    expect(sc).toMatch(/Path=\/api\/v1/);
    expect(sc).not.toMatch(/Secure/);
    expect(session).toMatch(/^lf_/);
    const cc = cookies.find((c) => c.startsWith('lf_csrf='))!;
    expect(cc).not.toMatch(/HttpOnly/);
    expect(csrf.length).toBeGreaterThan(20);
    // Without the header, the body still carries the token (API clients).
    const plain = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: s.email, password: PASSWORD },
    });
    expect(plain.json().token).toMatch(/^lf_/);
    expect(cookiesOf(plain).some((c) => c.startsWith('lf_session='))).toBe(false);
  });

  it('reads with the cookie; an unsafe request needs the CSRF header, else 403 problem+json and no write', async () => {
    const s = await signup(t.app);
    const { cookie, csrf } = await cookieLogin(s.email);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.email).toBe(s.email);
    expect(me.headers['cache-control']).toBe('no-store');

    const other = await cookieLogin(s.email);
    const before = await countAllTables(t.db);
    for (const headers of [
      { cookie },
      { cookie, 'x-csrf-token': 'forged' },
      { cookie, 'x-csrf-token': '' },
    ]) {
      const refused = await t.app.inject({
        method: 'POST',
        url: '/api/v1/leads',
        headers,
        payload: { first_name: 'Ada', email: 'ada@example.com' },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json().errors[0].field).toBe('x-csrf-token');
    }
    // Another session's CSRF token does not fit this session.
    const crossed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: { cookie, 'x-csrf-token': other.csrf },
      payload: { first_name: 'Ada' },
    });
    expect(crossed.statusCode).toBe(403);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});

    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { first_name: 'Ada', email: 'ada@example.com' },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('lets a Bearer token win over a cookie (API clients need no CSRF header)', async () => {
    const s = await signup(t.app);
    const { cookie } = await cookieLogin(s.email);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: { cookie, authorization: `Bearer ${s.token}` },
      payload: { first_name: 'Bob' },
    });
    expect(r.statusCode).toBe(201);
  });

  it('takes no API key as a cookie', async () => {
    const s = await signup(t.app);
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: s.headers,
      payload: { name: 'k', scopes: ['leads:read'] },
    });
    const r = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `lf_session=${key.json().key}` },
    });
    expect(r.statusCode).toBe(401);
  });

  it('signs out: the cookies are cleared and the session ends on the server', async () => {
    const s = await signup(t.app);
    const { cookie, csrf, session } = await cookieLogin(s.email);
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(204);
    const cleared = cookiesOf(out);
    for (const name of ['lf_session', 'lf_csrf'])
      expect(cleared.find((c) => c.startsWith(`${name}=`))).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    // The same cookie, replayed, is refused: the session is revoked, not only forgotten by the browser.
    const again = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `lf_session=${session}` },
    });
    expect(again.statusCode).toBe(401);
  });

  it('marks the cookies Secure behind a trusted TLS proxy', async () => {
    const tp = await createTestApp({ TRUST_PROXY: 'true' });
    try {
      const s = await signup(tp.app);
      const res = await tp.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-leadflow-session': 'cookie', 'x-forwarded-proto': 'https' },
        payload: { email: s.email, password: PASSWORD },
      });
      const cookies = cookiesOf(res);
      expect(cookies.find((c) => c.startsWith('lf_session='))).toMatch(/Secure/);
      expect(cookies.find((c) => c.startsWith('lf_csrf='))).toMatch(/Secure/);
    } finally {
      await tp.close();
    }
  });

  it('also comes from sign-up and from the two-factor step', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      headers: { 'x-leadflow-session': 'cookie' },
      payload: { email: 'cookie.signup@example.com', password: PASSWORD, name: 'C', organization_name: 'C' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().token).toBeUndefined();
    expect(valueOf(cookiesOf(res), 'lf_session')).toMatch(/^lf_/);
  });
});

describe('API key scopes', () => {
  it('exports only with leads:export: a leads:read key gets 403', async () => {
    const s = await signup(t.app);
    const key = async (scopes: string[]) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/api-keys',
          headers: s.headers,
          payload: { name: scopes.join(' '), scopes },
        })
      ).json().key as string;
    const exportWith = async (k: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/leads/export?format=csv',
        headers: { authorization: `Bearer ${k}` },
      });
    const reader = await exportWith(await key(['leads:read']));
    expect(reader.statusCode).toBe(403);
    expect(reader.json().detail).toMatch(/leads:export/);
    expect((await exportWith(await key(['leads:write']))).statusCode).toBe(403);
    expect((await exportWith(await key(['leads:read', 'leads:export']))).statusCode).toBe(200);
    // An export-only key exports (a nightly backup job), and cannot read leads one by one or write.
    const exporter = await key(['leads:export']);
    expect((await exportWith(exporter)).statusCode).toBe(200);
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/v1/leads',
      headers: { authorization: `Bearer ${exporter}` },
    });
    expect(read.statusCode).toBe(403);
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: { authorization: `Bearer ${exporter}` },
      payload: { first_name: 'X' },
    });
    expect(write.statusCode).toBe(403);
  });
});
