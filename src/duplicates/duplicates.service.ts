import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, fieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { Policy } from '../access/policy.js';
import type { LeadRow } from '../leads/lead.repository.js';
import type { LeadPart } from '../leads/lead-parts.js';
import type { DuplicateRepository, PairRow } from './duplicates.repository.js';
import { blockingKeys, FLAG_SCORE, mayFlag, scorePair, type MatchLead, type MatchReason } from './match.js';

/** Candidates under this score are not worth showing. */
const SHOW_SCORE = 0.5;
const REASON_FIELD: Record<MatchReason, string> = {
  email: 'email',
  phone: 'phone',
  external_id: 'external_id',
  name: 'last_name',
  company: 'company_name',
};

export interface DuplicateDetectionDeps {
  db: Kysely<Database>;
  repo: DuplicateRepository;
  policy: Pick<Policy, 'hiddenLeads'>;
  /** 404 unless the caller may read (or write) this live lead. */
  guard: (auth: AuthContext, id: number, mode: 'read' | 'write', opts?: TxOptions) => Promise<void>;
}

export interface Candidate {
  lead_id: number;
  score: number;
  reasons: MatchReason[];
  dismissed: boolean;
}

/**
 * Duplicate detection: blocking keys and scored pairs kept in step with every lead write (a lead part, so the
 * lead service runs it in the write's transaction from every surface and from imports), candidates of one lead,
 * the organization's open groups, and "not a duplicate".
 */
/** Past this many leads a blocking key is too common to look candidates up by (see usableKeyCounts). */
export const STOP_KEY_LEADS = 100;

/**
 * The key index entries (leads filed under the keys) the refresh reads at once: an import batch's leads are
 * scored a chunk at a time, each chunk's candidates read, scored and dropped before the next. Reading the whole
 * batch's at once held them all, with their keys and the driver's rows: on the cycling bench file a key is shared
 * by up to STOP_KEY_LEADS leads, so a 500-row batch read ~50,000 candidates at 1M rows (~15,000 at 300k), and the
 * heap one batch needed grew with the file (docs/decisions.md, "Import memory, session 11").
 */
export const CANDIDATE_CHUNK = 5_000;

