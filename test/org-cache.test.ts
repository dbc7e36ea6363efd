import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openDb, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildApp } from '../src/app.js';
import { signup, type Session } from './helpers.js';
import { addMember, createApiKey } from './access.helpers.js';
import { createQueryCounter } from './query-counter.js';
import { ADD_LEAD_POST, REASONS_POST } from './compat-capillary.samples.js';

/**
 * The per-organization settings cache (src/db/org-cache.ts) and the token checks, through HTTP: two server
 * instances on ONE database, each with its own connection(s) and its own cache, as two worker processes of
 * src/cluster.ts have (two SQLite connections to one file, or two PostgreSQL pools on one schema). A change
 * made through one instance is seen by the next request to the other; the query counter on instance B shows
 * that B really answers from its cache while nothing changed (so these tests could fail).
 */
const url = process.env.TEST_DATABASE_URL;
const counterB = createQueryCounter();
let dir = '';
let schema = '';
let dbA: Db;
let dbB: Db;
let a: FastifyInstance;
let b: FastifyInstance;
let s: Session;

function open(wrap?: typeof counterB.wrapDialect): Db {
  const w = wrap ? { wrapDialect: wrap } : {};
  return url
    ? openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: schema, poolSize: 3, ...w })
    : openDb({ dialect: 'sqlite', sqlitePath: path.join(dir, 'leadflow.db'), ...w });
}

