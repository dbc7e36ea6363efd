import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

// int8 (COUNT(*), bigint columns) comes back from pg as a string; our values stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric stays a string (money is never a float).

export interface OpenDbOptions {
  dialect: Dialect;
  /** SQLite file path or ':memory:'. */
  sqlitePath?: string;
  /** postgres:// URL. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (tests use one schema per test file). */
  pgSchema?: string;
  poolSize?: number;
}

export function openDb(opts: OpenDbOptions): Db {
  if (opts.dialect === 'sqlite') {
    const file = opts.sqlitePath ?? ':memory:';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -65536');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      kysely,
      dialect: 'sqlite',
      async close() {
        await kysely.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.poolSize ?? 10,
    ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    async close() {
      await kysely.destroy();
    },
  };
}