export function createDuplicateDetection({ db, repo, policy, guard }: DuplicateDetectionDeps) {
  /**
   * The keys worth looking candidates up by: a key that more than STOP_KEY_LEADS leads share ("Smith J", a
   * company switchboard, info@) is too common to block on, as in any blocking scheme; without this, a file of
   * 12,000 "Batch" people compared every new lead with every earlier one (quadratic). The lead's other keys
   * still find its duplicates. Each usable key comes with how many leads it is filed under (the refresh sizes
   * its chunks by them).
   */
  async function usableKeyCounts(
    trx: Kysely<Database>,
    orgId: number,
    keys: string[],
  ): Promise<Map<string, number>> {
    const usable = new Map<string, number>();
    if (keys.length === 0) return usable;
    const counts = await repo.keyCounts(trx, orgId, keys, STOP_KEY_LEADS + 1);
    for (const k of keys) {
      const n = counts.get(k) ?? 0;
      if (n <= STOP_KEY_LEADS) usable.set(k, n);
    }
    return usable;
  }

  /** Scores `lead` against every live lead sharing a key with it. */
  async function score(trx: Kysely<Database>, orgId: number, lead: MatchLead): Promise<Candidate[]> {
    const keys = [...(await usableKeyCounts(trx, orgId, blockingKeys(lead))).keys()];
    if (keys.length === 0) return [];
    const byKey = await repo.leadsByKeys(trx, orgId, keys);
    byKey.delete(lead.id);
    const others = await repo.matchLeads(trx, orgId, [...byKey.keys()]);
    const dismissed = new Set(
      (await repo.pairsOf(trx, orgId, [lead.id]))
        .filter((p) => p.status === 'dismissed')
        .map((p) => (p.lead_a === lead.id ? p.lead_b : p.lead_a)),
    );
    return others
      .map((o) => ({ lead_id: o.id, ...scorePair(lead, o), dismissed: dismissed.has(o.id) }))
      .filter((c) => c.score >= SHOW_SCORE)
      .sort((x, y) => y.score - x.score || x.lead_id - y.lead_id);
  }

  /**
   * Files the leads under their keys again and recomputes their open pairs, in the write's transaction. Batched
   * for imports: one key insert and one count of the keys per batch, then the candidates read and scored a chunk
   * of the leads at a time (see CANDIDATE_CHUNK), whatever the batch size.
   */
  async function refresh(
    trx: Kysely<Database>,
    orgId: number,
    rows: LeadRow[],
    created = false,
  ): Promise<void> {
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    // Leads created in this same write have no keys or pairs yet: nothing to delete, no dismissed pair to keep.
    if (!created) {
      await repo.deleteKeys(trx, orgId, ids);
      await repo.deleteOpenPairs(trx, orgId, ids);
    }
    const live = rows.filter((r) => !r.deleted_at && !r.merged_into_id).map((r) => r.id);
    const dismissed = new Set(
      (created ? [] : await repo.pairsOf(trx, orgId, live))
        .filter((p) => p.status === 'dismissed')
        .map((p) => `${p.lead_a}-${p.lead_b}`),
    );
    const leads = await repo.matchLeads(trx, orgId, live);
    const keysOf = new Map(leads.map((l) => [l.id, blockingKeys(l)]));
    await repo.insertKeys(
      trx,
      leads.flatMap((l) => keysOf.get(l.id)!.map((key) => ({ org_id: orgId, lead_id: l.id, key }))),
    );
    // The usable keys and how many leads each is filed under (the batch's own leads included).
    const counts = await usableKeyCounts(trx, orgId, [...new Set([...keysOf.values()].flat())]);
    for (const [id, keys] of keysOf)
      keysOf.set(
        id,
        keys.filter((k) => counts.has(k)),
      );
    // The batch's own leads are candidates too (duplicates within an import); `order` says which of two of them
    // comes first: a pair of two is scored once, from the earlier one's side, as one pass over the batch did.
    const own = new Map(leads.map((l) => [l.id, l]));
    const ownIds = new Set(own.keys());
    const order = new Map(leads.map((l, i) => [l.id, i]));
    // The pairs found, inserted at the end as before (they are what the batch writes, not what it reads).
    const found: Array<{ a: number; b: number; score: number; reasons: MatchReason[] }> = [];
    let from = 0;
    while (from < leads.length) {
      // A chunk of leads whose keys are filed under at most CANDIDATE_CHUNK leads in all (at least one lead).
      let to = from;
      let entries = 0;
      do {
        entries += keysOf.get(leads[to].id)!.reduce((n, k) => n + (counts.get(k) ?? 0), 0);
        to++;
      } while (to < leads.length && entries < CANDIDATE_CHUNK);
      const chunk = leads.slice(from, to);
      from = to;
      const chunkKeys = [...new Set(chunk.flatMap((l) => keysOf.get(l.id)!))];
      // Key -> the live leads filed under it, and the other candidates as matching reads them, in one
      // set-based read (the batch's own leads were read above).
      const cand = await repo.candidatesByKeys(trx, orgId, chunkKeys, ownIds);
      const byKey = new Map<string, number[]>();
      for (const [id, keys] of cand.keysOf)
        for (const k of keys) {
          const list = byKey.get(k);
          if (list) list.push(id);
          else byKey.set(k, [id]);
        }
      for (const lead of chunk) {
        const at = order.get(lead.id)!;
        const candidates = new Set(keysOf.get(lead.id)!.flatMap((k) => byKey.get(k) ?? []));
        candidates.delete(lead.id);
        for (const id of candidates) {
          const before = order.get(id);
          // A pair with an earlier lead of the batch was scored from that lead's side.
          if (before !== undefined && before < at) continue;
          const pair = `${Math.min(lead.id, id)}-${Math.max(lead.id, id)}`;
          const other = own.get(id) ?? cand.leads.get(id);
          // Only pairs at FLAG_SCORE or above are stored: mayFlag drops most others before their phones are
          // parsed.
          if (!other || dismissed.has(pair) || !mayFlag(lead, other)) continue;
          const r = scorePair(lead, other);
          if (r.score >= FLAG_SCORE) found.push({ a: lead.id, b: id, ...r });
        }
      }
    }
    await repo.insertPairs(trx, orgId, found, nowIso());
  }

  /** The refusal of a new lead that is a likely duplicate, when the organization asks for it. */
  async function refuseIfDuplicate(trx: Kysely<Database>, auth: AuthContext, row: LeadRow): Promise<void> {
    const s = await repo.settings(trx, auth.orgId);
    if (s.duplicate_on_create !== 'refuse') return;
    const [lead] = await repo.matchLeads(trx, auth.orgId, [row.id]);
    if (!lead) return;
    const best = (await score(trx, auth.orgId, lead)).find(
      (c) => !c.dismissed && c.score * 100 >= s.duplicate_refuse_score,
    );
    if (!best) return;
    const hidden = (await policy.hiddenLeads(auth, [best.lead_id], trx)).length > 0;
    const which = hidden ? 'a lead you cannot see' : `lead ${best.lead_id}`;
    throw new AppError(
      'conflict',
      `This lead duplicates ${which} (score ${best.score}, matched on ${best.reasons.join(', ')}); the organization refuses duplicates (PUT /api/v1/organization/duplicate-check).`,
      best.reasons.map((r) => ({
        field: REASON_FIELD[r],
        message: hidden ? 'matches an existing lead' : `matches lead ${best.lead_id}`,
      })),
    );
  }

  const part: LeadPart = {
    async check() {},
    async write(trx, auth, lead, _input, created) {
      if (created) await refuseIfDuplicate(trx, auth, lead);
      else if (lead.merged_into_id)
        throw new AppError(
          'conflict',
          `Lead ${lead.id} was merged into lead ${lead.merged_into_id}; change that one.`,
        );
      return false;
    },
    afterWrite: (trx, orgId, lead, created) => refresh(trx, orgId, [lead], created === true),
    afterCreateMany: (trx, orgId, leads) => refresh(trx, orgId, leads, true),
    async describe(orgId, rows, trx) {
      const counts = await repo.openCounts(
        trx,
        orgId,
        rows.map((r) => r.id),
      );
      return new Map(
        rows.map((r) => [
          r.id,
          { merged_into_id: r.merged_into_id ?? null, possible_duplicates: counts.get(r.id) ?? 0 },
        ]),
      );
    },
  };

  /** Of these lead ids, the ones the caller sees. */
  async function visible(auth: AuthContext, ids: number[], trx: Kysely<Database>): Promise<Set<number>> {
    const hidden = new Set(await policy.hiddenLeads(auth, ids, trx));
    return new Set(ids.filter((id) => !hidden.has(id)));
  }

  /**
   * Files every lead of the organization under its keys, in batches of `batch` leads, one transaction each: the
   * leads written before duplicate detection existed (migration 0162 queues it once per organization). Refreshing
   * is idempotent, so a run cut short is simply run again. `rows` reads the leads' rows.
   */
  async function backfill(
    orgId: number,
    rows: (trx: Kysely<Database>, orgId: number, ids: number[]) => Promise<LeadRow[]>,
    opts: { batch?: number; signal?: AbortSignal } = {},
  ): Promise<number> {
    const batch = opts.batch ?? 500;
    let after = 0;
    let done = 0;
    for (;;) {
      if (opts.signal?.aborted) return done;
      const ids = await repo.leadIdsAfter(db, orgId, after, batch);
      if (ids.length === 0) return done;
      await inTransaction(db, {}, async (trx) => refresh(trx, orgId, await rows(trx, orgId, ids)));
      after = ids[ids.length - 1];
      done += ids.length;
    }
  }

  return {
    part,
    refresh,
    backfill,

    /** Scored candidates of one lead, with why they matched; only leads the caller sees. */
    async candidates(auth: AuthContext, id: number, opts: TxOptions = {}) {
      await guard(auth, id, 'read', opts);
      const q = runner(db, opts);
      const [lead] = await repo.matchLeads(q, auth.orgId, [id]);
      const all = await score(q, auth.orgId, lead);
      const ok = await visible(
        auth,
        all.map((c) => c.lead_id),
        q,
      );
      const shown = all.filter((c) => ok.has(c.lead_id));
      const leads = new Map(
        (
          await repo.summaries(
            q,
            auth.orgId,
            shown.map((c) => c.lead_id),
          )
        ).map((l) => [l.id, l]),
      );
      return shown.map((c) => ({ ...c, flagged: c.score >= FLAG_SCORE, lead: leads.get(c.lead_id)! }));
    },

    /**
     * The organization's open duplicate groups: the connected open pairs (kept up to date on every write, so
     * this reads the pairs, never the leads), ordered by their smallest lead id; keyset paging on that id.
     */
    async groups(auth: AuthContext, query: { limit?: number; cursor?: string }, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      const q = runner(db, opts);
      let pairs = await repo.openPairs(q, auth.orgId);
      const ids = [...new Set(pairs.flatMap((p) => [p.lead_a, p.lead_b]))];
      const ok = await visible(auth, ids, q);
      pairs = pairs.filter((p) => ok.has(p.lead_a) && ok.has(p.lead_b));
      const parent = new Map<number, number>();
      const find = (x: number): number => {
        let r = x;
        while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
        parent.set(x, r);
        return r;
      };
      for (const p of pairs) {
        const ra = find(p.lead_a);
        const rb = find(p.lead_b);
        if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
      }
      const groups = new Map<number, { ids: Set<number>; pairs: PairRow[] }>();
      for (const p of pairs) {
        const root = find(p.lead_a);
        const g = groups.get(root) ?? { ids: new Set<number>(), pairs: [] };
        g.ids.add(p.lead_a).add(p.lead_b);
        g.pairs.push(p);
        groups.set(root, g);
      }
      const after = query.cursor !== undefined ? Number(query.cursor) : 0;
      if (!Number.isInteger(after) || after < 0) throw fieldError('cursor', 'is not a cursor of this list');
      const limit = query.limit ?? 50;
      const ordered = [...groups.entries()]
        .map(([root, g]) => ({ id: Math.min(root, ...g.ids), ...g }))
        .filter((g) => g.id > after)
        .sort((x, y) => x.id - y.id);
      const page = ordered.slice(0, limit);
      const summaries = new Map(
        (
          await repo.summaries(
            q,
            auth.orgId,
            page.flatMap((g) => [...g.ids]),
          )
        ).map((l) => [l.id, l]),
      );
      return {
        data: page.map((g) => ({
          id: g.id,
          score: Math.max(...g.pairs.map((p) => p.score)) / 1000,
          leads: [...g.ids].sort((a, b) => a - b).map((id) => summaries.get(id)!),
          pairs: g.pairs.map((p) => ({
            lead_a: p.lead_a,
            lead_b: p.lead_b,
            score: p.score / 1000,
            reasons: p.reasons,
          })),
        })),
        next_cursor: ordered.length > limit ? String(page[page.length - 1].id) : null,
      };
    },

    /** "Not a duplicate": the pair leaves the groups and is never flagged again. */
    async dismiss(auth: AuthContext, leadIds: number[], opts: TxOptions = {}) {
      assertCan(auth, 'leads:write');
      const [a, b] = leadIds;
      if (a === b) throw fieldError('lead_ids[1]', 'must name another lead than lead_ids[0]');
      return inTransaction(db, opts, async (trx) => {
        await guard(auth, a, 'read', { tx: trx });
        await guard(auth, b, 'read', { tx: trx });
        const [la, lb] = await repo.matchLeads(trx, auth.orgId, [a, b]);
        const { score: s, reasons } = scorePair(la, lb);
        await repo.dismiss(trx, auth.orgId, a, b, s, reasons, auth.userId, nowIso());
        return {
          lead_a: Math.min(a, b),
          lead_b: Math.max(a, b),
          score: s,
          reasons,
          status: 'dismissed' as const,
        };
      });
    },
  };
}
export type DuplicateDetection = ReturnType<typeof createDuplicateDetection>;
