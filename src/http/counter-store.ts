import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { Redis } from 'ioredis';
import { AppError } from './errors.js';

/**
 * Where the rate-limit and sign-in counters live (docs/operations.md, "Shared state"):
 * - Redis when `REDIS_URL` is set (any number of nodes);
 * - the database on PostgreSQL (table rate_counters; any number of nodes);
 * - on SQLite under `npm start` (node:cluster), the cluster's primary process: every worker of the machine asks
 *   it over the cluster IPC channel, so WORKERS processes share one count without a write to the SQLite file;
 * - otherwise this process's memory (one process: tests, `npm run dev`).
 */
export interface CounterState {
  count: number;
  /** Epoch ms when the window ends. */
  resetAt: number;
  /** Epoch ms of the last hit. */
  lastAt?: number;
}

export interface CounterStore {
  readonly kind: 'memory' | 'cluster' | 'database' | 'redis';
  /** Counts one hit against `key`, opening a window of `windowMs` when none is open. */
  hit(key: string, windowMs: number, now: number): Promise<CounterState>;
  /**
   * Optional: `hit` for a per-request limit of `limit` hits, which a store may count in this process's memory
   * while the count is far below the limit, and in the shared store near it (DatabaseCounterStore).
   */
  hitWithin?(key: string, windowMs: number, now: number, limit: number): Promise<CounterState>;
  /** The open window of `key`, if any. */
  get(key: string, now: number): Promise<CounterState | undefined>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Counters in this process's memory, bounded: a flood of distinct keys forgets the oldest half. */
export class MemoryCounterStore implements CounterStore {
  readonly kind = 'memory' as const;
  private readonly buckets = new Map<string, CounterState>();
  private nextSweep = 0;
  constructor(private readonly maxKeys = 100_000) {}

  hitSync(key: string, windowMs: number, now: number): CounterState {
    if (now >= this.nextSweep || this.buckets.size > this.maxKeys) this.sweep(now);
    let b = this.buckets.get(key);
    if (!b || b.resetAt <= now) {
      b = { count: 0, resetAt: now + windowMs };
      this.buckets.set(key, b);
    }
    b.count += 1;
    b.lastAt = now;
    return { ...b };
  }
  getSync(key: string, now: number): CounterState | undefined {
    const b = this.buckets.get(key);
    return b && b.resetAt > now ? { ...b } : undefined;
  }
  async hit(key: string, windowMs: number, now: number) {
    return this.hitSync(key, windowMs, now);
  }
  async get(key: string, now: number) {
    return this.getSync(key, now);
  }
  async reset(key: string) {
    this.buckets.delete(key);
  }
  async close() {}

  private sweep(now: number) {
    for (const [k, b] of this.buckets) if (b.resetAt <= now) this.buckets.delete(k);
    if (this.buckets.size > this.maxKeys) {
      let drop = this.buckets.size - this.maxKeys / 2;
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(k);
      }
    }
    this.nextSweep = now + 60_000;
  }
}

// Keys hold bearer tokens and emails: shared stores keep only their hash.
const digest = (key: string) => createHash('sha256').update(key).digest('base64url');

const unavailable = (what: string, err: unknown) => {
  const e = new AppError(
    'unavailable',
    `The shared rate-limit store (${what}) did not answer; retry in a moment.`,
    undefined,
    { 'retry-after': '2' },
  );
  e.cause = err;
  return e;
};

/** What one process counted of a key since its last write to the database (DatabaseCounterStore.hitWithin). */
interface LocalCount {
  /** The database's count at the last write or flush. */
  dbCount: number;
  resetAt: number;
  /** Hits counted here and not yet added to the database. */
  pending: number;
  lastAt: number;
}

/**
 * Per-request limits are counted in memory while far from the limit: below half of it, and with at most this
 * share of the limit unflushed per process. Limits under MIN_BUFFERED_LIMIT are always counted in the database.
 */
const LOCAL_SHARE = 0.05;
const MIN_BUFFERED_LIMIT = 200;
const FLUSH_MS = 250;
/** Past this many keys in memory, those with nothing waiting are forgotten (a flood of distinct tokens). */
const MAX_LOCAL_KEYS = 50_000;

/**
 * PostgreSQL: one row per key, counted with an upsert (one statement, no transaction).
 *
 * A per-request limit (`hitWithin`, 6,000 a minute per token by default) would cost every request an upsert, its
 * commit and WAL flush. Far below the limit the hits are counted here and added to the row every 250 ms (or at
 * the next hit that must go to the database); from half the limit on, or once 5% of the limit is waiting here,
 * each hit goes to the database as before, so the refusal at the limit stays shared by every node. What another
 * node counted but has not flushed yet (at most 5% of the limit per node, for at most 250 ms) is what a node can
 * miss near the limit. Sign-in counters (`hit`) always go to the database.
 */
