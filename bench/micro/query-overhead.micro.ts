/**
 * What one query costs on each layer, on SQLite: better-sqlite3 alone, Kysely with a precompiled query, and
 * Kysely building + compiling the query each time (what the repositories do), through the app's full dialect
 * stack (openDb). Run: npx tsx bench/micro/query-overhead.micro.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import { openDb } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/app.js';
import { createAccessRepository } from '../../src/access/access.repository.js';
import { hashToken } from '../../src/access/crypto.js';
import SQLite from 'better-sqlite3';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-qo-'));
const file = path.join(dir, 'q.db');
const db = openDb({ dialect: 'sqlite', sqlitePath: file });
await new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } }).migrateToLatest();
const app = await buildApp({
  config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${file}`, DATA_DIR: dir, PORT: '0' }),
  db,
  webDir: null,
});
await app.ready();
const res = await app.inject({
  method: 'POST',
  url: '/api/v1/auth/signup',
  payload: { email: 'q@example.com', password: 'query overhead 123', name: 'Q', organization_name: 'Q' },
});
const { token, organization } = res.json();
const access = createAccessRepository(db.kysely);
const hash = hashToken(token);
const raw = new SQLite(file, { readonly: true });
const compiled = db.kysely
  .selectFrom('sessions')
  .leftJoin('memberships', 'memberships.user_id', 'sessions.user_id')
  .leftJoin('organizations', 'organizations.id', 'memberships.org_id')
  .select(['sessions.id as id', 'memberships.role as role', 'organizations.settings_version as v'])
  .where('sessions.token_hash', '=', hash)
  .orderBy('memberships.created_at')
  .orderBy('memberships.org_id')
  .compile();
const rawStmt = raw.prepare(compiled.sql);
const point = raw.prepare('select "settings_version" from "organizations" where "id" = ?');

async function time(label: string, n: number, f: () => unknown) {
  for (let i = 0; i < 2000; i++) await f();
  const t = performance.now();
  const c = process.cpuUsage();
  for (let i = 0; i < n; i++) await f();
  const u = process.cpuUsage(c);
  console.log(
    `${label.padEnd(60)} ${(((performance.now() - t) * 1000) / n).toFixed(1).padStart(7)} us wall ${(((u.user + u.system) / n) | 0).toString().padStart(5)} us CPU`,
  );
}
const N = 20000;
await time('raw better-sqlite3: session join', N, () => rawStmt.all(compiled.parameters));
await time('raw better-sqlite3: organizations point lookup', N, () => point.get(organization.id));
await time('kysely executeQuery(precompiled session join)', N, () => db.kysely.executeQuery(compiled));
await time('kysely build+compile only (session join)', N, () =>
  db.kysely
    .selectFrom('sessions')
    .leftJoin('memberships', 'memberships.user_id', 'sessions.user_id')
    .leftJoin('organizations', 'organizations.id', 'memberships.org_id')
    .select(['sessions.id as id', 'memberships.role as role', 'organizations.settings_version as v'])
    .where('sessions.token_hash', '=', hash)
    .orderBy('memberships.created_at')
    .orderBy('memberships.org_id')
    .compile(),
);
await time('access.findSessionWithMemberships (repository)', N, () =>
  access.findSessionWithMemberships(hash),
);
await time('kysely point lookup, built each time', N, () =>
  db.kysely
    .selectFrom('organizations')
    .select('settings_version')
    .where('id', '=', organization.id)
    .executeTakeFirst(),
);
await time('kysely sql`` point lookup', N, () =>
  sql`select settings_version from organizations where id = ${organization.id}`.execute(db.kysely),
);
await time('HTTP inject GET /api/v1/leads?limit=1 (no leads)', 3000, () =>
  app.inject({ method: 'GET', url: '/api/v1/leads?limit=1', headers: { authorization: `Bearer ${token}` } }),
);
raw.close();
await app.close();
await db.close();
fs.rmSync(dir, { recursive: true, force: true });
