import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('auth', () => {
  it('signs up: creates the organization, its owner and a token that works', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: {
        email: 'Owner@Example.com',
        password: 'long enough pw',
        name: 'Olga Owner',
        organization_name: 'Olga Ltd',
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({ email: 'owner@example.com', name: 'Olga Owner' });
    expect(body.organization).toMatchObject({ name: 'Olga Ltd' });
    expect(body.token).toMatch(/^lf_/);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      organization_id: body.organization.id,
      role: 'owner',
      user: { email: 'owner@example.com' },
    });
  });

  it('a second signup with the same email answers like a failed sign-in (401, no "already registered") and bad input (400 naming fields)', async () => {
    const s = await signup(t.app);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: {
        email: s.email.toUpperCase(),
        password: 'long enough pw',
        name: 'X',
        organization_name: 'Y',
      },
    });
    expect(dup.statusCode).toBe(401);
    expect(dup.headers['content-type']).toContain('application/problem+json');
    expect(dup.body).not.toMatch(/already|registered|exists/i);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: 'not-an-email', password: 'short' },
    });
    expect(bad.statusCode).toBe(400);
    const fields = bad
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort();
    expect(fields).toEqual(['email', 'name', 'organization_name', 'password']);
  });

  it('logs in with the right password only, and lists organizations', async () => {
    const s = await signup(t.app, { password: 'the right password' });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: s.email, password: 'wrong password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('unauthorized');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.com', password: 'x' },
    });
    expect(unknown.statusCode).toBe(401);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: s.email, password: 'the right password' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().organizations).toEqual([{ id: s.orgId, name: expect.any(String), role: 'owner' }]);
    expect(ok.json().token).not.toBe(s.token);
  });

  it('logout revokes the token: it gets 401 afterwards', async () => {
    const s = await signup(t.app);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: s.headers });
    expect(after.statusCode).toBe(401);
  });

  it('needs a bearer token on every other route', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer lf_madeup' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/leads', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
    }
  });

  it('rejects an X-Organization-Id the user is not a member of', async () => {
    const a = await signup(t.app);
    const b = await signup(t.app);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/leads',
      headers: { ...a.headers, 'x-organization-id': String(b.orgId) },
    });
    expect(res.statusCode).toBe(403);
    const own = await t.app.inject({
      method: 'GET',
      url: '/api/v1/leads',
      headers: { ...a.headers, 'x-organization-id': String(a.orgId) },
    });
    expect(own.statusCode).toBe(200);
  });
});

describe('platform', () => {
  it('reports health with the database reachable', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('serves an OpenAPI 3 document generated from the route schemas, and the docs UI', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/leads', '/api/v1/leads/{id}', '/api/v1/auth/signup']),
    );
    expect(doc.paths['/api/v1/leads'].post.requestBody).toBeDefined();
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('<html');
  });

  it('answers unknown routes with problem+json 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