export class DatabaseCounterStore implements CounterStore {
  readonly kind = 'database' as const;
  private hits = 0;
  private readonly local = new Map<string, LocalCount>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  constructor(private readonly db: Kysely<any>) {}

  async hit(key: string, windowMs: number, now: number): Promise<CounterState> {
    return this.add(digest(key), 1, windowMs, now);
  }

  async hitWithin(key: string, windowMs: number, now: number, limit: number): Promise<CounterState> {
    const k = digest(key);
    const c = this.local.get(k);
    if (
      c &&
      c.resetAt > now &&
      limit >= MIN_BUFFERED_LIMIT &&
      c.dbCount + c.pending + 1 <= limit / 2 &&
      c.pending + 1 <= limit * LOCAL_SHARE
    ) {
      c.pending += 1;
      c.lastAt = now;
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
      return { count: c.dbCount + c.pending, resetAt: c.resetAt, lastAt: now };
    }
    // To the database, with what waited here (a window that ended here drops its waiting hits).
    const waiting = c && c.resetAt > now ? c.pending : 0;
    if (c) c.pending = 0;
    const s = await this.add(k, waiting + 1, windowMs, now);
    this.remember(k, s, now);
    const after = this.local.get(k)!;
    return { count: after.dbCount + after.pending, resetAt: after.resetAt, lastAt: now };
  }

  /** What the database said of `k` after a write: a newer window replaces, the counts of one window only grow. */
  private remember(k: string, s: CounterState, now: number) {
    const c = this.local.get(k);
    if (c && s.resetAt === c.resetAt) c.dbCount = Math.max(c.dbCount, s.count);
    else if (!c || s.resetAt > c.resetAt) {
      // Hits still waiting from a window that is not over yet (the row was reset meanwhile) count in the new one.
      const pending = c && c.resetAt > now ? c.pending : 0;
      if (this.local.size >= MAX_LOCAL_KEYS)
        for (const [x, v] of this.local) if (!v.pending) this.local.delete(x);
      this.local.set(k, { dbCount: s.count, resetAt: s.resetAt, pending, lastAt: now });
    }
  }

  /** Adds the hits waiting in memory to their rows (one upsert per key) and forgets closed windows. */
  async flush(): Promise<void> {
    this.timer = undefined;
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      const now = Date.now();
      for (const [k, c] of this.local) {
        if (c.resetAt <= now) {
          this.local.delete(k);
          continue;
        }
        if (c.pending === 0) continue;
        const n = c.pending;
        c.pending = 0;
        try {
          this.remember(k, await this.add(k, n, c.resetAt - now, now), now);
        } catch {
          c.pending += n; // the next flush or database hit tries again
          this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
        }
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async add(k: string, n: number, windowMs: number, now: number): Promise<CounterState> {
    if (++this.hits % 1000 === 0) await this.purge(now);
    const r = await sql<{ count: number | string; reset_at: number | string; last_at: number | string }>`
      insert into rate_counters (key, count, reset_at, last_at) values (${k}, ${n}, ${now + windowMs}, ${now})
      on conflict (key) do update set
        count = case when rate_counters.reset_at <= ${now} then ${n} else rate_counters.count + ${n} end,
        reset_at = case when rate_counters.reset_at <= ${now} then excluded.reset_at else rate_counters.reset_at end,
        last_at = excluded.last_at
      returning count, reset_at, last_at`.execute(this.db);
    const row = r.rows[0];
    return { count: Number(row.count), resetAt: Number(row.reset_at), lastAt: Number(row.last_at) };
  }
  async get(key: string, now: number): Promise<CounterState | undefined> {
    const r = await sql<{ count: number | string; reset_at: number | string; last_at: number | string }>`
      select count, reset_at, last_at from rate_counters where key = ${digest(key)} and reset_at > ${now}`.execute(
      this.db,
    );
    const row = r.rows[0];
    return row
      ? { count: Number(row.count), resetAt: Number(row.reset_at), lastAt: Number(row.last_at) }
      : undefined;
  }
  async reset(key: string) {
    const k = digest(key);
    this.local.delete(k);
    await sql`delete from rate_counters where key = ${k}`.execute(this.db);
  }
  private async purge(now: number) {
    await sql`delete from rate_counters where reset_at <= ${now}`.execute(this.db).catch(() => undefined);
  }
  /** Writes what waits in memory (SIGTERM drains through here, before the pool closes). */
  async close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(() => undefined);
  }
}

// HINCRBY + PEXPIRE on the first hit, in one round trip (a script runs atomically in Redis).
const HIT_SCRIPT = `
local c = redis.call('HINCRBY', KEYS[1], 'c', 1)
if c == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
redis.call('HSET', KEYS[1], 'l', ARGV[2])
return {c, redis.call('PTTL', KEYS[1])}`;

/** Redis (REDIS_URL): a hash per key that expires with its window. */
export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis' as const;
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'leadflow:rl:',
  ) {}

  async hit(key: string, windowMs: number, now: number): Promise<CounterState> {
    try {
      const [c, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + digest(key), windowMs, now)) as [
        number,
        number,
      ];
      return { count: Number(c), resetAt: now + Math.max(0, Number(ttl)), lastAt: now };
    } catch (e) {
      throw unavailable('Redis', e);
    }
  }
  async get(key: string, now: number): Promise<CounterState | undefined> {
    try {
      const k = this.prefix + digest(key);
      const r = await this.redis.multi().hmget(k, 'c', 'l').pttl(k).exec();
      const [c, l] = (r?.[0]?.[1] ?? [null, null]) as [string | null, string | null];
      const ttl = Number(r?.[1]?.[1] ?? -2);
      if (c === null || ttl <= 0) return undefined;
      return { count: Number(c), resetAt: now + ttl, lastAt: l === null ? undefined : Number(l) };
    } catch (e) {
      throw unavailable('Redis', e);
    }
  }
  async reset(key: string) {
    try {
      await this.redis.del(this.prefix + digest(key));
    } catch (e) {
      throw unavailable('Redis', e);
    }
  }
  async close() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

