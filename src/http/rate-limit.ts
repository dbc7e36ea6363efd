import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

/**
 * Fixed-window counters kept in this process's memory. One process is the supported deployment; behind a load
 * balancer each process counts on its own, so the effective limit is N times higher (see docs/security.md).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { count: number; resetAt: number; lastAt?: number }>();
  private nextSweep = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit against `key` (limit per window) and says whether it is allowed. */
  hit(key: string, limit: number, now = Date.now()): RateState {
    const b = this.current(key, now);
    b.count += 1;
    b.lastAt = now;
    return {
      allowed: b.count <= limit,
      limit,
      remaining: Math.max(0, limit - b.count),
      resetMs: b.resetAt - now,
    };
  }

  /** The state without counting (for limits that count only failures). */
  peek(key: string, limit: number, now = Date.now()): RateState {
    const b = this.buckets.get(key);
    const count = b && b.resetAt > now ? b.count : 0;
    const resetMs = b && b.resetAt > now ? b.resetAt - now : this.windowMs;
    const sinceLastMs = b && b.resetAt > now && b.lastAt !== undefined ? now - b.lastAt : undefined;
    return {
      allowed: count < limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetMs,
      count,
      sinceLastMs,
    };
  }

  reset(key: string): void {
    this.buckets.delete(key);
  }

  private current(key: string, now: number) {
    if (now >= this.nextSweep || this.buckets.size > this.maxKeys) this.sweep(now);
    let b = this.buckets.get(key);
    if (!b || b.resetAt <= now) {
      b = { count: 0, resetAt: now + this.windowMs };
      this.buckets.set(key, b);
    }
    return b;
  }

  private sweep(now: number) {
    for (const [k, b] of this.buckets) if (b.resetAt <= now) this.buckets.delete(k);
    // A flood of distinct keys (random tokens) must not grow memory without bound: forget the oldest half.
    if (this.buckets.size > this.maxKeys) {
      let drop = this.buckets.size - this.maxKeys / 2;
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(k);
      }
    }
    this.nextSweep = now + this.windowMs;
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
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
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
    if (limit === 0) return;
    const s = limiter.hit(key, limit);
    if (!s.allowed) throw tooMany(s, 'requests');
    reply.headers(rateHeaders(s));
  });
}

/**
 * Sign-in throttling that slows guessing without locking out the owner (docs/security.md, "Sign-in throttling").
 * Failures are counted per email, per IP and per known device. Past `loginFailuresPerEmail` (per IP:
 * `loginFailuresPerIp`) failures in the window, each further try must wait 2^(excess) seconds after the last
 * failure, at most `loginMaxDelaySeconds` (60): an attacker gets about one guess a minute, the right password waits
 * at most that long. A browser that signed in to this email before (its `lf_device` cookie) skips the email and IP
 * counters and has its own, so neither someone guessing the owner's password nor a busy office NAT locks the owner
 * out. The counters live in RateLimiter (memory); only this policy reads them.
 */
export function createLoginThrottle(opts: RateLimitOptions) {
  const windowMs = opts.loginWindowMinutes * 60_000;
  const limiter = new RateLimiter(windowMs);
  /** Devices that signed in to an email (key `email|device`), remembered for 30 days. */
  const devices = new RateLimiter(30 * 86400_000);
  const maxDelayMs = (opts.loginMaxDelaySeconds ?? 60) * 1000;
  const norm = (email: string) => email.trim().toLowerCase();
  const known = (email: string, device?: string) =>
    !!device && (devices.peek(`${norm(email)}|${device}`, 1).count ?? 0) > 0;
  const keys = (email: string, ip: string, device?: string) =>
    known(email, device)
      ? [{ key: `d:${norm(email)}|${device}`, free: opts.loginFailuresPerEmail }]
      : [
          { key: `e:${norm(email)}`, free: opts.loginFailuresPerEmail },
          { key: `i:${ip}`, free: opts.loginFailuresPerIp },
        ];
  return {
    check(email: string, ip: string, device?: string): void {
      for (const k of keys(email, ip, device)) {
        if (k.free === 0) continue;
        const s = limiter.peek(k.key, k.free);
        const excess = (s.count ?? 0) - k.free;
        if (excess < 0) continue;
        const waitMs = Math.min(maxDelayMs, 1000 * 2 ** excess) - (s.sinceLastMs ?? 0);
        if (waitMs > 0) throw tooMany({ ...s, allowed: false, resetMs: waitMs }, 'failed sign-ins');
      }
    },
    failed(email: string, ip: string, device?: string): void {
      for (const k of keys(email, ip, device)) if (k.free !== 0) limiter.hit(k.key, Number.MAX_SAFE_INTEGER);
    },
    succeeded(email: string, device: string): void {
      limiter.reset(`e:${norm(email)}`);
      limiter.reset(`d:${norm(email)}|${device}`);
      devices.hit(`${norm(email)}|${device}`, 1);
    },
    /** Clears the failures of one key (a right two-factor code clears that person's code failures). */
    reset(email: string): void {
      limiter.reset(`e:${norm(email)}`);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
