import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { Db } from '../src/db/database.js';
import { createTestApp, type TestApp } from './helpers.js';

/** What one request cost: statements sent, of which writes (insert/update/delete), and transactions opened. */
export interface QueryCount {
  queries: number;
  writes: number;
  transactions: number;
}

const WRITE_KINDS = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode']);

/**
 * Counts through a Kysely plugin (every statement of the app, inside transactions too, since a transaction
 * inherits the plugins) and a wrapper of `transaction()` (every unit of work opened).
 */
export class QueryCounter implements KyselyPlugin {
  count: QueryCount = { queries: 0, writes: 0, transactions: 0 };
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count.queries++;
    if (WRITE_KINDS.has(args.node.kind)) this.count.writes++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
  reset(): void {
    this.count = { queries: 0, writes: 0, transactions: 0 };
  }
  /** Runs `fn` and returns what it cost. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; count: QueryCount }> {
    this.reset();
    const result = await fn();
    return { result, count: { ...this.count } };
  }
  wrap(db: Db): Db {
    const counted = db.kysely.withPlugin(this);
    const count = () => this.count;
    const kysely = new Proxy(counted, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return () => {
            const builder = target.transaction();
            return new Proxy(builder, {
              get(b, p, r) {
                if (p === 'execute')
                  return (fn: Parameters<typeof builder.execute>[0]) => {
                    count().transactions++;
                    return b.execute(fn);
                  };
                const v = Reflect.get(b, p, r);
                return typeof v === 'function' ? v.bind(b) : v;
              },
            });
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return { ...db, kysely } as Db;
  }
}

/** A test app whose every statement and transaction is counted. */
export async function createCountingTestApp(): Promise<TestApp & { counter: QueryCounter }> {
  const counter = new QueryCounter();
  const t = await createTestApp({}, { wrapDb: (db) => counter.wrap(db) });
  return { ...t, counter };
}
