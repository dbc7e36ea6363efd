import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Dialect, Driver, Kysely, TransactionSettings } from 'kysely';
import type { Database } from './schema.js';

/**
 * One request, one unit of work (docs/decisions.md, "Unit of work").
 *
 * Every service write takes `opts: TxOptions = {}` as its last parameter and runs its statements through
 * `inTransaction(db, opts, trx => ...)`: it joins the caller's transaction when one is given, or opens its
 * own. A caller that composes several services opens one transaction and passes `{ tx }` to each.
 */
export type Tx = Kysely<Database>;
export interface TxOptions {
  /** The caller's open transaction: the write joins it instead of opening its own. */
  tx?: Tx;
}

/** What the guard knows about the transaction the current async flow has open. */
export interface OpenTransaction {
  open: boolean;
  /** A settings table was written in this transaction: reads go around the org cache (src/db/org-cache.ts). */
  settingsWritten?: boolean;
  /** Runs once the transaction has ended (committed or rolled back). */
  onEnd?: () => void;
}
const flow = new AsyncLocalStorage<OpenTransaction>();
/**
 * Units of work open in this process (their `fn` still running). On Node 20 an AsyncLocalStorage that ran once keeps
 * async_hooks' promise hooks on for every promise of the process, forever: every read request paid them (~10% of
 * a get's CPU, docs/performance.md, "Read path, session 11"). When the last open unit ends, `flow.disable()` takes
 * them off; the next `flow.run()` puts them back. Nothing needs the store while no unit is open: the guard below and
 * openTransactionState() only act on an open one (a disabled storage reads as no store), and a store some older
 * async resource still carries is closed (`open: false`).
 */
let openUnits = 0;

/** The state of the unit of work this async flow has open, if any. */
export function openTransactionState(): OpenTransaction | undefined {
  const s = flow.getStore();
  return s?.open ? s : undefined;
}

/** Raised when code inside an open transaction queries the base connection (it would wait forever on SQLite). */
export class OutsideTransactionError extends Error {
  constructor() {
    super(
      'A query was sent on the base connection while this flow has a transaction open. Pass { tx } to the ' +
        'service or repository call (docs/decisions.md, "Unit of work"): on SQLite this query would wait forever.',
    );
    this.name = 'OutsideTransactionError';
  }
}

const RETRY_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_LOCKED',
  '40001', // PostgreSQL serialization_failure
  '40P01', // PostgreSQL deadlock_detected
]);

/** True for the errors after which the whole transaction may simply be tried again. */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRY_CODES.has(code);
}

export interface TransactionRetry {
  /** Attempts in all, the first included (default 4). */
  attempts?: number;
  /** First backoff in ms, doubled each time, with jitter (default 10). */
  baseDelayMs?: number;
}

/**
 * Runs `fn` in the caller's transaction (`opts.tx`), or in a new one that is retried on SQLITE_BUSY and on
 * PostgreSQL serialization failures and deadlocks. A joined transaction is never retried here: the caller
 * that opened it owns the retry.
 */
export async function inTransaction<T>(
  db: Tx,
  opts: TxOptions | undefined,
  fn: (trx: Tx) => Promise<T>,
  retry: TransactionRetry = {},
): Promise<T> {
  if (opts?.tx) return fn(opts.tx);
  const attempts = retry.attempts ?? 4;
  const base = retry.baseDelayMs ?? 10;
  for (let attempt = 1; ; attempt++) {
    let state: OpenTransaction | undefined;
    try {
      return await db.transaction().execute((trx) => {
        state = { open: true };
        const s = state;
        openUnits++;
        return flow.run(s, async () => {
          try {
            return await fn(trx);
          } finally {
            s.open = false;
            if (--openUnits === 0) flow.disable();
          }
        });
      });
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      const delay = base * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    } finally {
      (state as OpenTransaction | undefined)?.onEnd?.();
    }
  }
}

/** The connection of the flow's open transaction, if any: `tx ?? db` for reads that may run inside one. */
export function runner(db: Tx, opts: TxOptions | undefined): Tx {
  return opts?.tx ?? db;
}

/**
 * Wraps a dialect so that a query sent on the base connection (not through the transaction) while the same
 * async flow has a transaction open fails at once with OutsideTransactionError, instead of waiting forever for
 * SQLite's single connection (or, on PostgreSQL, running outside the unit of work). Queries of other requests
 * are not affected: they wait for the connection as usual.
 */
export function guardDialect(dialect: Dialect): Dialect {
  return withDriver(dialect, guardDriver);
}

/** The same dialect with its driver changed by `change` (guards, timeouts, counters wrap drivers this way). */
export function withDriver(dialect: Dialect, change: (driver: Driver) => Driver): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => change(dialect.createDriver()),
  };
}

function guardDriver(driver: Driver): Driver {
  const guarded: Driver = {
    init: () => driver.init(),
    async acquireConnection(): Promise<DatabaseConnection> {
      if (flow.getStore()?.open) throw new OutsideTransactionError();
      return driver.acquireConnection();
    },
    beginTransaction: (c: DatabaseConnection, s: TransactionSettings) => driver.beginTransaction(c, s),
    commitTransaction: (c) => driver.commitTransaction(c),
    rollbackTransaction: (c) => driver.rollbackTransaction(c),
    releaseConnection: (c) => driver.releaseConnection(c),
    destroy: () => driver.destroy(),
  };
  if (driver.savepoint) guarded.savepoint = driver.savepoint.bind(driver);
  if (driver.rollbackToSavepoint) guarded.rollbackToSavepoint = driver.rollbackToSavepoint.bind(driver);
  if (driver.releaseSavepoint) guarded.releaseSavepoint = driver.releaseSavepoint.bind(driver);
  return guarded;
}
