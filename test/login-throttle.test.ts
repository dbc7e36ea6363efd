/**
 * Sign-in throttling without lockout of the owner (docs/security.md, "Sign-in throttling"): failures slow the
 * next tries (exponential backoff, capped), a browser that signed in before passes, an office NAT is not locked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { createTestApp, signup, type TestApp } from './helpers.js';

let t: TestApp;
let app: FastifyInstance;
beforeAll(async () => {
  t = await createTestApp();
  app = (await buildApp({
    config: t.config,
    db: t.db,
    webDir: null,
    rateLimits: {
      anonymousPerMinute: 0,
      loginFailuresPerEmail: 3,
      loginFailuresPerIp: 5,
      loginMaxDelaySeconds: 60,
    },
  })) as unknown as FastifyInstance;
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.close();
});

const login = (email: string, password: string, ip: string, cookie?: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: ip,
    headers: cookie ? { cookie } : {},
  });
const deviceCookie = (res: { headers: Record<string, unknown> }) =>
  String(res.headers['set-cookie'] ?? '').split(';')[0];

describe('sign-in throttling', () => {
  it("an attacker's failures never lock the owner's known browser out; strangers wait a growing backoff", async () => {
    const owner = await signup(t.app, { password: 'owner real password' });
    const first = await login(owner.email, 'owner real password', '203.0.113.1');
    expect(first.statusCode).toBe(200);
    const cookie = deviceCookie(first);
    expect(cookie).toMatch(/^lf_device=/);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly/);

    // The attacker guesses from many IPs; after 3 free failures each try must wait.
    for (let i = 0; i < 3; i++)
      expect((await login(owner.email, `guess${i}`, `198.51.100.${i}`)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await login(owner.email, 'another guess', `198.51.100.${10 + i}`);
      expect(r.statusCode).toBe(429);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      waits.push(Number(r.headers['retry-after']));
    }
    for (const w of waits) expect(w).toBeGreaterThan(0);
    for (const w of waits) expect(w).toBeLessThanOrEqual(60);

    // The owner's browser signs in at once, with the right password, from anywhere.
    const again = await login(owner.email, 'owner real password', '203.0.113.99', cookie);
    expect(again.statusCode).toBe(200);
    expect(again.json().token).toMatch(/^lf_/);
    // A wrong password from the owner's browser is still a 401, not a free pass.
    expect((await login(owner.email, 'typo', '203.0.113.99', cookie)).statusCode).toBe(401);
  });

  it('the backoff is seconds, then the right password passes without a known browser', async () => {
    const u = await signup(t.app, { password: 'patient real password' });
    for (let i = 0; i < 3; i++) await login(u.email, `g${i}`, `192.0.2.${100 + i}`);
    const refused = await login(u.email, 'patient real password', '192.0.2.200');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await login(u.email, 'patient real password', '192.0.2.200')).statusCode).toBe(200);
  });

  it('an office NAT: one attacker behind it does not lock out colleagues who signed in there before', async () => {
    const nat = '100.64.0.1';
    const colleague = await signup(t.app, { password: 'colleague password' });
    const cookie = deviceCookie(await login(colleague.email, 'colleague password', nat));
    // The attacker fails on many accounts from the office IP: past 5, that IP waits.
    for (let i = 0; i < 6; i++) await login(`victim${i}@example.com`, 'nope', nat);
    const stranger = await login(`someone.else@example.com`, 'whatever', nat);
    expect(stranger.statusCode).toBe(429);
    expect(Number(stranger.headers['retry-after'])).toBeLessThanOrEqual(60);
    // The colleague's browser passes.
    expect((await login(colleague.email, 'colleague password', nat, cookie)).statusCode).toBe(200);
  });
});
