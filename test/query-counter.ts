import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';
import { withDriver } from '../src/db/unit-of-work.js';

/** What one measured stretch sent to the database. */
export interface QueryCounts {
  /** Transactions begun (a joined transaction is not a new one). */
  transactions: number;
  /** Statements sent, BEGIN/COMMIT/ROLLBACK/SAVEPOINT excluded. */
  queries: number;
  /** Of those, INSERT, UPDATE and DELETE statements (upserts included). */
  writes: number;
  /** The SQL of every counted statement, in order (for a failing assertion to show). */
  sql: string[];
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|start transaction)\b/i;
const WRITE = /^\s*(with\b[\s\S]*?\)\s*)?(insert|update|delete)\b/i;
/**
 * The job worker's poll for due jobs (src/jobs/job.repository.ts, `findClaimable` / `claimNext`): it runs on its own timer, every second,
 * whatever the requests do, so a measured request that happens to overlap it is not charged for it. (The
 * request's own flow cannot be told apart by async context: app.inject dispatches from Fastify's ready queue.)
 */
const BACKGROUND = [
  // SQLite: read the due jobs, then claim one by compare-and-set.
  /^\s*select \* from "jobs" where "kind" in /i,
  // PostgreSQL: find and take the next one in a single UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED).
  /^\s*update "jobs" set [\s\S]* where "id" = \(select "id" from "jobs" where "kind" in /i,
];
/**
 * The rate limiter's counter: on PostgreSQL one upsert into rate_counters per request (src/http/counter-store.ts),
 * before the route runs and outside its transaction, the same for every request whatever it does (memory or the
 * cluster primary on SQLite, Redis with REDIS_URL). Budgets measure what the route itself costs; this fixed cost
 * is stated beside them in docs/compat.md.
 */
const RATE_COUNTER = /^\s*(insert into|delete from|select [^;]* from) "?rate_counters"?/i;

/**
 * Counts transactions, queries and writes at the driver, below Kysely, so every statement is seen whoever
 * sends it. Pass `counter.wrapDialect` to `createTestApp(env, { wrapDialect })`, then
 * `await counter.measure(() => app.inject(...))`.
 */
export function createQueryCounter() {
  let counts: QueryCounts = { transactions: 0, queries: 0, writes: 0, sql: [] };
  let active = false;

  function note(q: CompiledQuery) {
    if (!active || CONTROL.test(q.sql) || BACKGROUND.some((re) => re.test(q.sql)) || RATE_COUNTER.test(q.sql))
      return;
    counts.queries += 1;
    if (WRITE.test(q.sql)) counts.writes += 1;
    counts.sql.push(q.sql);
  }

  function wrapConnection(c: DatabaseConnection): DatabaseConnection {
    return {
      executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        note(q);
        return c.executeQuery<R>(q);
      },
      streamQuery<R>(q: CompiledQuery, chunkSize?: number) {
        note(q);
        return c.streamQuery<R>(q, chunkSize);
      },
    };
  }

  function wrapDriver(driver: Driver): Driver {
    // Kysely hands the connection it acquired back to begin/commit/release: map wrapper -> original.
    const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const orig = (c: DatabaseConnection) => originals.get(c) ?? c;
    const wrapped: Driver = {
      init: () => driver.init(),
      async acquireConnection() {
        const c = await driver.acquireConnection();
        const w = wrapConnection(c);
        originals.set(w, c);
        return w;
      },
      beginTransaction(c, s) {
        if (active) counts.transactions += 1;
        return driver.beginTransaction(orig(c), s);
      },
      commitTransaction: (c) => driver.commitTransaction(orig(c)),
      rollbackTransaction: (c) => driver.rollbackTransaction(orig(c)),
      releaseConnection: (c) => driver.releaseConnection(orig(c)),
      destroy: () => driver.destroy(),
    };
    if (driver.savepoint) wrapped.savepoint = (c, n, q) => driver.savepoint!(orig(c), n, q);
    if (driver.rollbackToSavepoint)
      wrapped.rollbackToSavepoint = (c, n, q) => driver.rollbackToSavepoint!(orig(c), n, q);
    if (driver.releaseSavepoint)
      wrapped.releaseSavepoint = (c, n, q) => driver.releaseSavepoint!(orig(c), n, q);
    return wrapped;
  }

  return {
    wrapDialect(dialect: Dialect): Dialect {
      return withDriver(dialect, wrapDriver);
    },
    /** Counts what `fn` sends (only one measurement at a time; other traffic in between is counted too). */
    async measure<T>(fn: () => Promise<T>): Promise<{ result: T; counts: QueryCounts }> {
      counts = { transactions: 0, queries: 0, writes: 0, sql: [] };
      active = true;
      try {
        const result = await fn();
        return { result, counts };
      } finally {
        active = false;
      }
    },
  };
}

export type QueryCounter = ReturnType<typeof createQueryCounter>;
