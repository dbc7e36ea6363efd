import type { CompiledQuery, DatabaseConnection, Dialect, Driver, Kysely } from 'kysely';
import type { Database } from './schema.js';
import { openTransactionState, withDriver } from './unit-of-work.js';

/**
 * Per-organization cache of the settings read on every request or lead create (docs/decisions.md, "Settings
 * cache"): statuses, sub-statuses, reasons, custom field definitions, the time zone, the duplicate setting,
 * assignment rules, enabled webhook endpoints and the scoring model.
 *
 * Invalidation across processes: `organizations.settings_version` is bumped by database triggers (migration
 * 0190) in the same transaction as any write to those tables or columns, whoever writes. Every authenticated
 * request reads the version in its auth query (no extra query) and notes it here; an entry cached under another
 * version is never used. Outside a request (jobs), a version noted more than FRESH_MS ago is read again (one
 * small query) before the cache is trusted.
 *
 * Inside a transaction: a write to a settings table is seen at the driver (`watchSettingsWrites`); from then on
 * the transaction reads around the cache (it sees its own writes, and nothing uncommitted is ever cached), and
 * the process's entries are dropped.
 */

/** A version noted longer ago than this is checked with one query before the cache is used (jobs, no request). */
const FRESH_MS = 2_000;
/** Organizations kept per process; past this the least recently filled entry is dropped. */
const MAX_ORGS = 2_000;

/** The tables and organization columns whose writes change what the cache holds (the triggers of 0190). */
export const SETTINGS_TABLES = [
  'statuses',
  'sub_statuses',
  'reasons',
  'custom_field_defs',
  'assignment_rules',
  'webhook_endpoints',
  'scoring_models',
] as const;
export const SETTINGS_ORG_COLUMNS = [
  'time_zone',
  'duplicate_check',
  'duplicate_on_create',
  'duplicate_refuse_score',
] as const;

const WRITE = new RegExp(
  `^\\s*(?:with\\b[\\s\\S]*?\\)\\s*)?(?:insert\\s+into|update|delete\\s+from)\\s+"?(?:${SETTINGS_TABLES.join('|')})"?[\\s(]`,
  'i',
);
// An organization's own settings columns (a new organization, or its reason counter, change nothing cached).
const ORG_WRITE = new RegExp(
  `^\\s*update\\s+"?organizations"?\\s+set\\b[\\s\\S]*\\b(?:${SETTINGS_ORG_COLUMNS.join('|')})\\b`,
  'i',
);

interface Entry {
  version: number;
  values: Map<string, unknown>;
}

export interface OrgCache {
  /** A version read from the database (the auth query), committed. */
  note(orgId: number, version: number): void;
  /** Cached read of `name` for the organization; `load` runs on a miss, on `q`. */
  read<T>(q: Kysely<Database>, orgId: number, name: string, load: () => Promise<T>): Promise<T>;
  /** Drops every entry (a settings write was seen). */
  clear(): void;
  /** Hits and misses since start (tests and benchmarks read them). */
  readonly stats: { hits: number; misses: number; bypasses: number };
}

export function createOrgCache(): OrgCache {
  const seen = new Map<number, { version: number; at: number }>();
  const entries = new Map<number, Entry>();
  const stats = { hits: 0, misses: 0, bypasses: 0 };

  const note = (orgId: number, version: number) => {
    const prev = seen.get(orgId);
    if (!prev || version >= prev.version) seen.set(orgId, { version, at: Date.now() });
    else prev.at = Date.now();
  };
  const dirty = () => openTransactionState()?.settingsWritten === true;

  return {
    note,
    stats,
    clear() {
      entries.clear();
    },
    async read<T>(q: Kysely<Database>, orgId: number, name: string, load: () => Promise<T>): Promise<T> {
      if (dirty()) {
        stats.bypasses++;
        return load();
      }
      let s = seen.get(orgId);
      if (!s || Date.now() - s.at > FRESH_MS) {
        const row = await q
          .selectFrom('organizations')
          .select('settings_version')
          .where('id', '=', orgId)
          .executeTakeFirst();
        if (!row) return load();
        note(orgId, Number(row.settings_version));
        s = seen.get(orgId)!;
      }
      let entry = entries.get(orgId);
      if (!entry || entry.version !== s.version) {
        entry = { version: s.version, values: new Map() };
        entries.delete(orgId);
        entries.set(orgId, entry);
        if (entries.size > MAX_ORGS) entries.delete(entries.keys().next().value as number);
      }
      if (entry.values.has(name)) {
        stats.hits++;
        return copy(entry.values.get(name) as T);
      }
      stats.misses++;
      // Read after the version was noted: what is loaded is at least that version (never older than its label).
      const value = await load();
      if (entries.get(orgId) === entry && seen.get(orgId)?.version === entry.version && !dirty())
        entry.values.set(name, value);
      return copy(value);
    },
  };
}

