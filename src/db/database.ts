import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
} from 'kysely';
import type { Database } from './schema.js';
import { guardDialect, withDriver } from './unit-of-work.js';
import { attachOrgCache, createOrgCache, watchSettingsWrites, type OrgCache } from './org-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** This process's per-organization settings cache (src/db/org-cache.ts). */
  readonly orgCache: OrgCache;
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
  /** Wraps the dialect before the transaction guard (tests count queries with it: test/query-counter.ts). */
  wrapDialect?: (dialect: KyselyDialect) => KyselyDialect;
  /** SQLite: how long a statement waits for another process's write lock before SQLITE_BUSY (default 5000). */
  busyTimeoutMs?: number;
  /** PostgreSQL statement_timeout (57014 past it), and on both dialects the longest wait for a connection. */
  statementTimeoutMs?: number;
}

/** Raised when no database connection became free in time (every request of this process is waiting). */
export class ConnectionTimeoutError extends Error {
  readonly code = 'LEADFLOW_DB_ACQUIRE_TIMEOUT';
  constructor(ms: number) {
    super(`No database connection became free within ${ms} ms.`);
    this.name = 'ConnectionTimeoutError';
  }
}

/**
 * A query waits for a connection (SQLite's one connection, a pg pool slot) at most `ms`, then fails with
 * ConnectionTimeoutError (answered 503 + Retry-After) instead of queueing forever behind a stuck transaction.
 * A connection that arrives after the caller gave up is released at once.
 */
export function withAcquireTimeout(dialect: KyselyDialect, ms: number): KyselyDialect {
  if (!(ms > 0)) return dialect;
  return withDriver(dialect, (driver) => {
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = () =>
      new Promise<DatabaseConnection>((resolve, reject) => {
        let late = false;
        const timer = setTimeout(() => {
          late = true;
          reject(new ConnectionTimeoutError(ms));
        }, ms);
        acquire().then(
          (c) => {
            clearTimeout(timer);
            if (late) void driver.releaseConnection(c);
            else resolve(c);
          },
          (e) => {
            clearTimeout(timer);
            reject(e);
          },
        );
      });
    return driver;
  });
}

/**
 * Kysely's SQLite driver prepares every statement on every query; preparing was 8-12% of server CPU in the
 * list benchmark. Statements are cached by their SQL text (the queries are parameterized, so the set is small);
 * a statement still being iterated (a streamed result) is never handed out twice: a fresh one is prepared.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SQLite.Statement {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = sqlite.prepare(text);
      if (!hit) {
        cache.set(text, stmt);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return stmt;
    },
  };
}

/**
 * Transactions on SQLite begin IMMEDIATE: the write lock is taken at BEGIN, where busy_timeout makes a second
 * process wait its turn. A deferred BEGIN reads first and upgrades to a writer later, and when another process
 * committed in between that upgrade fails at once with SQLITE_BUSY_SNAPSHOT, whatever the timeout (several
 * workers on one file, see docs/scaling.md). Within one process Node serializes transactions anyway.
 */
export function withImmediateTransactions(dialect: KyselyDialect): KyselyDialect {
  return withDriver(dialect, (driver) => {
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  });
}

export function openDb(opts: OpenDbOptions): Db {
  const wrap = opts.wrapDialect ?? ((d: KyselyDialect) => d);
  const statementMs = Math.max(0, Math.floor(opts.statementTimeoutMs ?? 30_000));
  const acquireMs = statementMs;
  const orgCache = createOrgCache();
  if (opts.dialect === 'sqlite') {
    const file = opts.sqlitePath ?? ':memory:';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    sqlite.pragma('cache_size = -65536');
    // Unicode case folding for the lead list's text filters (SQLite's lower() folds ASCII only).
    sqlite.function('lf_lower', { deterministic: true }, (v: unknown) =>
      typeof v === 'string' ? v.toLowerCase() : v,
    );
    const kysely = new Kysely<Database>({
      dialect: guardDialect(
        watchSettingsWrites(
          wrap(
            withAcquireTimeout(
              withImmediateTransactions(new SqliteDialect({ database: withStatementCache(sqlite) })),
              acquireMs,
            ),
          ),
          orgCache,
        ),
      ),
    });
    attachOrgCache(kysely, orgCache);
    return {
      kysely,
      dialect: 'sqlite',
      orgCache,
      async close() {
        await kysely.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.poolSize ?? 10,
    options: [
      ...(opts.pgSchema ? [`-c search_path=${opts.pgSchema}`] : []),
      `-c statement_timeout=${statementMs}`,
    ].join(' '),
  });
  const kysely = new Kysely<Database>({
    dialect: guardDialect(
      watchSettingsWrites(wrap(withAcquireTimeout(new PostgresDialect({ pool }), acquireMs)), orgCache),
    ),
  });
  attachOrgCache(kysely, orgCache);
  return {
    kysely,
    dialect: 'postgres',
    orgCache,
    async close() {
      await kysely.destroy();
    },
  };
}
