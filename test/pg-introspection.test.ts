import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { openDb, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { onPostgres } from './helpers.js';

/**
 * Migrating reads only its own schema. Kysely's stock introspector scanned every schema of the database (and
 * called pg_get_serial_sequence on every column), so a test or benchmark dropping its schema at that moment made
 * another one's migration fail with "column "id" of relation "leads" does not exist" (CI, stop 30).
 */
describe.skipIf(!onPostgres)('PostgreSQL migration introspection', () => {
  const url = process.env.TEST_DATABASE_URL!;
  const mine = `t_${randomBytes(6).toString('hex')}`;
  const other = `t_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client;
  let db: Db;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${mine}; CREATE SCHEMA ${other}`);
    // Another schema with tables of the same names, migration tables included.
    await admin.query(
      `CREATE TABLE ${other}.leads (id serial primary key); CREATE TABLE ${other}.kysely_migration (name text)`,
    );
    db = openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: mine, poolSize: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${mine} CASCADE; DROP SCHEMA IF EXISTS ${other} CASCADE`);
    await admin.end();
  });

  it('sees only the current schema, and migrates it while other schemas come and go', async () => {
    expect(await db.kysely.introspection.getTables({ withInternalKyselyTables: true })).toEqual([]);

    // Schemas created and dropped in a loop while the migration runs (what parallel test files do).
    let churn = true;
    const churner = (async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      for (let i = 0; churn; i++) {
        const s = `t_churn_${randomBytes(4).toString('hex')}`;
        await c.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.leads (id serial primary key, x text)`);
        await c.query(`DROP SCHEMA ${s} CASCADE`);
      }
      await c.end();
    })();
    try {
      const applied = await migrateToLatest(db.kysely);
      expect(applied.length).toBeGreaterThan(40);
      expect(await migrateToLatest(db.kysely)).toEqual([]);
    } finally {
      churn = false;
      await churner;
    }

    const tables = await db.kysely.introspection.getTables({ withInternalKyselyTables: true });
    expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([mine]));
    const names = tables.map((t) => t.name);
    expect(names).toContain('leads');
    expect(names).toContain('kysely_migration');
    expect(names).not.toContain(undefined);
    const id = tables.find((t) => t.name === 'leads')!.columns.find((c) => c.name === 'id')!;
    expect(id.isAutoIncrementing).toBe(true);
    expect(id.isNullable).toBe(false);
    // Without the internal tables, Kysely's own are left out, as its stock introspector does.
    const plain = (await db.kysely.introspection.getTables()).map((t) => t.name);
    expect(plain).not.toContain('kysely_migration');
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${other}.leads`)}`.execute(db.kysely);
    expect(rows[0]!.n).toBe(0);
  });
});
