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

/** PostgreSQL: one row per key, counted with an upsert (one statement, no transaction). */
export class DatabaseCounterStore implements CounterStore {
  readonly kind = 'database' as const;
  private hits = 0;
  constructor(private readonly db: Kysely<any>) {}

  async hit(key: string, windowMs: number, now: number): Promise<CounterState> {
    if (++this.hits % 1000 === 0) await this.purge(now);
    const k = digest(key);
    const r = await sql<{ count: number | string; reset_at: number | string; last_at: number | string }>`
      insert into rate_counters (key, count, reset_at, last_at) values (${k}, 1, ${now + windowMs}, ${now})
      on conflict (key) do update set
        count = case when rate_counters.reset_at <= ${now} then 1 else rate_counters.count + 1 end,
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
    await sql`delete from rate_counters where key = ${digest(key)}`.execute(this.db);
  }
  private async purge(now: number) {
    await sql`delete from rate_counters where reset_at <= ${now}`.execute(this.db).catch(() => undefined);
  }
  async close() {}
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
