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
import { withCurrentSchemaIntrospection } from './pg-introspector.js';
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

type Row = Record<string, unknown>;
type RowBuilder = (values: unknown[]) => Row;
const rowBuilders = new Map<string, RowBuilder | null>();

/**
 * A function building one result row from better-sqlite3's raw array of values, as one object literal per column
 * list (`{"id": r[0], "org_id": r[1], ...}`): the same keys, order and values as better-sqlite3's own rows (a
 * repeated name keeps its last value, as there), built by V8 from one shape. `null` when a name cannot be a
 * literal key (`__proto__`): such a statement keeps better-sqlite3's rows. Column names come from SQLite, and
 * are quoted by JSON.stringify.
 */
function rowBuilder(names: string[]): RowBuilder | null {
  const key = names.join('\u0000');
  let b = rowBuilders.get(key);
  if (b === undefined) {
    b = names.includes('__proto__')
      ? null
      : (new Function(
          'r',
          `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')}};`,
        ) as RowBuilder);
    if (rowBuilders.size < 5000) rowBuilders.set(key, b);
  }
  return b;
}

/**
 * A reading statement whose rows are fetched as arrays (`raw`) and turned into objects by `rowBuilder`:
 * better-sqlite3 building the row objects itself was most of a 50-lead list's SQL time (a page of 51 rows of 64
 * columns: 0.92 ms as objects, 0.44 ms as arrays plus the literal; docs/performance.md). A row whose length is
 * not the column list's (the table was altered since the statement was prepared, and SQLite prepared it again)
 * reads the column list again.
 */
function rawRows(stmt: SQLite.Statement) {
  if (!stmt.reader) return stmt;
  let names = stmt.columns().map((c) => c.name);
  let build = rowBuilder(names);
  if (!build) return stmt;
  stmt.raw(true);
  const toRow = (values: unknown[]): Row => {
    if (values.length !== names.length) {
      names = stmt.columns().map((c) => c.name);
      build = rowBuilder(names) ?? ((v) => Object.fromEntries(names.map((n, i) => [n, v[i]])));
    }
    return build!(values);
  };
  return {
    reader: true as const,
    get busy() {
      return stmt.busy;
    },
    all: (params: readonly unknown[]) => (stmt.all(params) as unknown[][]).map(toRow),
    run: (params: readonly unknown[]) => stmt.run(params),
    *iterate(params: readonly unknown[]) {
      for (const values of stmt.iterate(params) as Iterable<unknown[]>) yield toRow(values);
    },
  };
}
type CachedStatement = ReturnType<typeof rawRows>;

/** A statement that changes the schema: the cached statements' column lists are read again after it. */
const DDL = /^\s*(create|alter|drop)\b/i;

/**
 * Kysely's SQLite driver prepares every statement on every query; preparing was 8-12% of server CPU in the
 * list benchmark. Statements are cached by their SQL text (the queries are parameterized, so the set is small);
 * a statement still being iterated (a streamed result) is never handed out twice: a fresh one is prepared.
 * Reading statements return their rows through `rawRows`. A schema change through this connection empties the
 * cache (migrations); SQLite itself prepares a statement again when the schema changed under it.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, CachedStatement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): CachedStatement {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = rawRows(sqlite.prepare(text));
      if (DDL.test(text)) cache.clear();
      else if (!hit) {
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

/** How often a SQLite connection runs `PRAGMA optimize` while open (it also runs at open and at close). */
const OPTIMIZE_EVERY_MS = 60 * 60_000;

/**
 * The SQLite query planner's statistics (`sqlite_stat1`) are only written by ANALYZE, which nothing ran outside
 * imports: a database grown by everyday writes kept the statistics of its last import, or none. SQLite's advice
 * for long-lived connections (https://sqlite.org/lang_analyze.html, "PRAGMA optimize") is to run `PRAGMA
 * optimize` with the 0x10000 bit at open (look at every table, not only those this connection used), then
 * plainly from time to time and at close; it analyzes only the tables never analyzed or whose row count moved by
 * a large factor since their last ANALYZE, and is otherwise a check of a few milliseconds. The open uses 0x10012, not the 0x10002 of that
 * advice: the 0x10 bit caps each ANALYZE with a temporary analysis_limit. Measured on a 100,000-lead database
 * without statistics: 0x10002 took 1,022 ms (a full ANALYZE of every table, ten times that at 1M leads, in
 * every worker's start), 0x10012 135 ms, and 7-10 ms with the statistics in place (docs/performance.md). A
 * failure (another process holding the write lock past busy_timeout) is left to the next run.
 */
function optimizeAtOpen(sqlite: SQLite.Database) {
  try {
    sqlite.pragma('optimize=0x10012');
  } catch {
    // busy: the hourly run does it
  }
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
    // After the functions are registered: an ANALYZE reads every index, and an index may use one.
    if (file !== ':memory:') optimizeAtOpen(sqlite);
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
    // Through Kysely, so it waits for the connection like any query (never inside another caller's transaction).
    const optimize = () =>
      kysely.executeQuery(CompiledQuery.raw('PRAGMA optimize')).then(
        () => undefined,
        () => undefined, // busy or closing: the next run (or the next open) does it
      );
    const timer = file === ':memory:' ? undefined : setInterval(optimize, OPTIMIZE_EVERY_MS).unref();
    return {
      kysely,
      dialect: 'sqlite',
      orgCache,
      async close() {
        if (timer) {
          clearInterval(timer);
          await optimize();
        }
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
      watchSettingsWrites(
        wrap(withAcquireTimeout(withCurrentSchemaIntrospection(new PostgresDialect({ pool })), acquireMs)),
        orgCache,
      ),
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
