import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/db/database.js';
import { migrations } from '../src/db/migrations/index.js';
import { migrateToLatest } from '../src/db/migrate.js';

// A database migrated in steps: organizations made before 0090_catalogs, one between 0090 and 0100, then the rest.
const url = process.env.TEST_DATABASE_URL;
const schema = `t_${randomBytes(6).toString('hex')}`;
let db: Db;

async function migrateBelow(k: Kysely<any>, before: string) {
  const subset = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < before));
  const migrator = new Migrator({
    db: k,
    provider: { getMigrations: async () => subset },
    allowUnorderedMigrations: true,
    ...(url ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
async function addOrg(k: Kysely<any>, name: string, createdAt: string): Promise<number> {
  const r = await k
    .insertInto('organizations')
    .values({ name, created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}
const entries = async (orgId: number) =>
  (
    await db.kysely
      .selectFrom('catalog_entries')
      .select(['kind', 'alternative_code', 'name'])
      .where('org_id', '=', orgId)
      .orderBy('kind')
      .orderBy('position')
      .execute()
  ).map((e) => `${e.kind}:${e.alternative_code}:${e.name}`);

let oldOrg: number;
let oldOrgWithOne: number;
let newOrg: number;
beforeAll(async () => {
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    db = openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: schema, poolSize: 2 });
  } else db = openDb({ dialect: 'sqlite', sqlitePath: ':memory:' });
  const k = db.kysely as Kysely<any>;
  await migrateBelow(k, '0090');
  oldOrg = await addOrg(k, 'Old', '2025-01-01T00:00:00.000Z');
  oldOrgWithOne = await addOrg(k, 'Old, one level already', '2025-06-01T00:00:00.000Z');
  await migrateBelow(k, '0100');
  // Made by hand after 0090 (as an organization could have been): its own IMPORTANCE1 is kept as it is.
  await k
    .insertInto('catalog_entries')
    .values({
      org_id: oldOrgWithOne,
      kind: 'importance_levels',
      name: 'Top',
      alternative_code: 'IMPORTANCE1',
      position: 1,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
  // Created after 0090 (signup gave it the defaults; it removed them all): left alone.
  newOrg = await addOrg(k, 'New', new Date(Date.now() + 60_000).toISOString());
  await migrateToLatest(k);
});
afterAll(async () => {
  await db?.close();
  if (url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
});

describe('0100_catalog_defaults_backfill', () => {
  it('gives an organization from before 0090 the default importance levels and priorities', async () => {
    expect(await entries(oldOrg)).toEqual([
      ...[1, 2, 3, 4, 5].map((n) => `importance_levels:IMPORTANCE${n}:Importance ${n}`),
      ...[1, 2, 3].map((n) => `importance_levels:CUSTOM${n}:Custom ${n}`),
      ...[1, 2, 3, 4, 5, 6].map((n) => `priorities:${n}:Priority ${n}`),
    ]);
  });
  it('adds only the missing ones (an entry with a default code stays as it is)', async () => {
    const got = await entries(oldOrgWithOne);
    expect(got).toHaveLength(14);
    expect(got.filter((e) => e.includes(':IMPORTANCE1:'))).toEqual(['importance_levels:IMPORTANCE1:Top']);
  });
  it('leaves an organization created after 0090 alone', async () => {
    expect(await entries(newOrg)).toEqual([]);
  });
  it('running it again adds nothing', async () => {
    const before = await sql<{ n: number }>`select count(*) as n from catalog_entries`.execute(db.kysely);
    await migrations['0100_catalog_defaults_backfill'].up(db.kysely);
    const after = await sql<{ n: number }>`select count(*) as n from catalog_entries`.execute(db.kysely);
    expect(Number(after.rows[0].n)).toBe(Number(before.rows[0].n));
  });
});