async function app(db: Db) {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: url ?? `sqlite:${path.join(dir, 'leadflow.db')}`,
    DATA_DIR: path.join(dir, 'data'),
  });
  const built = await buildApp({ config, db, webDir: null, email: { digest: false } });
  await built.ready();
  return built as unknown as FastifyInstance;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-org-cache-'));
  if (url) {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
  }
  dbA = open();
  await migrateToLatest(dbA.kysely);
  dbB = open(counterB.wrapDialect);
  a = await app(dbA);
  b = await app(dbB);
  s = await signup(a);
}, 180_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await dbA?.close();
  await dbB?.close();
  if (url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const call = (on: FastifyInstance, method: Method, u: string, payload?: object, headers = s.headers) =>
  on.inject({ method, url: u, headers, ...(payload ? { payload } : {}) });

/** The statements instance B sent for one request, and its answer. */
async function onB(method: Method, u: string, payload?: object, headers = s.headers) {
  const { result, counts } = await counterB.measure(() => call(b, method, u, payload, headers));
  return { res: result, sql: counts.sql };
}
const reads = (sql: string[], table: string) =>
  sql.filter((q) => new RegExp(`^select .* from "${table}"`, 'i').test(q)).length;

describe('settings cache, one process', () => {
  it('a new status, then a renamed one, is used by the very next request', async () => {
    const lead = await call(a, 'POST', '/api/v1/leads', { last_name: 'Status' });
    expect(lead.statusCode, lead.body).toBe(201);
    // Warm: the lead shows its status from the cached status map.
    expect((await call(a, 'GET', `/api/v1/leads/${lead.json().id}`)).json().status).toBe('new');

    const created = await call(a, 'POST', '/api/v1/statuses', {
      key: 'call_back',
      label: 'Call back',
      category: 'open',
    });
    expect(created.statusCode, created.body).toBe(201);
    const moved = await call(a, 'PATCH', `/api/v1/leads/${lead.json().id}`, { status: 'call_back' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().status).toBe('call_back');

    const renamed = await call(a, 'PATCH', '/api/v1/statuses/call_back', { key: 'ring_back' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await call(a, 'GET', `/api/v1/leads/${lead.json().id}`)).json().status).toBe('ring_back');
    const old = await call(a, 'POST', '/api/v1/leads', { last_name: 'Old key', status: 'call_back' });
    expect(old.statusCode).toBe(422);
  });

  it('turning the duplicate check on refuses the next duplicate at once', async () => {
    const first = await call(a, 'POST', '/api/v1/leads', {
      first_name: 'Ann',
      last_name: 'Dup',
      email: 'dup.one@example.com',
    });
    expect(first.statusCode, first.body).toBe(201);
    const put = await call(a, 'PUT', '/api/v1/organization/duplicate-check', {
      on_create: 'refuse',
      refuse_score: 0.9,
    });
    expect(put.statusCode, put.body).toBe(200);
    const again = await call(a, 'POST', '/api/v1/leads', {
      first_name: 'Ann',
      last_name: 'Dup',
      email: 'dup.one@example.com',
    });
    expect(again.statusCode, again.body).toBe(409);
    await call(a, 'PUT', '/api/v1/organization/duplicate-check', { on_create: 'flag' });
    const allowed = await call(a, 'POST', '/api/v1/leads', {
      first_name: 'Ann',
      last_name: 'Dup',
      email: 'dup.one@example.com',
    });
    expect(allowed.statusCode, allowed.body).toBe(201);
  });

  it('a new assignment rule assigns the next lead; disabled, it assigns no more', async () => {
    expect((await call(a, 'POST', '/api/v1/leads', { last_name: 'Before rule' })).json().owner_id).toBeNull();
    const rule = await call(a, 'POST', '/api/v1/assignment-rules', {
      name: 'All to owner',
      strategy: 'user',
      user_ids: [s.userId],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    expect((await call(a, 'POST', '/api/v1/leads', { last_name: 'After rule' })).json().owner_id).toBe(
      s.userId,
    );
    const off = await call(a, 'PUT', `/api/v1/assignment-rules/${rule.json().id}`, {
      name: 'All to owner',
      strategy: 'user',
      user_ids: [s.userId],
      enabled: false,
    });
    expect(off.statusCode, off.body).toBe(200);
    expect((await call(a, 'POST', '/api/v1/leads', { last_name: 'Rule off' })).json().owner_id).toBeNull();
  });

  it('a revoked API key gets 401 on its next request', async () => {
    const key = await createApiKey(a, s, ['leads:read', 'leads:write']);
    expect((await call(a, 'GET', '/api/v1/leads?limit=1', undefined, key.headers)).statusCode).toBe(200);
    expect((await call(a, 'DELETE', `/api/v1/api-keys/${key.id}`)).statusCode).toBe(204);
    expect((await call(a, 'GET', '/api/v1/leads?limit=1', undefined, key.headers)).statusCode).toBe(401);
  });

  it('a setting written earlier in the same request is seen by that request (one transaction)', async () => {
    // Warm the custom field definitions, then a capillary lead whose create defines its surface's owned field
    // and checks its values against the definitions in the same transaction.
    await call(a, 'POST', '/compat/capillary/v2/leads/reasons', REASONS_POST);
    const fresh = await signup(a);
    await call(a, 'POST', '/compat/capillary/v2/leads/reasons', REASONS_POST, fresh.headers);
    await call(a, 'POST', '/api/v1/leads', { last_name: 'Warm' }, fresh.headers);
    const res = await call(a, 'POST', '/compat/capillary/v2/leads', ADD_LEAD_POST, fresh.headers);
    expect(res.statusCode, res.body).toBe(200);
    const got = await call(a, 'GET', `/compat/capillary/v2/leads/${res.json().id}`, undefined, fresh.headers);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json().extendedFields).toEqual(res.json().extendedFields);
  });
});

describe('settings cache, across processes (two instances on one database)', () => {
  it('B answers from its cache while nothing changes, and sees A renaming a status on its next request', async () => {
    const lead = await call(b, 'POST', '/api/v1/leads', { last_name: 'Across' });
    expect(lead.statusCode, lead.body).toBe(201);
    const id = lead.json().id;
    await onB('GET', `/api/v1/leads/${id}`);
    const warm = await onB('GET', `/api/v1/leads/${id}`);
    expect(warm.res.json().status).toBe('new');
    expect(reads(warm.sql, 'statuses')).toBe(0);

    const renamed = await call(a, 'PATCH', '/api/v1/statuses/new', { key: 'fresh' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const after = await onB('GET', `/api/v1/leads/${id}`);
    expect(after.res.json().status).toBe('fresh');
    expect(reads(after.sql, 'statuses')).toBe(1);
    const again = await onB('GET', `/api/v1/leads/${id}`);
    expect(reads(again.sql, 'statuses')).toBe(0);
  });

  it('the duplicate check turned on in A refuses the next duplicate in B', async () => {
    const first = await onB('POST', '/api/v1/leads', {
      first_name: 'Tia',
      last_name: 'Twin',
      email: 'twin@example.com',
    });
    expect(first.res.statusCode, first.res.body).toBe(201);
    const warm = await onB('POST', '/api/v1/leads', { last_name: 'Other', email: 'other@example.com' });
    expect(warm.res.statusCode).toBe(201);
    expect(warm.sql.some((q) => /select "duplicate_check"/i.test(q))).toBe(false);

    expect(
      (
        await call(a, 'PUT', '/api/v1/organization/duplicate-check', {
          on_create: 'refuse',
          refuse_score: 0.9,
        })
      ).statusCode,
    ).toBe(200);
    const twin = await onB('POST', '/api/v1/leads', {
      first_name: 'Tia',
      last_name: 'Twin',
      email: 'twin@example.com',
    });
    expect(twin.res.statusCode, twin.res.body).toBe(409);
    await call(a, 'PUT', '/api/v1/organization/duplicate-check', { on_create: 'flag' });
    expect(
      (
        await onB('POST', '/api/v1/leads', {
          first_name: 'Tia',
          last_name: 'Twin',
          email: 'twin@example.com',
        })
      ).res.statusCode,
    ).toBe(201);
  });

  it('an assignment rule made in A assigns the next lead created in B', async () => {
    // (The rule of the one-process test is disabled; this one is the only enabled rule.)
    const before = await onB('POST', '/api/v1/leads', { last_name: 'No rule yet' });
    expect(before.res.json().owner_id).toBeNull();
    const rule = await call(a, 'POST', '/api/v1/assignment-rules', {
      name: 'B leads to owner',
      strategy: 'user',
      user_ids: [s.userId],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    expect((await onB('POST', '/api/v1/leads', { last_name: 'Ruled' })).res.json().owner_id).toBe(s.userId);
    await call(a, 'DELETE', `/api/v1/assignment-rules/${rule.json().id}`);
    expect((await onB('POST', '/api/v1/leads', { last_name: 'Unruled' })).res.json().owner_id).toBeNull();
  });

  it('an API key revoked in A gets 401 in B on its next request; a signed-out session too', async () => {
    const key = await createApiKey(a, s, ['leads:read']);
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, key.headers)).res.statusCode).toBe(200);
    expect((await call(a, 'DELETE', `/api/v1/api-keys/${key.id}`)).statusCode).toBe(204);
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, key.headers)).res.statusCode).toBe(401);

    const login = await call(a, 'POST', '/api/v1/auth/login', {
      email: s.email,
      password: 'correct horse battery',
    });
    expect(login.statusCode, login.body).toBe(200);
    const headers = { authorization: `Bearer ${login.json().token}` };
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, headers)).res.statusCode).toBe(200);
    expect((await call(a, 'POST', '/api/v1/auth/logout', undefined, headers)).statusCode).toBeLessThan(300);
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, headers)).res.statusCode).toBe(401);
  });
});

