/** Security headers (docs/security.md, "Headers"): CSP, nosniff, framing, Referrer-Policy, HSTS, no-store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';

describe('security headers', () => {
  let t: TestApp;
  let s: Session;
  beforeAll(async () => {
    t = await createTestApp();
    s = await signup(t.app);
  });
  afterAll(async () => t.close());

  it('the API, /docs and /health carry CSP, nosniff, frame denial and a Referrer-Policy', async () => {
    for (const url of ['/health', '/docs/', '/api/v1/leads', '/openapi.json', '/nowhere']) {
      const res = await t.app.inject({ method: 'GET', url, headers: s.headers });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(
        csp.split(';').find((d) => d.trim().startsWith('script-src ')),
        url,
      ).not.toContain('unsafe');
      if (!url.startsWith('/docs')) expect(csp, url).not.toContain('unsafe-inline');
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("object-src 'none'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['referrer-policy'], url).toBe('strict-origin-when-cross-origin');
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
  });

  it('authenticated API responses are no-store, errors included; public pages are not forced', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/leads', headers: s.headers });
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/leads/999999', headers: s.headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: s.headers });
    expect(me.headers['cache-control']).toBe('no-store');
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.headers['cache-control']).toBeUndefined();
  });

  it('the web-to-lead form snippet may be framed by other sites, nothing else may', async () => {
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/v1/web-to-lead-keys',
      headers: s.headers,
      payload: { name: 'Site form' },
    });
    expect(key.statusCode).toBe(201);
    const form = await t.app.inject({
      method: 'GET',
      url: `/api/v1/web-to-lead/form.html?key=${key.json().key}`,
    });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(form.headers['content-security-policy']).not.toContain('script-src');
    expect(form.headers['x-frame-options']).toBeUndefined();
    expect(form.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('HSTS', () => {
  it('only behind a trusted proxy and only for https requests', async () => {
    const plain = await createTestApp();
    const proxied = await createTestApp({ TRUST_PROXY: 'true' });
    try {
      const https = { 'x-forwarded-proto': 'https' };
      const a = await plain.app.inject({ method: 'GET', url: '/health', headers: https });
      expect(a.headers['strict-transport-security']).toBeUndefined();
      const b = await proxied.app.inject({ method: 'GET', url: '/health', headers: https });
      expect(b.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
      const c = await proxied.app.inject({ method: 'GET', url: '/health' });
      expect(c.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await plain.close();
      await proxied.close();
    }
  });
});
