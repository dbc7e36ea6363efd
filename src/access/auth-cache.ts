import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { noteOrgVersion } from '../db/org-cache.js';

/**
 * Per-process cache of token lookups (docs/decisions.md, "Token cache"): what `authenticate` read for a session
 * (its memberships) or an API key (and its parent), keyed by the token's hash, under the `auth_state.version`
 * it was read at (migration 0230).
 *
 * Invalidation across processes: triggers bump the version in the same transaction as any write that changes
 * what a lookup reads (a session revoked or ended, a membership added, removed, deactivated or given another
 * role, a key revoked or rescoped), whoever writes. A cached entry is only used after one small query per request
 * read the current version (and the organization's settings version, for the settings cache, in the same
 * statement): when the version moved, the token is looked up again. So a revocation committed in any process or
 * node is refused on the very next request everywhere, as before the cache. Only successful lookups are cached;
 * every refusal comes from a fresh read.
 */

/** Tokens kept per process; past this the least recently stored entry is dropped. */
const MAX_TOKENS = 10_000;

export interface CachedToken<T> {
  /** auth_state.version the value was read at (in the same statement). */
  version: number;
  value: T;
}

export interface TokenCache<T> {
  get(hash: string): CachedToken<T> | undefined;
  set(hash: string, version: number | string | null | undefined, value: T): void;
  /**
   * One query: true when `entry` is still current (the auth version has not moved and the organization exists).
   * Notes the organization's settings version for the settings cache, as the full lookup does.
   */
  fresh(entry: CachedToken<T>, orgId: number): Promise<boolean>;
  /** Hits (served from the cache), misses (full lookups) and stale entries seen since start. */
  readonly stats: { hits: number; misses: number; stale: number };
}

export function createTokenCache<T>(db: Kysely<Database>): TokenCache<T> {
  const entries = new Map<string, CachedToken<T>>();
  const stats = { hits: 0, misses: 0, stale: 0 };
  // Built and compiled once (it runs on every authenticated request); each call binds its organization.
  type Fresh = { auth_version: number | string | null; settings_version: number | null };
  const freshQuery = sql<Fresh>`
    select (select version from auth_state where id = 1) as auth_version,
           (select settings_version from organizations where id = ${0}) as settings_version`.compile(db);
  return {
    stats,
    get(hash) {
      const e = entries.get(hash);
      if (!e) stats.misses++;
      return e;
    },
    set(hash, version, value) {
      if (version === null || version === undefined) return;
      entries.delete(hash);
      entries.set(hash, { version: Number(version), value });
      if (entries.size > MAX_TOKENS) entries.delete(entries.keys().next().value as string);
    },
    async fresh(entry, orgId) {
      const { rows } = await db.executeQuery<Fresh>({ ...freshQuery, parameters: [orgId] });
      const r = rows[0];
      if (!r || r.settings_version === null || r.auth_version === null) return false;
      noteOrgVersion(db, orgId, r.settings_version);
      if (Number(r.auth_version) !== entry.version) {
        stats.stale++;
        return false;
      }
      stats.hits++;
      return true;
    },
  };
}

/** The subquery the full lookups select beside their rows (the version they were read at). */
export const authVersionColumn = sql<
  number | string | null
>`(select version from auth_state where id = 1)`.as('auth_version');