describe('token cache (src/access/auth-cache.ts), across processes', () => {
  const tokenReads = (sql: string[]) => reads(sql, 'sessions') + reads(sql, 'api_keys');

  /** Two requests on B: the second must not look the token up again (so the refusals below test the cache). */
  async function warmOnB(headers: Record<string, string>) {
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, headers)).res.statusCode).toBe(200);
    const warm = await onB('GET', '/api/v1/leads?limit=1', undefined, headers);
    expect(warm.res.statusCode, warm.res.body).toBe(200);
    expect(tokenReads(warm.sql)).toBe(0);
    expect(reads(warm.sql, 'auth_state')).toBe(0); // the version is read in a subquery, not from the table list
  }

  it('a cached API key revoked in A is refused by B on its next request', async () => {
    const key = await createApiKey(a, s, ['leads:read']);
    await warmOnB(key.headers);
    expect((await call(a, 'DELETE', `/api/v1/api-keys/${key.id}`)).statusCode).toBe(204);
    const after = await onB('GET', '/api/v1/leads?limit=1', undefined, key.headers);
    expect(after.res.statusCode, after.res.body).toBe(401);
    expect(tokenReads(after.sql)).toBe(1);
  });

  it('a cached session signed out in A, or ended by a password change, is refused by B at once', async () => {
    const login = async () => {
      const res = await call(a, 'POST', '/api/v1/auth/login', {
        email: s.email,
        password: 'correct horse battery',
      });
      expect(res.statusCode, res.body).toBe(200);
      return { authorization: `Bearer ${res.json().token}` };
    };
    const out = await login();
    await warmOnB(out);
    expect((await call(a, 'POST', '/api/v1/auth/logout', undefined, out)).statusCode).toBeLessThan(300);
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, out)).res.statusCode).toBe(401);

    // Another person's password set by the owner ends that person's sessions.
    const member = await addMember(a, s, 'agent');
    await warmOnB(member.headers);
    const set = await call(a, 'POST', `/api/v1/users/${member.userId}/password`, {
      new_password: 'a brand new password 42',
    });
    expect(set.statusCode, set.body).toBe(200);
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, member.headers)).res.statusCode).toBe(401);
  });

  it('a member deactivated or made a viewer in A is refused (or read-only) in B at once', async () => {
    const member = await addMember(a, s, 'agent');
    await warmOnB(member.headers);
    const made = await onB('POST', '/api/v1/leads', { last_name: 'By agent' }, member.headers);
    expect(made.res.statusCode, made.res.body).toBe(201);

    const viewer = await call(a, 'PATCH', `/api/v1/users/${member.userId}`, { role: 'viewer' });
    expect(viewer.statusCode, viewer.body).toBe(200);
    const refused = await onB('POST', '/api/v1/leads', { last_name: 'By viewer' }, member.headers);
    expect(refused.res.statusCode, refused.res.body).toBe(403);
    await warmOnB(member.headers);

    const off = await call(a, 'PATCH', `/api/v1/users/${member.userId}`, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, member.headers)).res.statusCode).toBe(401);
    const on = await call(a, 'PATCH', `/api/v1/users/${member.userId}`, { active: true });
    expect(on.statusCode, on.body).toBe(200);
    expect((await onB('GET', '/api/v1/leads?limit=1', undefined, member.headers)).res.statusCode).toBe(200);
  });

  it('an organization named by X-Organization-Id that the cached lookup does not hold is read again', async () => {
    const login = await call(a, 'POST', '/api/v1/auth/login', {
      email: s.email,
      password: 'correct horse battery',
    });
    const headers = { authorization: `Bearer ${login.json().token}` };
    await warmOnB(headers);
    // The same person starts a second organization (signup with their own password): the cached lookup of
    // this session knows one membership; the request naming the new one is looked up again and allowed.
    const second = await call(a, 'POST', '/api/v1/auth/signup', {
      email: s.email,
      password: 'correct horse battery',
      name: 'Same person',
      organization_name: 'Second org',
    });
    expect(second.statusCode, second.body).toBe(201);
    const org2 = String(second.json().organization.id);
    const res = await onB('GET', '/api/v1/leads?limit=1', undefined, {
      ...headers,
      'x-organization-id': org2,
    });
    expect(res.res.statusCode, res.res.body).toBe(200);
    const other = await onB('GET', '/api/v1/leads?limit=1', undefined, {
      ...headers,
      'x-organization-id': '999999',
    });
    expect(other.res.statusCode).toBe(403);
  });
});