type Op =
  | { op: 'hit'; key: string; windowMs: number; now: number }
  | { op: 'get'; key: string; now: number }
  | { op: 'reset'; key: string };
interface Ask {
  lfCounter: { id: number } & Op;
}
interface Answer {
  lfCounterReply: { id: number; state?: CounterState };
}

/** A cluster worker's counters: kept by the primary (serveCountersInPrimary), asked over the IPC channel. */
export class ClusterCounterStore implements CounterStore {
  readonly kind = 'cluster' as const;
  private seq = 0;
  private readonly waiting = new Map<number, (s: CounterState | undefined) => void>();
  private readonly onMessage = (m: unknown) => {
    const a = (m as Partial<Answer> | null)?.lfCounterReply;
    if (!a) return;
    const done = this.waiting.get(a.id);
    this.waiting.delete(a.id);
    done?.(a.state);
  };
  constructor() {
    process.on('message', this.onMessage);
  }
  private ask(op: Op): Promise<CounterState | undefined> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      process.send!({ lfCounter: { id, ...op } } satisfies Ask, undefined, undefined, (err) => {
        if (err) {
          this.waiting.delete(id);
          reject(unavailable('cluster primary', err));
        }
      });
    });
  }
  async hit(key: string, windowMs: number, now: number) {
    return (await this.ask({ op: 'hit', key, windowMs, now }))!;
  }
  get(key: string, now: number) {
    return this.ask({ op: 'get', key, now });
  }
  async reset(key: string) {
    await this.ask({ op: 'reset', key });
  }
  async close() {
    process.off('message', this.onMessage);
  }
}

/** In the cluster primary: keeps the workers' counters (SQLite without Redis; cheap, in memory). */
export function serveCountersInPrimary(): void {
  const store = new MemoryCounterStore();
  cluster.on('message', (worker, m: unknown) => {
    const a = (m as Partial<Ask> | null)?.lfCounter;
    if (!a) return;
    const state =
      a.op === 'hit'
        ? store.hitSync(a.key, a.windowMs, a.now)
        : a.op === 'get'
          ? store.getSync(a.key, a.now)
          : (void store.reset(a.key), undefined);
    if (worker.isConnected()) worker.send({ lfCounterReply: { id: a.id, state } } satisfies Answer);
  });
}

/** Picks the store for this process (see the comment at the top). */
export function createCounterStore(opts: {
  redisUrl?: string;
  redisPrefix?: string;
  dialect: 'sqlite' | 'postgres';
  kysely: Kysely<any>;
}): CounterStore {
  if (opts.redisUrl) {
    const redis = new Redis(opts.redisUrl, {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      enableAutoPipelining: true,
    });
    redis.on('error', () => undefined); // reconnects on its own; a command that fails answers 503
    return new RedisCounterStore(redis, opts.redisPrefix);
  }
  if (opts.dialect === 'postgres') return new DatabaseCounterStore(opts.kysely);
  if (cluster.isWorker && process.env.LEADFLOW_CLUSTER_COUNTERS === '1') return new ClusterCounterStore();
  return new MemoryCounterStore();
}
