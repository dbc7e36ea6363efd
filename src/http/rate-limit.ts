import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppError } from './errors.js';
import { MemoryCounterStore, type CounterState, type CounterStore } from './counter-store.js';

/**
 * Fixed-window counters in a CounterStore (src/http/counter-store.ts): this process's memory by default; Redis,
 * the database (PostgreSQL) or the cluster primary when the app is built with a shared store, so every worker and
 * every node counts one limit (docs/operations.md, "Shared state"). `ns` keeps separate limiters apart in one store.
 */
export class RateLimiter {
  constructor(
    readonly windowMs: number,
    private readonly store: CounterStore = new MemoryCounterStore(),
    private readonly ns = '',
  ) {}

  /** Counts one hit against `key` (limit per window) and says whether it is allowed. */
  async hit(key: string, limit: number, now = Date.now()): Promise<RateState> {
    return this.counted(await this.store.hit(this.ns + key, this.windowMs, now), limit, now);
  }

  /**
   * `hit` for a limit on every request: the store may count in memory while far from the limit (PostgreSQL,
   * src/http/counter-store.ts), where a shared count near it is all the limit needs.
   */
  async hitRequest(key: string, limit: number, now = Date.now()): Promise<RateState> {
    const b = this.store.hitWithin
      ? await this.store.hitWithin(this.ns + key, this.windowMs, now, limit)
      : await this.store.hit(this.ns + key, this.windowMs, now);
    return this.counted(b, limit, now);
  }

  /** `hitRequest` without waiting, when the store is this process's memory; undefined for a shared store. */
  hitRequestNow(key: string, limit: number, now = Date.now()): RateState | undefined {
    if (!(this.store instanceof MemoryCounterStore)) return undefined;
    return this.counted(this.store.hitSync(this.ns + key, this.windowMs, now), limit, now);
  }

  /** The state after a hit counted `b.count` in the window. */
  private counted(b: CounterState, limit: number, now: number): RateState {
    return {
      allowed: b.count <= limit,
      limit,
      remaining: Math.max(0, limit - b.count),
      resetMs: b.resetAt - now,
    };
  }

  /** The state without counting (for limits that count only failures). */
  async peek(key: string, limit: number, now = Date.now()): Promise<RateState> {
    const b = await this.store.get(this.ns + key, now);
    const count = b ? b.count : 0;
    return {
      allowed: count < limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetMs: b ? b.resetAt - now : this.windowMs,
      count,
      sinceLastMs: b && b.lastAt !== undefined ? now - b.lastAt : undefined,
    };
  }

  async reset(key: string): Promise<void> {
    await this.store.reset(this.ns + key);
  }
}

export interface RateState {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetMs: number;
  /** peek only: hits in the current window and ms since the last one. */
  count?: number;
  sinceLastMs?: number;
}

export interface RateLimitOptions {
  /** Requests per minute per bearer token or API key; 0 turns the limit off. */
  authenticatedPerMinute: number;
  /** Requests per minute per client IP on routes without a token; 0 turns it off. */
  anonymousPerMinute: number;
  /** Failed sign-ins per email within loginWindowMinutes before each further try must wait (backoff). */
  loginFailuresPerEmail: number;
  /** Failed sign-ins per IP within loginWindowMinutes before the backoff starts for that IP. */
  loginFailuresPerIp: number;
  loginWindowMinutes: number;
  /** The longest wait the backoff imposes (seconds): the right password is never locked out longer. */
  loginMaxDelaySeconds?: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  authenticatedPerMinute: 6000,
  anonymousPerMinute: 300,
  loginFailuresPerEmail: 10,
  loginFailuresPerIp: 50,
  loginWindowMinutes: 15,
};