/** Arrays are handed out as copies (a caller may sort or filter in place); rows are shared, never written. */
function copy<T>(v: T): T {
  return (Array.isArray(v) ? [...v] : v) as T;
}

// The cache of a database, found from its Kysely instance or any transaction of it (they share the adapter).
const caches = new WeakMap<object, OrgCache>();

export function attachOrgCache(db: Kysely<Database>, cache: OrgCache): void {
  caches.set(db.getExecutor().adapter, cache);
}
export function orgCacheOf(q: Kysely<Database>): OrgCache | undefined {
  return caches.get(q.getExecutor().adapter);
}

/** A cached read through the database's cache (or a plain read when it has none). */
export function cachedOrgRead<T>(
  q: Kysely<Database>,
  orgId: number,
  name: string,
  load: () => Promise<T>,
): Promise<T> {
  const cache = orgCacheOf(q);
  return cache ? cache.read(q, orgId, name, load) : load();
}

/** Notes a committed settings version read by some query (the auth queries). */
export function noteOrgVersion(q: Kysely<Database>, orgId: number, version: number | null | undefined) {
  if (version === null || version === undefined) return;
  orgCacheOf(q)?.note(orgId, Number(version));
}

/**
 * Sees every write to a settings table at the driver: inside a unit of work the transaction is marked (it reads
 * around the cache from then on); in every case the process's entries are dropped (again when the transaction
 * ends, see unit-of-work.ts).
 */
export function watchSettingsWrites(dialect: Dialect, cache: OrgCache): Dialect {
  const onQuery = (q: CompiledQuery) => {
    if (!WRITE.test(q.sql) && !ORG_WRITE.test(q.sql)) return;
    const state = openTransactionState();
    if (state) {
      state.settingsWritten = true;
      state.onEnd = () => cache.clear();
    }
    cache.clear();
  };
  const wrapConnection = (c: DatabaseConnection): DatabaseConnection => {
    const known = wrapped.get(c);
    if (known) return known;
    const w: DatabaseConnection = {
      executeQuery(q) {
        onQuery(q);
        return c.executeQuery(q);
      },
      streamQuery(q, chunkSize) {
        onQuery(q);
        return c.streamQuery(q, chunkSize);
      },
    };
    wrapped.set(c, w);
    originals.set(w, c);
    return w;
  };
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const orig = (c: DatabaseConnection) => originals.get(c) ?? c;
  return withDriver(dialect, (driver: Driver): Driver => {
    const d: Driver = {
      init: () => driver.init(),
      acquireConnection: async () => wrapConnection(await driver.acquireConnection()),
      beginTransaction: (c, s) => driver.beginTransaction(orig(c), s),
      commitTransaction: (c) => driver.commitTransaction(orig(c)),
      rollbackTransaction: (c) => driver.rollbackTransaction(orig(c)),
      releaseConnection: (c) => driver.releaseConnection(orig(c)),
      destroy: () => driver.destroy(),
    };
    if (driver.savepoint) d.savepoint = (c, n, cq) => driver.savepoint!(orig(c), n, cq);
    if (driver.rollbackToSavepoint)
      d.rollbackToSavepoint = (c, n, cq) => driver.rollbackToSavepoint!(orig(c), n, cq);
    if (driver.releaseSavepoint) d.releaseSavepoint = (c, n, cq) => driver.releaseSavepoint!(orig(c), n, cq);
    return d;
  });
}
