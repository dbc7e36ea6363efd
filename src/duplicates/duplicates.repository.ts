import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { MatchLead, MatchReason } from './match.js';
import { cachedOrgRead } from '../db/org-cache.js';
import { precompiled } from '../db/precompiled.js';

type Q = Kysely<Database>;
const CHUNK = 400;

function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export interface PairRow {
  lead_a: number;
  lead_b: number;
  score: number;
  reasons: MatchReason[];
  status: 'open' | 'dismissed';
}

/** A lead's row as matching reads it: its own email and phones, before the contact points are added. */
type MatchRow = Omit<MatchLead, 'emails' | 'phones'> & {
  email: string | null;
  phone: string | null;
  mobile: string | null;
};

function toMatchLead(r: MatchRow): MatchLead {
  return {
    id: Number(r.id),
    first_name: r.first_name,
    last_name: r.last_name,
    company_name: r.company_name,
    external_id: r.external_id,
    country: r.country,
    emails: r.email ? [r.email] : [],
    phones: [r.phone, r.mobile].filter((p): p is string => !!p),
  };
}

/** A lead's further emails and phones (contact points), each once. */
function addPoints(
  leads: Map<number, MatchLead>,
  points: Array<{ lead_id: number; kind: string; value: string }>,
) {
  for (const p of points) {
    const m = leads.get(Number(p.lead_id));
    if (!m) continue;
    const list = p.kind === 'email' ? m.emails : m.phones;
    if (!list.includes(p.value)) list.push(p.value);
  }
}

/** The contact points (further emails and phones) of these leads, each lead looked up by the index on its id. */
async function pointsOf(q: Q, orgId: number, ids: number[]) {
  const out: Array<{ lead_id: number; kind: string; value: string }> = [];
  const pg = isPostgres(q);
  for (const part of chunks(ids, 2000)) {
    const from = pg
      ? sql`unnest(${part}::int[]) AS i(id) JOIN lead_contact_points p ON p.lead_id = i.id`
      : sql`json_each(${JSON.stringify(part)}) AS i CROSS JOIN lead_contact_points p ON p.lead_id = i.value`;
    const r = await sql<{ lead_id: number; kind: string; value: string }>`SELECT p.lead_id, p.kind, p.value
      FROM ${from} WHERE p.org_id = ${orgId} ORDER BY p.id`.execute(q);
    out.push(...r.rows);
  }
  return out;
}

