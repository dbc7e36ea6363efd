import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../src/config.js';
import { openDb, type Db, type OpenDbOptions } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildApp, type BuildAppOptions } from '../src/app.js';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  close(): Promise<void>;
}

/** The database the suite runs on: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set. */
export const onPostgres = !!process.env.TEST_DATABASE_URL;

/**
 * A fresh app on a fresh database: an in-memory SQLite database, or a new PostgreSQL schema
 * (dropped on close) when TEST_DATABASE_URL is set.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: Pick<BuildAppOptions, 'email' | 'background'> & Pick<OpenDbOptions, 'wrapDialect'> = {},
): Promise<TestApp> {
  const { wrapDialect, ...appOptions } = options;
  const dbOptions = wrapDialect ? { wrapDialect } : {};
  const url = process.env.TEST_DATABASE_URL;
  let db: Db;
  let dropSchema: (() => Promise<void>) | undefined;
  if (url) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    db = openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: schema, poolSize: 5, ...dbOptions });
    dropSchema = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    };
  } else {
    db = openDb({ dialect: 'sqlite', sqlitePath: ':memory:', ...dbOptions });
  }
  try {
    await migrateToLatest(db.kysely);
  } catch (e) {
    // A failed set-up leaves no schema behind in the shared test database.
    await db.close();
    if (dropSchema) await dropSchema();
    throw e;
  }
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: url ?? 'sqlite::memory:',
    DATA_DIR: path.join(os.tmpdir(), `leadflow-test-${randomBytes(4).toString('hex')}`),
    ...env,
  });
  // The daily digest's minute timer is off unless a test asks for it (tests call digest.runDue with their own
  // clock): when an organization's 8:00 comes, it writes digest_runs in its own transaction, which then lands in
  // whatever a test is counting (a query budget failed that way on PostgreSQL).
  const app = await buildApp({
    config,
    db,
    webDir: null,
    // Each route's schemas compile on its first request (src/app.ts, lazySchemas): compiling all of them took
    // most of a file's set-up. The files that call buildApp themselves compile them all at start-up.
    lazySchemas: true,
    ...appOptions,
    email: { digest: false, ...appOptions.email },
  });
  await app.ready();
  return {
    app: app as unknown as FastifyInstance,
    db,
    config,
    async close() {
      await app.close();
      await db.close();
      if (dropSchema) await dropSchema();
      // Uploaded files (attachments, imports) of this test app go with it, unless a test chose the folder.
      if (!env.DATA_DIR) fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  token: string;
  userId: number;
  orgId: number;
  email: string;
  headers: Record<string, string>;
}

let counter = 0;
/** Signs up a new user with a new organization. */
export async function signup(
  app: FastifyInstance,
  overrides: Partial<{ email: string; password: string; name: string; organization_name: string }> = {},
): Promise<Session> {
  counter += 1;
  const body = {
    email: `user${counter}.${randomBytes(3).toString('hex')}@example.com`,
    password: 'correct horse battery',
    name: `User ${counter}`,
    organization_name: `Org ${counter}`,
    ...overrides,
  };
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: body });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const json = res.json();
  return {
    token: json.token,
    userId: json.user.id,
    orgId: json.organization.id,
    email: body.email,
    headers: { authorization: `Bearer ${json.token}` },
  };
}

/** Creates a lead through the API and returns its JSON. */
export async function createLead(app: FastifyInstance, s: Session, overrides: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/leads',
    headers: s.headers,
    payload: { first_name: 'Ada', last_name: 'Lovelace', email: `ada${++counter}@example.com`, ...overrides },
  });
  if (res.statusCode !== 201) throw new Error(`createLead failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
