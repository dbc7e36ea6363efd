import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { createTestApp, signup, type TestApp } from './helpers.js';

let t: TestApp;
let app: FastifyInstance;
beforeAll(async () => {
  t = await createTestApp();
  // A second app on the same database with small limits, so the tests reach them quickly.
  app = (await buildApp({
    config: t.config,
    db: t.db,
    webDir: null,
    rateLimits: {
      authenticatedPerMinute: 5,
      anonymousPerMinute: 4,
      loginFailuresPerEmail: 3,
      loginFailuresPerIp: 100,
    },
  })) as unknown as FastifyInstance;
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.close();
});

describe('rate limits', () => {
  it('limits each token per minute with RateLimit-* headers, then 429 with Retry-After', async () => {
    const s = await signup(t.app);
    const other = await signup(t.app);
    const seen: Array<{ status: number; remaining: string | undefined }> = [];
    for (let i = 0; i < 6; i++) {
      const r = await app.inject({ method: 'GET', url: '/api/v1/leads', headers: s.headers });
      seen.push({ status: r.statusCode, remaining: r.headers['ratelimit-remaining'] as string | undefined });
      if (i === 0) {
        expect(r.headers['ratelimit-limit']).toBe('5');
        expect(Number(r.headers['ratelimit-reset'])).toBeGreaterThan(0);
      }
      if (i === 5) {
        expect(r.json()).toMatchObject({ code: 'rate_limited', status: 429 });
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
    }
    expect(seen.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(seen.map((x) => x.remaining).slice(0, 5)).toEqual(['4', '3', '2', '1', '0']);
    // Another token has its own budget.
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/leads', headers: other.headers })).statusCode,
    ).toBe(200);
  });

  it('limits unauthenticated routes per IP', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await app.inject({
        method: 'GET',
        url: '/api/v1/web-to-lead/form.html?key=lfw_x',
        remoteAddress: '198.51.100.7',
      });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 401, 429]);
    const elsewhere = await app.inject({
      method: 'GET',
      url: '/api/v1/web-to-lead/form.html?key=lfw_x',
      remoteAddress: '198.51.100.8',
    });
    expect(elsewhere.statusCode).toBe(401);
  });

  it('throttles password guessing per email: past the free tries even the right password waits a little (audited)', async () => {
    const s = await signup(t.app, { password: 'the real password' });
    const login = (password: string, ip: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: s.email, password },
        remoteAddress: ip,
      });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await login(`guess ${i}`, `192.0.2.${i + 1}`)).statusCode);
    expect(codes).toEqual([401, 401, 401]);
    const locked = await login('the real password', '192.0.2.50');
    expect(locked.statusCode).toBe(429);
    // A backoff of seconds, never the old 15-minute lockout (test/login-throttle.test.ts has the rest).
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(locked.body).not.toContain('token');
    // Other accounts are unaffected; the failures are in the audit log.
    const other = await signup(t.app, { password: 'other real password' });
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: other.email, password: 'other real password' },
      remoteAddress: '192.0.2.51',
    });
    expect(ok.statusCode).toBe(200);
    const log = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-log?action=auth.login_failed',
      headers: s.headers,
    });
    expect(log.json().data).toHaveLength(3);
  });
});