/** All SQL of duplicate detection; every function takes the organization first and filters by it. */
export function createDuplicateRepository() {
  // Every lead response counts its open pairs: built once per number of ids (src/db/precompiled.ts). Pairs with
  // a deleted or merged lead do not count (they come back if it is restored). One branch per side of the pair,
  // each on its own index (the primary key's (org_id, lead_a), duplicate_pairs_org_b_idx's (org_id, lead_b)):
  // with `lead_a IN (...) OR lead_b IN (...)` and the status in the WHERE, SQLite walked every open pair of the
  // organization through duplicate_pairs_org_status_idx on every lead response (5.8 ms of a create's SQL when
  // the organization had up to 9,900 open pairs, docs/performance.md). The status is read, not filtered on, so
  // that no plan can prefer the status index again (a lead has few pairs). Both leads of a pair are checked by
  // EXISTS on their primary key, not joined: with joins, once `PRAGMA optimize` had analyzed a grown
  // duplicate_pairs, SQLite read the other side's leads first, every live lead of the organization through
  // leads_org_report_idx (150-250 ms per lead response at 80,000 leads, docs/performance.md, "Writers across
  // workers"); a correlated EXISTS is looked up per pair whatever the statistics say.
  const live = (q: Q, alias: 'a' | 'b', side: 'lead_a' | 'lead_b') =>
    q
      .selectFrom(`leads as ${alias}`)
      .select(sql.lit(1).as('one'))
      .where(`${alias}.id`, '=', sql.ref<number>(`p.${side}`))
      .where(`${alias}.org_id`, '=', sql.ref<number>('p.org_id'))
      .where(`${alias}.deleted_at`, 'is', null)
      .where(`${alias}.merged_into_id`, 'is', null);
  const pairSide = (q: Q, orgId: number, ids: readonly number[], side: 'lead_a' | 'lead_b') =>
    q
      .selectFrom('duplicate_pairs as p')
      .select([sql.ref<number>(`p.${side}`).as('id'), 'p.status'])
      .where('p.org_id', '=', orgId)
      .where(`p.${side}`, 'in', ids)
      .where(({ exists }) => exists(live(q, 'a', 'lead_a')))
      .where(({ exists }) => exists(live(q, 'b', 'lead_b')));
  const pairsOf = precompiled((q, orgId: number, ids: readonly number[]) =>
    pairSide(q, orgId, ids, 'lead_a').unionAll(pairSide(q, orgId, ids, 'lead_b')),
  );
  return {
    /** How many leads are filed under each of these keys (keys under no lead are absent). */
    /**
     * How many leads each key is filed under, counted up to `cap` (the caller only asks "more than the stop
     * limit?"). Capped per key, so a key shared by most of a large organization ("n:ada|lov" after an import of a
     * million rows) costs `cap` index entries, not all of them, in every batch that meets it again.
     */
    async keyCounts(q: Q, orgId: number, keys: string[], cap: number): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      const pg = isPostgres(q);
      // PostgreSQL: one statement for an import batch's ~1,700 keys instead of five round trips of 400.
      for (const part of chunks(keys, pg ? 10_000 : CHUNK)) {
        const list = pg
          ? sql`unnest(${part}::text[]) AS k(key)`
          : sql`(SELECT value AS key FROM json_each(${JSON.stringify(part)})) AS k`;
        const r = await sql<{ key: string; n: number | string }>`SELECT k.key AS key,
            (SELECT count(*) FROM (SELECT 1 FROM lead_dup_keys d WHERE d.org_id = ${orgId} AND d.key = k.key
              LIMIT ${cap}) s) AS n
          FROM ${list}`.execute(q);
        for (const row of r.rows) if (Number(row.n) > 0) out.set(row.key, Number(row.n));
      }
      return out;
    },

    /** Lead ids of the organization after `after`, in id order (the backfill's cursor). */
    async leadIdsAfter(q: Q, orgId: number, after: number, limit: number): Promise<number[]> {
      const rows = await q
        .selectFrom('leads')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
    /**
     * What matching reads of these leads (live or not: the caller decides), with every email and phone. The ids
     * drive the read (one parameter: a JSON array on SQLite, an array on PostgreSQL), each looked up by its
     * primary key: on SQLite `CROSS JOIN` keeps the id list the outer loop whatever the planner's statistics
     * say. `WHERE org_id = ? AND id IN (...)` let SQLite walk the organization through an org-first index when
     * its statistics, sampled under `analysis_limit` by the importer, said `org_id` picks ~1,000 rows: 62% of
     * the server's CPU in a 300,000-row import (docs/decisions.md, "Import speed, third pass").
     */
    async matchLeads(q: Q, orgId: number, ids: number[]): Promise<MatchLead[]> {
      if (ids.length === 0) return [];
      const out = new Map<number, MatchLead>();
      const pg = isPostgres(q);
      for (const part of chunks(ids, 2000)) {
        const from = pg
          ? sql`unnest(${part}::int[]) AS i(id) JOIN leads l ON l.id = i.id`
          : sql`json_each(${JSON.stringify(part)}) AS i CROSS JOIN leads l ON l.id = i.value`;
        const rows =
          await sql<MatchRow>`SELECT l.id, l.first_name, l.last_name, l.company_name, l.external_id,
              l.country, l.email, l.phone, l.mobile
            FROM ${from} WHERE l.org_id = ${orgId}`.execute(q);
        for (const r of rows.rows) out.set(Number(r.id), toMatchLead(r));
        addPoints(out, await pointsOf(q, orgId, part));
      }
      return ids.flatMap((id) => (out.has(id) ? [out.get(id)!] : []));
    },

    async keysOf(q: Q, orgId: number, leadId: number): Promise<string[]> {
      const rows = await q
        .selectFrom('lead_dup_keys')
        .select('key')
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .execute();
      return rows.map((r) => r.key);
    },

    async deleteKeys(q: Q, orgId: number, leadIds: number[]): Promise<void> {
      for (const part of chunks(leadIds))
        await q
          .deleteFrom('lead_dup_keys')
          .where('org_id', '=', orgId)
          .where('lead_id', 'in', part)
          .execute();
    },

    async insertKeys(q: Q, rows: Array<{ org_id: number; lead_id: number; key: string }>): Promise<void> {
      // PostgreSQL: three arrays, one statement per 10,000 keys (an import batch files ~3,500: twelve 300-row
      // INSERTs before, each a round trip and a query built value by value; docs/decisions.md, "Import speed,
      // fourth pass"). SQLite runs in-process: 300-row multi-row INSERTs.
      if (isPostgres(q)) {
        for (const part of chunks(rows, 10_000))
          if (part.length)
            await sql`INSERT INTO lead_dup_keys (org_id, lead_id, key)
              SELECT * FROM unnest(${part.map((r) => r.org_id)}::int[], ${part.map((r) => r.lead_id)}::int[],
                ${part.map((r) => r.key)}::text[])`.execute(q);
        return;
      }
      for (const part of chunks(rows, 300))
        if (part.length) await q.insertInto('lead_dup_keys').values(part).execute();
    },

    /** Live, unmerged leads filed under any of `keys` (an index lookup), with the keys each shares. */
    async leadsByKeys(q: Q, orgId: number, keys: string[], limit = 500): Promise<Map<number, string[]>> {
      const out = new Map<number, string[]>();
      for (const part of chunks(keys)) {
        const rows = await q
          .selectFrom('lead_dup_keys as k')
          .innerJoin('leads as l', (j) =>
            j.onRef('l.id', '=', 'k.lead_id').onRef('l.org_id', '=', 'k.org_id'),
          )
          .select(['k.lead_id', 'k.key'])
          .where('k.org_id', '=', orgId)
          .where('k.key', 'in', part)
          .where('l.deleted_at', 'is', null)
          .where('l.merged_into_id', 'is', null)
          .limit(limit)
          .execute();
        for (const r of rows) out.set(r.lead_id, [...(out.get(r.lead_id) ?? []), r.key]);
      }
      return out;
    },

    /**
     * The live, unmerged leads filed under any of `keys`, each with the keys it shares and (unless in `known`,
     * leads the caller has already read) what matching reads of it: one join of `lead_dup_keys` with `leads` and
     * one of their contact points per 2,000 keys, instead of a key lookup and then a read of every candidate by
     * id. The keys are one parameter (a JSON array on SQLite, an array on PostgreSQL).
     */
    async candidatesByKeys(
      q: Q,
      orgId: number,
      keys: string[],
      known: ReadonlySet<number>,
    ): Promise<{ keysOf: Map<number, string[]>; leads: Map<number, MatchLead> }> {
      const keysOf = new Map<number, string[]>();
      const leads = new Map<number, MatchLead>();
      const pg = isPostgres(q);
      for (const part of chunks(keys, 2000)) {
        // SQLite: CROSS JOIN fixes the order (keys, then their index entries, then each lead by its rowid).
        const from = pg
          ? sql`unnest(${part}::text[]) AS j(key) JOIN lead_dup_keys k ON k.key = j.key
              JOIN leads l ON l.id = k.lead_id`
          : sql`json_each(${JSON.stringify(part)}) AS j CROSS JOIN lead_dup_keys k ON k.key = j.value
              CROSS JOIN leads l ON l.id = k.lead_id`;
        const r = await sql<MatchRow & { key: string }>`SELECT k.key, l.id, l.first_name, l.last_name,
              l.company_name, l.external_id, l.country, l.email, l.phone, l.mobile
            FROM ${from}
            WHERE k.org_id = ${orgId} AND l.org_id = ${orgId} AND l.deleted_at IS NULL
              AND l.merged_into_id IS NULL`.execute(q);
        const fresh = new Map<number, MatchLead>();
        for (const row of r.rows) {
          const id = Number(row.id);
          const list = keysOf.get(id);
          if (list) list.push(row.key);
          else keysOf.set(id, [row.key]);
          if (!known.has(id) && !leads.has(id) && !fresh.has(id)) fresh.set(id, toMatchLead(row));
        }
        if (fresh.size) addPoints(fresh, await pointsOf(q, orgId, [...fresh.keys()]));
        for (const [id, l] of fresh) leads.set(id, l);
      }
      return { keysOf, leads };
    },

    /**
     * Every pair row of these leads (open and dismissed), each once. One branch per side of the pair, each on its
     * own index (the primary key's (org_id, lead_a), duplicate_pairs_org_b_idx's (org_id, lead_b)), as for the
     * open-pair count above: with `lead_a IN (...) OR lead_b IN (...)` SQLite's plan depended on its statistics,
     * and without any for duplicate_pairs (a database no import has analyzed) it scanned the whole table, every
     * organization's pairs, on every PATCH (the refresh of an updated lead reads its dismissed pairs).
     */
    async pairsOf(q: Q, orgId: number, leadIds: number[]): Promise<PairRow[]> {
      if (leadIds.length === 0) return [];
      const out: PairRow[] = [];
      const side = (part: number[], s: 'lead_a' | 'lead_b') =>
        q
          .selectFrom('duplicate_pairs')
          .select(['lead_a', 'lead_b', 'score', 'reasons', 'status'])
          .where('org_id', '=', orgId)
          .where(s, 'in', part);
      for (const part of chunks(leadIds)) {
        const rows = await side(part, 'lead_a').unionAll(side(part, 'lead_b')).execute();
        for (const r of rows) out.push({ ...r, reasons: JSON.parse(r.reasons) as MatchReason[] });
      }
      // A pair between two of these leads comes once per side.
      const seen = new Set<string>();
      return out.filter((p) => {
        const k = `${p.lead_a}-${p.lead_b}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },

    /**
     * Drops the open pairs of these leads (dismissed ones stay: "not a duplicate" is remembered): one DELETE per
     * side of the pair, each served by an index (see pairsOf; the OR of both sides had the same plan problem).
     */
    async deleteOpenPairs(q: Q, orgId: number, leadIds: number[]): Promise<void> {
      for (const part of chunks(leadIds))
        for (const s of ['lead_a', 'lead_b'] as const)
          await q
            .deleteFrom('duplicate_pairs')
            .where('org_id', '=', orgId)
            .where('status', '=', 'open')
            .where(s, 'in', part)
            .execute();
    },

    async insertPairs(
      q: Q,
      orgId: number,
      pairs: Array<{ a: number; b: number; score: number; reasons: MatchReason[] }>,
      now: string,
    ): Promise<void> {
      const rows = pairs.map((p) => ({
        org_id: orgId,
        lead_a: Math.min(p.a, p.b),
        lead_b: Math.max(p.a, p.b),
        score: Math.round(p.score * 1000),
        reasons: JSON.stringify(p.reasons),
        status: 'open' as const,
        created_at: now,
        updated_at: now,
        dismissed_by: null,
      }));
      // PostgreSQL: four arrays, one statement per 10,000 pairs. A 300,000-row import of the bench file stores
      // 1.35 million pairs (23 a batch at the end); 200-row INSERTs built value by value took 7 ms each, 49 s of
      // that import's 303 s of statements (docs/decisions.md, "Import speed, PostgreSQL, session 10").
      if (isPostgres(q)) {
        for (const part of chunks(rows, 10_000))
          if (part.length)
            await sql`INSERT INTO duplicate_pairs (org_id, lead_a, lead_b, score, reasons, status, created_at,
                updated_at)
              SELECT ${orgId}::int, t.a, t.b, t.s, t.r, 'open', ${now}::text, ${now}::text
              FROM unnest(${part.map((r) => r.lead_a)}::int[], ${part.map((r) => r.lead_b)}::int[],
                ${part.map((r) => r.score)}::int[], ${part.map((r) => r.reasons)}::text[]) AS t(a, b, s, r)`.execute(
              q,
            );
        return;
      }
      for (const part of chunks(rows, 200))
        if (part.length) await q.insertInto('duplicate_pairs').values(part).execute();
    },

    /** Marks a pair "not a duplicate" (creates the row when the pair was not flagged). */
    async dismiss(
      q: Q,
      orgId: number,
      a: number,
      b: number,
      score: number,
      reasons: MatchReason[],
      userId: number | null,
      now: string,
    ): Promise<void> {
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      await q
        .deleteFrom('duplicate_pairs')
        .where('org_id', '=', orgId)
        .where('lead_a', '=', lo)
        .where('lead_b', '=', hi)
        .execute();
      await q
        .insertInto('duplicate_pairs')
        .values({
          org_id: orgId,
          lead_a: lo,
          lead_b: hi,
          score: Math.round(score * 1000),
          reasons: JSON.stringify(reasons),
          status: 'dismissed',
          created_at: now,
          updated_at: now,
          dismissed_by: userId,
        })
        .execute();
    },

    /** The organization's open pairs between live, unmerged leads. */
    async openPairs(q: Q, orgId: number): Promise<PairRow[]> {
      const rows = await q
        .selectFrom('duplicate_pairs as p')
        .innerJoin('leads as a', (j) => j.onRef('a.id', '=', 'p.lead_a').onRef('a.org_id', '=', 'p.org_id'))
        .innerJoin('leads as b', (j) => j.onRef('b.id', '=', 'p.lead_b').onRef('b.org_id', '=', 'p.org_id'))
        .select(['p.lead_a', 'p.lead_b', 'p.score', 'p.reasons', 'p.status'])
        .where('p.org_id', '=', orgId)
        .where('p.status', '=', 'open')
        .where('a.deleted_at', 'is', null)
        .where('b.deleted_at', 'is', null)
        .where('a.merged_into_id', 'is', null)
        .where('b.merged_into_id', 'is', null)
        .execute();
      return rows.map((r) => ({ ...r, reasons: JSON.parse(r.reasons) as MatchReason[] }));
    },

    /** Open pairs per lead, for the `possible_duplicates` count of a page of leads. */
    async openCounts(q: Q, orgId: number, leadIds: number[]): Promise<Map<number, number>> {
      const out = new Map<number, number>();
      if (leadIds.length === 0) return out;
      for (const part of chunks(leadIds)) {
        // Each row is a pair seen from one of these leads (a pair between two of them comes once per side).
        for (const r of await pairsOf(q, orgId, part))
          if (r.status === 'open') out.set(r.id, (out.get(r.id) ?? 0) + 1);
      }
      return out;
    },

    /** Summaries of leads for candidate and group answers. */
    async summaries(q: Q, orgId: number, ids: number[]) {
      if (ids.length === 0) return [];
      const out = [];
      for (const part of chunks(ids))
        out.push(
          ...(await q
            .selectFrom('leads')
            .select([
              'id',
              'first_name',
              'last_name',
              'company_name',
              'email',
              'phone',
              'owner_id',
              'created_at',
              'updated_at',
            ])
            .where('org_id', '=', orgId)
            .where('id', 'in', part)
            .execute()),
        );
      return out;
    },

    async settings(q: Q, orgId: number) {
      return cachedOrgRead(q, orgId, 'duplicate_setting', () =>
        q
          .selectFrom('organizations')
          .select(['duplicate_check', 'duplicate_on_create', 'duplicate_refuse_score'])
          .where('id', '=', orgId)
          .executeTakeFirstOrThrow(),
      );
    },
  };
}
export type DuplicateRepository = ReturnType<typeof createDuplicateRepository>;
