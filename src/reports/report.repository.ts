import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/database.js';
import type { LeadFilter, LeadRepository } from '../leads/lead.repository.js';

type Q = Kysely<Database>;
export type Period = 'day' | 'week' | 'month';

/** A half-open range [from, to) over ISO timestamps; either end may be open. */
export interface DateRange {
  from?: string;
  to?: string;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * Every report as one grouped query over the leads the caller may see. The leads are always narrowed by
 * `leads.scope` (the list's filters and agent visibility, src/leads/lead.repository.ts), never by a copy.
 */
export function createReportRepository(db: Q, dialect: Dialect, leads: LeadRepository) {
  const pg = dialect === 'postgres';
  /**
   * The ids of the leads an agent sees, from index lookups alone (no lead row is read): a UNION ALL of the leads
   * they own (unless `exceptOwned`), those their teams hold, and the two link tables. Read through
   * `leads.id IN (...)`, so a lead in two of them counts once. With `exceptOwned` the set may still hold leads the
   * agent owns (held by their team, shared with them): callers leave them out by the owner.
   */
  const visibleIds = (orgId: number, userId: number, exceptOwned = false) => {
    const myTeams = db
      .selectFrom('team_members')
      .select('team_members.team_id')
      .where('team_members.org_id', '=', orgId)
      .where('team_members.user_id', '=', userId);
    const teamLeads = db
      .selectFrom('leads as v')
      .select('v.id')
      .where('v.org_id', '=', orgId)
      .where('v.team_id', 'in', myTeams);
    return (
      exceptOwned
        ? teamLeads
        : db
            .selectFrom('leads as v')
            .select('v.id')
            .where('v.org_id', '=', orgId)
            .where('v.owner_id', '=', userId)
            .unionAll(teamLeads)
    )
      .unionAll(
        db
          .selectFrom('lead_users')
          .select('lead_users.lead_id as id')
          .where('lead_users.org_id', '=', orgId)
          .where('lead_users.user_id', '=', userId),
      )
      .unionAll(
        db
          .selectFrom('lead_teams')
          .select('lead_teams.lead_id as id')
          .where('lead_teams.org_id', '=', orgId)
          .where('lead_teams.team_id', 'in', myTeams),
      );
  };

  /**
   * The leads a report counts. For an agent, visibility is one id set (`visibleIds`) instead of the list's per-row
   * OR, so a report reads only the agent's leads rather than testing every lead of the organization. With
   * `exceptOwned` (the caller counts the agent's own leads elsewhere) the leads they own are left out.
   */
  const scoped = (orgId: number, f: LeadFilter, exceptOwned = false) => {
    if (f.visibleTo === undefined) return leads.scope(db.selectFrom('leads'), orgId, f);
    const userId = f.visibleTo;
    const q = leads
      .scope(db.selectFrom('leads'), orgId, { ...f, visibleTo: undefined })
      .where('leads.id', 'in', visibleIds(orgId, userId, exceptOwned));
    return exceptOwned
      ? q.where((eb) => eb.or([eb('leads.owner_id', 'is', null), eb('leads.owner_id', '<>', userId)]))
      : q;
  };

  /** The bucket an ISO timestamp column falls in, as text: 2026-12-01, 2026-11-30 (the Monday), 2026-12. */
  function bucket(col: string, period: Period): RawBuilder<string> {
    const ref = sql.ref(col);
    if (period === 'day') return sql<string>`substr(${ref}, 1, 10)`;
    if (period === 'month') return sql<string>`substr(${ref}, 1, 7)`;
    return pg
      ? sql<string>`to_char(date_trunc('week', substr(${ref}, 1, 10)::date), 'YYYY-MM-DD')`
      : sql<string>`date(substr(${ref}, 1, 10), 'weekday 0', '-6 days')`;
  }

  type SelectWhere = (lhs: any, op: any, rhs: any) => any;
  function inRange<T extends { where: SelectWhere }>(q: T, col: string, r: DateRange): T {
    let out = q;
    if (r.from) out = out.where(sql.ref(col), '>=', r.from) as T;
    if (r.to) out = out.where(sql.ref(col), '<', r.to) as T;
    return out;
  }

  /** True when `f` sets no filter outside `allowed` (and does not hide converted leads). */
  function onlyFilters(f: LeadFilter, allowed: ReadonlyArray<keyof LeadFilter>): boolean {
    for (const [k, v] of Object.entries(f))
      if (v !== undefined && !allowed.includes(k as keyof LeadFilter) && k !== 'excludeConverted')
        return false;
    return !f.excludeConverted;
  }

  /** A date range as whole UTC days (YYYY-MM-DD, half-open), or null when an end is not a UTC midnight. */
  function wholeDays(r: DateRange): { from?: string; to?: string } | null {
    const midnight = /^(\d{4}-\d{2}-\d{2})T00:00:00\.000Z$/;
    const from = r.from === undefined ? undefined : midnight.exec(r.from)?.[1];
    const to = r.to === undefined ? undefined : midnight.exec(r.to)?.[1];
    if ((r.from !== undefined && !from) || (r.to !== undefined && !to)) return null;
    return { from, to };
  }

  /** Sources in the order the database sorts the rollup's text: none ('') first, then by code unit. */
  const cmpSource = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

  /** The Monday (UTC) of the week a YYYY-MM-DD day falls in, as the database's week bucket gives it. */
  function mondayOf(day: string): string {
    const d = new Date(`${day}T00:00:00.000Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d.toISOString().slice(0, 10);
  }

  /**
   * The rollup rows (migration 0104) that hold exactly the leads a report would count, or null when the rollup
   * cannot answer: it knows the organization, status, source, creation day and deleted or not, so any other
   * filter, agent visibility, hiding converted leads, or a date range that does not fall on UTC midnights goes
   * to the leads themselves.
   */
  function fromRollups(orgId: number, f: LeadFilter, r: DateRange) {
    const ROLLUP_FILTERS = new Set(['deleted', 'statusIds', 'source', 'excludeConverted']);
    for (const [k, v] of Object.entries(f)) if (v !== undefined && !ROLLUP_FILTERS.has(k)) return null;
    if (f.excludeConverted) return null;
    const midnight = /^(\d{4}-\d{2}-\d{2})T00:00:00\.000Z$/;
    const from = r.from === undefined ? undefined : midnight.exec(r.from)?.[1];
    const to = r.to === undefined ? undefined : midnight.exec(r.to)?.[1];
    if ((r.from !== undefined && !from) || (r.to !== undefined && !to)) return null;
    let q = db
      .selectFrom('lead_rollups')
      .where('lead_rollups.org_id', '=', orgId)
      .where('lead_rollups.live', '=', f.deleted ? 0 : 1);
    if (f.statusIds) q = q.where('lead_rollups.status_id', 'in', f.statusIds.length ? f.statusIds : [-1]);
    if (f.source !== undefined) q = q.where('lead_rollups.source', '=', f.source);
    if (from) q = q.where('lead_rollups.day', '>=', from);
    if (to) q = q.where('lead_rollups.day', '<', to);
    return q;
  }

  /**
   * The rows of `lead_totals` (migration 0211: no day, but the owner) that hold exactly the leads a report with
   * no date range would count, or null when they cannot answer (any other filter, agent visibility, hiding
   * converted leads, a date range).
   */
  function fromTotals(orgId: number, f: LeadFilter, r: DateRange) {
    const TOTALS_FILTERS = new Set(['deleted', 'statusIds', 'source', 'ownerId', 'excludeConverted']);
    for (const [k, v] of Object.entries(f)) if (v !== undefined && !TOTALS_FILTERS.has(k)) return null;
    if (f.excludeConverted || r.from !== undefined || r.to !== undefined) return null;
    let q = db
      .selectFrom('lead_totals')
      .where('lead_totals.org_id', '=', orgId)
      .where('lead_totals.live', '=', f.deleted ? 0 : 1);
    if (f.statusIds) q = q.where('lead_totals.status_id', 'in', f.statusIds.length ? f.statusIds : [-1]);
    if (f.source !== undefined) q = q.where('lead_totals.source', '=', f.source);
    if (f.ownerId !== undefined) q = q.where('lead_totals.owner_id', '=', f.ownerId);
    return q;
  }

  /**
   * The rows of `lead_outcomes` (migration 0222: the leads that reached a won or converted outcome, kept by
   * triggers) among the leads a report counts: by the organization, live, status, source and owner when those
   * are the only filters, else by the ids of the leads the list's filters and visibility select.
   */
  function outcomes(orgId: number, f: LeadFilter) {
    let q = db.selectFrom('lead_outcomes as o').where('o.org_id', '=', orgId);
    if (!onlyFilters(f, ['deleted', 'statusIds', 'source', 'ownerId']))
      return q.where('o.lead_id', 'in', scoped(orgId, f).select('leads.id'));
    q = q.where('o.live', '=', f.deleted ? 0 : 1);
    if (f.statusIds) q = q.where('o.status_id', 'in', f.statusIds.length ? f.statusIds : [-1]);
    if (f.source !== undefined) q = q.where('o.source', '=', f.source);
    if (f.ownerId !== undefined) q = q.where('o.owner_id', '=', f.ownerId);
    return q;
  }

  return {
    /** Leads per current status: count and value. */
    async byStatus(orgId: number, f: LeadFilter, r: DateRange) {
      const rolled = fromTotals(orgId, f, r) ?? fromRollups(orgId, f, r);
      if (rolled) {
        // lead_totals and lead_rollups share these column names.
        const rows = await (rolled as ReturnType<typeof fromRollups> & object)
          .select((eb) => [
            'status_id',
            eb.fn.sum<number>('n').as('n'),
            eb.fn.sum<number>('value_cents').as('value_cents'),
            eb.fn.sum<number>('weighted').as('weighted'),
          ])
          .groupBy('status_id')
          .having((eb) => eb.fn.sum('n'), '<>', 0)
          .execute();
        return rows.map((x) => ({
          status_id: x.status_id,
          count: num(x.n),
          value_cents: num(x.value_cents),
          weighted_centi_cents: num(x.weighted),
        }));
      }
      const rows = await inRange(scoped(orgId, f), 'leads.created_at', r)
        .select((eb) => [
          'leads.status_id',
          eb.fn.countAll<number>().as('n'),
          eb.fn.sum<number>('leads.value_cents').as('value_cents'),
          sql<number>`sum(leads.value_cents * leads.probability)`.as('weighted'),
        ])
        .groupBy('leads.status_id')
        .execute();
      return rows.map((x) => ({
        status_id: x.status_id,
        count: num(x.n),
        value_cents: num(x.value_cents),
        /** value_cents x probability (percent), summed: divide by 100 for cents. */
        weighted_centi_cents: num(x.weighted),
      }));
    },

    /**
     * Leads created per period and source. From `lead_days` (migration 0224: per day and source) when nothing
     * but deleted and source narrows the leads, from `lead_rollups` (0104: per day, status and source) with a
     * status filter, a date range on UTC midnights (or none) either way; the days are summed into periods here.
     * Otherwise from the leads.
     */
    async createdBySource(orgId: number, f: LeadFilter, r: DateRange, period: Period) {
      const days = wholeDays(r);
      let perDay: Array<{ day: string; source: string; n: unknown }> | null = null;
      if (days && onlyFilters(f, ['deleted', 'source'])) {
        let q = db
          .selectFrom('lead_days')
          .select(['day', 'source', 'n'])
          .where('org_id', '=', orgId)
          .where('live', '=', f.deleted ? 0 : 1);
        if (f.source !== undefined) q = q.where('source', '=', f.source);
        if (days.from) q = q.where('day', '>=', days.from);
        if (days.to) q = q.where('day', '<', days.to);
        perDay = await q.execute();
      } else {
        const rolled = fromRollups(orgId, f, r);
        if (rolled)
          perDay = await rolled
            .select((eb) => [
              'lead_rollups.day',
              'lead_rollups.source',
              eb.fn.sum<number>('lead_rollups.n').as('n'),
            ])
            .groupBy(['lead_rollups.day', 'lead_rollups.source'])
            .execute();
      }
      if (perDay) {
        const periodOf = (day: string) =>
          period === 'day' ? day : period === 'month' ? day.slice(0, 7) : mondayOf(day);
        const out = new Map<string, { period: string; source: string | null; count: number }>();
        for (const x of perDay) {
          const n = num(x.n);
          if (n === 0) continue;
          const p = periodOf(x.day);
          const k = `${p}\u0000${x.source}`;
          const w = out.get(k);
          if (w) w.count += n;
          else out.set(k, { period: p, source: x.source === '' ? null : x.source, count: n });
        }
        // Period, then source with no source first (the order the rollup's '' gave in SQL).
        return [...out.values()]
          .filter((w) => w.count !== 0)
          .sort((a, b) =>
            a.period < b.period ? -1 : a.period > b.period ? 1 : cmpSource(a.source, b.source),
          );
      }
      const b = bucket('leads.created_at', period);
      const rows = await inRange(scoped(orgId, f), 'leads.created_at', r)
        .select((eb) => [b.as('period'), 'leads.source', eb.fn.countAll<number>().as('n')])
        .groupBy([b, 'leads.source'])
        .orderBy(b)
        .orderBy('leads.source')
        .execute();
      return rows.map((x) => ({ period: String(x.period), source: x.source, count: num(x.n) }));
    },

    /**
     * Leads created in the range, and how many of them reached a won or converted outcome (a status of those
     * categories now or in their history, or converted). The leads per key come from `lead_totals` (no date
     * range), `lead_rollups` (by source, a range on UTC midnights) or the leads themselves; the reached ones
     * from `lead_outcomes`.
     */
    async conversion(orgId: number, f: LeadFilter, r: DateRange, by: 'source' | 'owner_id') {
      const noRange = r.from === undefined && r.to === undefined;
      const days = wholeDays(r);
      const totals = fromTotals(orgId, f, r);
      const rollups = by === 'source' && !noRange && days ? fromRollups(orgId, f, r) : null;
      let counted: Array<{ key: unknown; n: unknown }>;
      if (totals) {
        const key =
          by === 'source' ? sql`nullif(lead_totals.source, '')` : sql`nullif(lead_totals.owner_id, 0)`;
        counted = await totals
          .select([key.as('key'), sql<number>`sum(lead_totals.n)`.as('n')])
          .groupBy(key)
          .having(sql`sum(lead_totals.n)`, '<>', 0)
          .orderBy(key)
          .execute();
      } else if (rollups) {
        const key = sql`nullif(lead_rollups.source, '')`;
        counted = await rollups
          .select([key.as('key'), sql<number>`sum(lead_rollups.n)`.as('n')])
          .groupBy(key)
          .having(sql`sum(lead_rollups.n)`, '<>', 0)
          .orderBy(key)
          .execute();
      } else {
        const col = by === 'source' ? sql.ref('leads.source') : sql.ref('leads.owner_id');
        counted = await inRange(scoped(orgId, f), 'leads.created_at', r)
          .select((eb) => [col.as('key'), eb.fn.countAll<number>().as('n')])
          .groupBy(col)
          .orderBy(col)
          .execute();
      }
      const okey = by === 'source' ? sql`nullif(o.source, '')` : sql`nullif(o.owner_id, 0)`;
      const reached = await inRange(outcomes(orgId, f), 'o.created_at', r)
        .select([okey.as('key'), sql<number>`count(*)`.as('n')])
        .groupBy(okey)
        .execute();
      const won = new Map(reached.map((x) => [x.key === null ? null : String(x.key), num(x.n)]));
      return counted.map((x) => {
        const k = x.key === null || x.key === undefined ? null : (x.key as string | number);
        return { key: k, leads: num(x.n), converted: won.get(k === null ? null : String(k)) ?? 0 };
      });
    },

    /**
     * Leads now in a won status, by the month they first reached one (status history; the last status change
     * for leads with no such entry), with their value: `lead_outcomes` rows with `won`, by `won_at`.
     */
    async wonByMonth(orgId: number, f: LeadFilter, r: DateRange) {
      const month = sql<string>`substr(o.won_at, 1, 7)`;
      const rows = await inRange(outcomes(orgId, f).where('o.won', '=', 1), 'o.won_at', r)
        .select((eb) => [
          month.as('month'),
          eb.fn.countAll<number>().as('n'),
          eb.fn.sum<number>('o.value_cents').as('v'),
        ])
        .groupBy(month)
        .orderBy(month)
        .execute();
      return rows.map((x) => ({ month: String(x.month), count: num(x.n), value_cents: num(x.v) }));
    },

    /**
     * Completed stays in each status (entered in the range, then left): the median and mean length in days. The
     * median is the middle stay (or the mean of the two middle ones). The stays are `status_stays` (migration
     * 0220, kept by triggers from the status history): with no filter but deleted or not and no date range,
     * the count and mean come from `status_stay_totals` and each median is one walk of the (org, live, status,
     * ms) index to the middle row; with a date range only, the stays entered in it; on one owner, or for an agent
     * whose only other filter is their own id as owner, the stays by owner (migration 0240: `owner_id`, read from
     * `status_stays_owner_idx` alone), and for an agent the stays of the other leads they see by id; otherwise the
     * stays of the leads the list's filters and visibility select.
     */
    async timeInStatus(orgId: number, f: LeadFilter, r: DateRange) {
      const live = f.deleted ? 0 : 1;
      const DAY_MS = 86_400_000;
      const plain = onlyFilters(f, ['deleted']);
      if (plain && r.from === undefined && r.to === undefined) {
        const totals = await db
          .selectFrom('status_stay_totals')
          .select(['status_id', 'n', 'ms'])
          .where('org_id', '=', orgId)
          .where('live', '=', live)
          .where('n', '>', 0)
          .orderBy('status_id')
          .execute();
        const out = [];
        for (const t of totals) {
          const n = num(t.n);
          const middle = await db
            .selectFrom('status_stays')
            .select('ms')
            .where('org_id', '=', orgId)
            .where('live', '=', live)
            .where('status_id', '=', t.status_id)
            .orderBy('ms')
            .limit(n % 2 === 1 ? 1 : 2)
            .offset(Math.floor((n - 1) / 2))
            .execute();
          const median = middle.reduce((a, x) => a + num(x.ms), 0) / middle.length;
          out.push({
            status_id: t.status_id,
            stays: n,
            median_days: median / DAY_MS,
            mean_days: num(t.ms) / n / DAY_MS,
          });
        }
        return out;
      }
      /** Stays entered in the range, of the organization unless `byLead` (the leads are already the org's). */
      const stays = (byLead = false) => {
        let q = db.selectFrom('status_stays as s').select(['s.status_id', 's.ms']);
        if (!byLead) q = q.where('s.org_id', '=', orgId);
        if (r.from) q = q.where('s.entered_at', '>=', r.from);
        if (r.to) q = q.where('s.entered_at', '<', r.to);
        return q;
      };
      /** One owner's stays, from `status_stays_owner_idx` alone (migration 0240). */
      const owned = (ownerId: number) => stays().where('s.live', '=', live).where('s.owner_id', '=', ownerId);
      const me = f.visibleTo;
      let picked;
      if (plain) picked = stays().where('s.live', '=', live);
      else if (f.ownerId !== undefined && onlyFilters(f, ['deleted', 'ownerId'])) picked = owned(f.ownerId);
      else if (
        me !== undefined &&
        (f.ownerId === undefined || f.ownerId === me) &&
        onlyFilters(f, ['deleted', 'ownerId', 'visibleTo'])
      )
        // An agent sees every lead they own: those stays by owner; the other leads they see (their teams', shared
        // with them) by id, from the visibility indexes and the stays themselves (`live`, `owner_id`), so no lead
        // row is read.
        picked =
          f.ownerId === me
            ? owned(me)
            : owned(me).unionAll(
                stays(true)
                  .where('s.lead_id', 'in', visibleIds(orgId, me, true))
                  .where('s.live', '=', live)
                  .where('s.owner_id', '<>', me),
              );
      // Otherwise the stays of the leads the filters select.
      else picked = stays(true).where('s.lead_id', 'in', scoped(orgId, f).select('leads.id'));
      const ranked = db
        .selectFrom(picked.as('u'))
        .select([
          'u.status_id',
          'u.ms',
          sql<number>`row_number() OVER (PARTITION BY u.status_id ORDER BY u.ms)`.as('rn'),
          sql<number>`count(*) OVER (PARTITION BY u.status_id)`.as('cnt'),
        ]);
      const rows = await db
        .selectFrom(ranked.as('k'))
        .select([
          'k.status_id',
          sql<number>`max(k.cnt)`.as('stays'),
          sql<number>`avg(k.ms)`.as('mean'),
          sql<number>`avg(CASE WHEN k.rn IN ((k.cnt + 1) / 2, (k.cnt + 2) / 2) THEN k.ms END)`.as('median'),
        ])
        .groupBy('k.status_id')
        .execute();
      return rows.map((x) => ({
        status_id: x.status_id,
        stays: num(x.stays),
        median_days: num(x.median) / DAY_MS,
        mean_days: num(x.mean) / DAY_MS,
      }));
    },

    /** Planned follow-ups not done whose time is before `now`, by the lead's owner. */
    async overdueByOwner(orgId: number, f: LeadFilter, r: DateRange, now: string) {
      let q = scoped(orgId, f)
        .innerJoin('follow_ups as fu', (j) =>
          j.onRef('fu.lead_id', '=', 'leads.id').on('fu.org_id', '=', orgId),
        )
        .where('fu.done_at', 'is', null)
        .where('fu.scheduled_at', '<', now);
      if (r.from) q = q.where('fu.scheduled_at', '>=', r.from);
      if (r.to) q = q.where('fu.scheduled_at', '<', r.to);
      const rows = await q
        .select((eb) => [
          'leads.owner_id',
          eb.fn.countAll<number>().as('n'),
          eb.fn.count<number>('leads.id').distinct().as('leads'),
          eb.fn.min('fu.scheduled_at').as('oldest'),
        ])
        .groupBy('leads.owner_id')
        .orderBy('leads.owner_id')
        .execute();
      return rows.map((x) => ({
        owner_id: x.owner_id,
        overdue: num(x.n),
        leads: num(x.leads),
        oldest_scheduled_at: x.oldest as string | null,
      }));
    },

    /**
     * Follow-ups, tasks and status changes recorded in the range on each owner's leads. With no filter but deleted
     * or not and the owner, and a range on UTC midnights (or none), from `activity_rollups` (migration 0221, kept
     * by triggers). For an agent under the same conditions, their own leads' counts from the rollup and the other
     * leads they see read one by one; otherwise each activity joined to the leads the filters and visibility select.
     */
    async activityByOwner(orgId: number, f: LeadFilter, r: DateRange) {
      type Counts = { follow_ups: number; tasks: number; status_changes: number };
      const byOwner = new Map<number | null, Counts>();
      const entry = (o: number | null) => {
        const c = byOwner.get(o) ?? { follow_ups: 0, tasks: 0, status_changes: 0 };
        byOwner.set(o, c);
        return c;
      };
      const answer = () =>
        [...byOwner.entries()]
          .filter(([, c]) => c.follow_ups + c.tasks + c.status_changes !== 0)
          .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))
          .map(([o, c]) => ({ owner_id: o, ...c }));
      const days = wholeDays(r);
      /** The rollup's counts, of one owner or all. */
      const fromRollup = async (ownerId: number | undefined) => {
        let q = db
          .selectFrom('activity_rollups')
          .where('org_id', '=', orgId)
          .where('live', '=', f.deleted ? 0 : 1);
        if (days?.from) q = q.where('day', '>=', days.from);
        if (days?.to) q = q.where('day', '<', days.to);
        if (ownerId !== undefined) q = q.where('owner_id', '=', ownerId);
        const rows = await q
          .select((eb) => ['owner_id', 'kind', eb.fn.sum<number>('n').as('n')])
          .groupBy(['owner_id', 'kind'])
          .execute();
        for (const x of rows) {
          const c = entry(x.owner_id === 0 ? null : x.owner_id);
          if (x.kind === 'follow_up') c.follow_ups += num(x.n);
          else if (x.kind === 'task') c.tasks += num(x.n);
          else c.status_changes += num(x.n);
        }
      };
      if (days && onlyFilters(f, ['deleted', 'ownerId'])) {
        await fromRollup(f.ownerId);
        return answer();
      }
      // An agent sees every lead they own: those counts come from the rollup too, and only the other leads they
      // see (their teams', shared with them) are read one by one.
      const me = f.visibleTo;
      let othersOnly = false;
      if (days && me !== undefined && onlyFilters(f, ['deleted', 'ownerId', 'visibleTo'])) {
        if (f.ownerId === undefined || f.ownerId === me) await fromRollup(me);
        if (f.ownerId === me) return answer();
        othersOnly = true;
      }
      const leadsRead = () => scoped(orgId, f, othersOnly);
      const range = <T extends { where: SelectWhere }>(q: T): T => {
        let out = q;
        if (r.from) out = out.where(sql.ref('a.created_at'), '>=', r.from) as T;
        if (r.to) out = out.where(sql.ref('a.created_at'), '<', r.to) as T;
        return out;
      };
      const countFu = () =>
        range(
          leadsRead().innerJoin('follow_ups as a', (j) =>
            j.onRef('a.lead_id', '=', 'leads.id').on('a.org_id', '=', orgId),
          ),
        )
          .select((eb) => ['leads.owner_id', eb.fn.countAll<number>().as('n')])
          .groupBy('leads.owner_id')
          .execute();
      const countTasks = () =>
        range(
          leadsRead().innerJoin('tasks as a', (j) =>
            j.onRef('a.lead_id', '=', 'leads.id').on('a.org_id', '=', orgId),
          ),
        )
          .select((eb) => ['leads.owner_id', eb.fn.countAll<number>().as('n')])
          .groupBy('leads.owner_id')
          .execute();
      const countChanges = () =>
        range(
          leadsRead()
            .innerJoin('status_history as a', (j) =>
              j.onRef('a.lead_id', '=', 'leads.id').on('a.org_id', '=', orgId),
            )
            .where('a.from_status_id', 'is not', null),
        )
          .select((eb) => ['leads.owner_id', eb.fn.countAll<number>().as('n')])
          .groupBy('leads.owner_id')
          .execute();
      const [fu, tasks, changes] = await Promise.all([countFu(), countTasks(), countChanges()]);
      for (const x of fu) entry(x.owner_id).follow_ups += num(x.n);
      for (const x of tasks) entry(x.owner_id).tasks += num(x.n);
      for (const x of changes) entry(x.owner_id).status_changes += num(x.n);
      return answer();
    },
  };
}

export type ReportRepository = ReturnType<typeof createReportRepository>;
