/**
 * No request can freeze the server (docs/operations.md, "Timeouts"). Every write route of /openapi.json is
 * called with real ids and bodies made from its schema while /health is asked at the same time: /health must
 * answer 200 and the write must answer at all. A database held by someone else answers 503 + Retry-After.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLead, createTestApp, onPostgres, signup, type Session, type TestApp } from './helpers.js';
import { KNOWN_BODIES, Walker } from './openapi-walk.js';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildApp } from '../src/app.js';

/** Resolves with the value, or with 'timeout' after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

describe('watchdog: /health answers while each write route runs', () => {
  let t: TestApp;
  let s: Session;
  let w: Walker;
  beforeAll(async () => {
    t = await createTestApp();
    s = await signup(t.app);
    w = await new Walker(t.app).load();
    await createLead(t.app, s);
    await w.createEverything(s, 'wd', KNOWN_BODIES);
  }, 120_000);
  afterAll(async () => t.close());

  it('every POST/PUT/PATCH/DELETE answers and /health stays 200 meanwhile', async () => {
    // Seed 003's token release ends the session the walk uses, like sign-out: test/compat-crmcom-auth.test.ts
    // covers it.
    const writes = w.ops.filter(
      (o) =>
        ['POST', 'PUT', 'PATCH', 'DELETE'].includes(o.method) &&
        !o.path.endsWith('/authentication/token/release'),
    );
    expect(writes.length).toBeGreaterThan(40);
    const failures: string[] = [];
    // Deletes last, so the ids stay valid for the other writes; every body shape of a route is tried.
    // Sign-out comes last of all (it ends the session the walk uses).
    const last = (o: (typeof writes)[number]) =>
      o.path === '/api/v1/auth/logout' ? 2 : o.method === 'DELETE' ? 1 : 0;
    const ordered = [...writes].sort((x, y) => last(x) - last(y));
    // The two requests that froze SQLite (issue 12): a membership check outside the request's transaction.
    const userId = s.userId;
    const extra: Record<string, unknown[]> = {
      'PATCH /api/v1/leads/{id}/tasks/{itemId}': [{ assignee_id: userId }],
      'PATCH /api/v1/leads/{id}/follow-ups/{itemId}': [
        { done_at: new Date().toISOString(), done_by: userId },
      ],
    };
    let calls = 0;
    for (const op of ordered) {
      const url = w.fill(op);
      const bodies: unknown[] = [...(extra[`${op.method} ${op.path}`] ?? [])];
      if (op.jsonBody) bodies.push(...w.bodies(op.jsonBody, 'wd').slice(1, 3));
      if (bodies.length === 0) bodies.push(undefined);
      for (const body of bodies) {
        calls++;
        const write = w.send(op, url, s, body);
        const health = await within(t.app.inject({ method: 'GET', url: '/health' }), 3000);
        const where = `${op.method} ${url} ${JSON.stringify(body ?? '').slice(0, 80)}`;
        if (health === 'timeout') failures.push(`${where}: /health did not answer within 3 s`);
        else if (health.statusCode !== 200) failures.push(`${where}: /health ${health.statusCode}`);
        const res = await within(write, 10_000);
        if (res === 'timeout') failures.push(`${where}: no answer within 10 s`);
        // Seed 003 takes only its own token (query or body), which the walk does not hold: its 401 is expected.
        else if (res.statusCode === 401 && !op.isPublic && !op.path.startsWith('/compat/crmcom/'))
          failures.push(`${where}: the walk lost its session`);
      }
    }
    expect(calls).toBeGreaterThan(writes.length);
    expect(failures).toEqual([]);
    // And the server still answers afterwards.
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  }, 120_000);
});

/** An app on a database another process holds: short timeouts so the test stays quick. */
async function appOnHeldDatabase(): Promise<{
  app: FastifyInstance;
  token: string;
  hold(): Promise<void>;
  release(): Promise<void>;
  close(): Promise<void>;
}> {
  const env = { LOG_LEVEL: 'silent', DB_BUSY_TIMEOUT_MS: '150', DB_STATEMENT_TIMEOUT_MS: '400' };
  const dataDir = path.join(os.tmpdir(), `leadflow-wd-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const config = loadConfig({ ...env, DATABASE_URL: url, DATA_DIR: dataDir });
    // Migrated under the default statement timeout: the 400 ms one is for the requests under test, and a
    // migration's DDL on a loaded test machine can take longer (57014 during migrateToLatest, not in the test).
    const setup = openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: schema, poolSize: 1 });
    try {
      await migrateToLatest(setup.kysely);
    } finally {
      await setup.close();
    }
    const db = openDb({
      dialect: 'postgres',
      databaseUrl: url,
      pgSchema: schema,
      poolSize: 3,
      statementTimeoutMs: 400,
    });
    const app = (await buildApp({ config, db, webDir: null })) as unknown as FastifyInstance;
    await app.ready();
    const token = (await signup(app)).token;
    return {
      app,
      token,
      async hold() {
        await admin.query('BEGIN');
        await admin.query(`LOCK TABLE ${schema}.leads IN ACCESS EXCLUSIVE MODE`);
      },
      async release() {
        await admin.query('ROLLBACK');
      },
      async close() {
        await app.close();
        await db.close();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const file = path.join(dataDir, 'held.db');
  const config = loadConfig({ ...env, DATABASE_URL: `sqlite:${file}`, DATA_DIR: dataDir });
  const db = openDb({ dialect: 'sqlite', sqlitePath: file, busyTimeoutMs: 150, statementTimeoutMs: 400 });
  await migrateToLatest(db.kysely);
  const app = (await buildApp({ config, db, webDir: null })) as unknown as FastifyInstance;
  await app.ready();
  const token = (await signup(app)).token;
  const other = new SQLite(file);
  return {
    app,
    token,
    async hold() {
      other.exec('BEGIN IMMEDIATE');
    },
    async release() {
      other.exec('ROLLBACK');
    },
    async close() {
      other.close();
      await app.close();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe(`a database held by another process answers 503 + Retry-After (${onPostgres ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('a write waits at most the timeout, then 503 problem+json; it works again once released', async () => {
    const h = await appOnHeldDatabase();
    try {
      const headers = { authorization: `Bearer ${h.token}` };
      const create = () =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/leads',
          headers,
          payload: { first_name: 'Held', last_name: 'Lock' },
        });
      await h.hold();
      const started = Date.now();
      const res = await within(create(), 8000);
      expect(res).not.toBe('timeout');
      if (res === 'timeout') return;
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.json()).toMatchObject({ status: 503, code: 'unavailable' });
      expect(res.body).not.toMatch(/SQLITE|statement timeout|canceling/i);
      expect(Date.now() - started).toBeLessThan(6000);
      await h.release();
      const ok = await create();
      expect(ok.statusCode).toBe(201);
    } finally {
      await h.close();
    }
  }, 30_000);
});
