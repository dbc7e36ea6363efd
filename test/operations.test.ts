/**
 * Operations endpoints and log correlation (docs/operations.md, "Health" and "Logs and request ids"):
 * /ready says whether this node may take traffic; every response names its request id.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';
import { createTestApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('readiness and request ids', () => {
  it('/ready is 200 with every migration applied, and 503 naming one that is missing', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ready', migrations: Object.keys(migrations).length });

    // A database one migration behind this build (a node started before `npm run migrate` ran).
    await sql`delete from kysely_migration where name = '0200_rate_counters'`.execute(t.db.kysely);
    try {
      const behind = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(behind.statusCode).toBe(503);
      expect(behind.json()).toEqual({
        status: 'not_ready',
        database: 'ok',
        pending_migrations: ['0200_rate_counters'],
      });
      // Liveness is not readiness: the process is alive.
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      const at = new Date().toISOString();
      await sql`insert into kysely_migration (name, timestamp) values ('0200_rate_counters', ${at})`.execute(
        t.db.kysely,
      );
    }
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it("answers with the proxy's X-Request-Id, or a new one per request", async () => {
    const passed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/leads',
      headers: { 'x-request-id': 'nginx-3f2a9c' },
    });
    expect(passed.headers['x-request-id']).toBe('nginx-3f2a9c');
    const a = await t.app.inject({ method: 'GET', url: '/health' });
    const b = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id\u0007' },
    });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
  });
});