/** RATE_LIMIT_PER_MINUTE, RATE_LIMIT_ANONYMOUS_PER_MINUTE, LOGIN_MAX_FAILURES_PER_EMAIL, LOGIN_MAX_FAILURES_PER_IP. */
export function rateLimitsFromEnv(env: NodeJS.ProcessEnv): RateLimitOptions {
  const int = (name: string, def: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${name}=${JSON.stringify(raw)} must be a whole number (0 turns the limit off)`);
    return n;
  };
  return {
    authenticatedPerMinute: int('RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMITS.authenticatedPerMinute),
    anonymousPerMinute: int('RATE_LIMIT_ANONYMOUS_PER_MINUTE', DEFAULT_RATE_LIMITS.anonymousPerMinute),
    loginFailuresPerEmail: int('LOGIN_MAX_FAILURES_PER_EMAIL', DEFAULT_RATE_LIMITS.loginFailuresPerEmail),
    loginFailuresPerIp: int('LOGIN_MAX_FAILURES_PER_IP', DEFAULT_RATE_LIMITS.loginFailuresPerIp),
    loginWindowMinutes: DEFAULT_RATE_LIMITS.loginWindowMinutes,
  };
}

/** RateLimit-* headers (IETF draft "RateLimit header fields for HTTP"); Retry-After when refused. */
export function rateHeaders(s: RateState): Record<string, string> {
  const reset = String(Math.max(1, Math.ceil(s.resetMs / 1000)));
  const h: Record<string, string> = {
    'ratelimit-limit': String(s.limit),
    'ratelimit-remaining': String(s.remaining),
    'ratelimit-reset': reset,
  };
  if (!s.allowed) h['retry-after'] = reset;
  return h;
}

export function tooMany(s: RateState, what: string): AppError {
  return new AppError(
    'rate_limited',
    `Too many ${what}; retry in ${Math.max(1, Math.ceil(s.resetMs / 1000))} s.`,
    undefined,
    rateHeaders(s),
  );
}

/**
 * Per-credential limits on every request of the scope: by bearer token when there is one (checked before the
 * token is verified, so even bad tokens are counted), otherwise by client IP.
 */
export function installRateLimit(
  app: FastifyInstance,
  opts: RateLimitOptions,
  limiter = new RateLimiter(60_000),
): void {
  if (opts.authenticatedPerMinute === 0 && opts.anonymousPerMinute === 0) return;
  // Synchronous when the counts are in this process's memory (one process, no Redis); a shared store is awaited.
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // The web app's session cookie counts as its token (cookies are not parsed yet at this point).
    const cookie = /(?:^|;\s*)lf_session=([^;]+)/.exec(req.headers.cookie ?? '');
    const auth = req.headers.authorization ?? (cookie ? `Cookie ${cookie[1]}` : undefined);
    let key: string;
    let limit: number;
    if (auth && !req.routeOptions.config?.public) {
      limit = opts.authenticatedPerMinute;
      key = `t:${auth.slice(0, 120)}`;
    } else {
      limit = opts.anonymousPerMinute;
      key = `ip:${req.ip}`;
    }
    if (limit === 0) return done();
    const now = limiter.hitRequestNow(key, limit);
    if (now) {
      if (!now.allowed) return done(tooMany(now, 'requests'));
      reply.headers(rateHeaders(now));
      return done();
    }
    return limiter.hitRequest(key, limit).then((s) => {
      if (!s.allowed) throw tooMany(s, 'requests');
      reply.headers(rateHeaders(s));
    });
  });
}

/**
 * Sign-in throttling that slows guessing without locking out the owner (docs/security.md, "Sign-in throttling").
 * Failures are counted per email, per IP and per known device. Past `loginFailuresPerEmail` (per IP:
 * `loginFailuresPerIp`) failures in the window, each further try must wait 2^(excess) seconds after the last
 * failure, at most `loginMaxDelaySeconds` (60): an attacker gets about one guess a minute, the right password waits
 * at most that long. A browser that signed in to this email before (its `lf_device` cookie) skips the email and IP
 * counters and has its own, so neither someone guessing the owner's password nor a busy office NAT locks the owner
 * out. The counters live in the CounterStore given (shared by every worker and node when it is Redis, the database
 * or the cluster primary); only this policy reads them.
 */
export function createLoginThrottle(opts: RateLimitOptions, store: CounterStore = new MemoryCounterStore()) {
  const windowMs = opts.loginWindowMinutes * 60_000;
  const limiter = new RateLimiter(windowMs, store, 'login:');
  /** Devices that signed in to an email (key `email|device`), remembered for 30 days. */
  const devices = new RateLimiter(30 * 86400_000, store, 'device:');
  const maxDelayMs = (opts.loginMaxDelaySeconds ?? 60) * 1000;
  const norm = (email: string) => email.trim().toLowerCase();
  const known = async (email: string, device?: string) =>
    !!device && ((await devices.peek(`${norm(email)}|${device}`, 1)).count ?? 0) > 0;
  const keys = async (email: string, ip: string, device?: string) =>
    (await known(email, device))
      ? [{ key: `d:${norm(email)}|${device}`, free: opts.loginFailuresPerEmail }]
      : [
          { key: `e:${norm(email)}`, free: opts.loginFailuresPerEmail },
          { key: `i:${ip}`, free: opts.loginFailuresPerIp },
        ];
  return {
    async check(email: string, ip: string, device?: string): Promise<void> {
      for (const k of await keys(email, ip, device)) {
        if (k.free === 0) continue;
        const s = await limiter.peek(k.key, k.free);
        const excess = (s.count ?? 0) - k.free;
        if (excess < 0) continue;
        const waitMs = Math.min(maxDelayMs, 1000 * 2 ** excess) - (s.sinceLastMs ?? 0);
        if (waitMs > 0) throw tooMany({ ...s, allowed: false, resetMs: waitMs }, 'failed sign-ins');
      }
    },
    async failed(email: string, ip: string, device?: string): Promise<void> {
      for (const k of await keys(email, ip, device))
        if (k.free !== 0) await limiter.hit(k.key, Number.MAX_SAFE_INTEGER);
    },
    async succeeded(email: string, device: string): Promise<void> {
      await limiter.reset(`e:${norm(email)}`);
      await limiter.reset(`d:${norm(email)}|${device}`);
      await devices.hit(`${norm(email)}|${device}`, 1);
    },
    /** Clears the failures of one key (a right two-factor code clears that person's code failures). */
    async reset(email: string): Promise<void> {
      await limiter.reset(`e:${norm(email)}`);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
