import type { Kysely } from 'kysely';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { Database } from '../db/schema.js';
import type { LeadService } from '../leads/lead.service.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import { formatMoney } from '../lib/money.js';
import type { ReportQueryInput } from './report.schema.js';
import type { DateRange, ReportRepository } from './report.repository.js';

export interface ReportServiceDeps {
  db: Kysely<Database>;
  reports: ReportRepository;
  statuses: StatusRepository;
  /** The lead list's filter builder: the same filters and agent visibility as GET /leads. */
  leads: Pick<LeadService, 'filterFor'>;
}

const rate = (n: number, d: number) => (d ? n / d : 0);

export function createReportService({ reports, statuses, leads }: ReportServiceDeps) {
  async function prepare(auth: AuthContext, q: ReportQueryInput) {
    assertCan(auth, 'leads:read');
    // Reports count converted leads unless asked not to (the list hides them by default).
    const { filter } = await leads.filterFor(auth, { ...q, include_converted: q.include_converted ?? true });
    const all = await statuses.listAllByOrg(auth.orgId);
    const range: DateRange = { from: q.from, to: q.to };
    return { filter, range, all, byId: new Map(all.map((s) => [s.id, s])) };
  }
  const statusCols = (s: { key: string; label: string; category: string; position: number }) => ({
    status: s.key,
    label: s.label,
    category: s.category,
    position: s.position,
  });
  type Status = Awaited<ReturnType<StatusRepository['listAllByOrg']>>[number];
  /** Live statuses in pipeline order, plus deleted ones that still hold counted rows. */
  const ordered = (all: Status[], used: Set<number>) =>
    all.filter((s) => !s.deleted_at || used.has(s.id)).sort((a, b) => a.position - b.position || a.id - b.id);

  return {
    async funnel(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range, all } = await prepare(auth, q);
      const rows = new Map((await reports.byStatus(auth.orgId, filter, range)).map((r) => [r.status_id, r]));
      const total = [...rows.values()].reduce((a, r) => a + r.count, 0);
      const data = ordered(all, new Set(rows.keys())).map((s) => {
        const count = rows.get(s.id)?.count ?? 0;
        return { ...statusCols(s), count, share: rate(count, total) };
      });
      return { total, data };
    },

    async board(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range, all } = await prepare(auth, q);
      const rows = new Map((await reports.byStatus(auth.orgId, filter, range)).map((r) => [r.status_id, r]));
      let total = 0;
      let value = 0;
      let weighted = 0;
      const data = ordered(all, new Set(rows.keys())).map((s) => {
        const r = rows.get(s.id) ?? { count: 0, value_cents: 0, weighted_centi_cents: 0 };
        total += r.count;
        value += r.value_cents;
        weighted += r.weighted_centi_cents;
        return {
          ...statusCols(s),
          count: r.count,
          value: formatMoney(r.value_cents)!,
          weighted_value: formatMoney(Math.round(r.weighted_centi_cents / 100))!,
        };
      });
      return {
        total,
        value: formatMoney(value)!,
        weighted_value: formatMoney(Math.round(weighted / 100))!,
        data,
      };
    },

    async created(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range } = await prepare(auth, q);
      const period = q.period ?? 'day';
      return { period, data: await reports.createdBySource(auth.orgId, filter, range, period) };
    },

    async conversion(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range } = await prepare(auth, q);
      const by = q.by ?? 'source';
      // Reached: a status in the won or converted category, now or in the history, or converted.
      const rows = await reports.conversion(
        auth.orgId,
        filter,
        range,
        by === 'source' ? 'source' : 'owner_id',
      );
      return {
        by,
        data: rows.map((r) => ({
          ...(by === 'source'
            ? { source: r.key as string | null }
            : { owner_id: r.key === null ? null : Number(r.key) }),
          leads: r.leads,
          converted: r.converted,
          rate: rate(r.converted, r.leads),
        })),
      };
    },

    async wonValue(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range } = await prepare(auth, q);
      const rows = await reports.wonByMonth(auth.orgId, filter, range);
      return {
        data: rows.map((r) => ({ month: r.month, count: r.count, value: formatMoney(r.value_cents)! })),
      };
    },

    async timeInStatus(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range, all, byId } = await prepare(auth, q);
      const rows = new Map(
        (await reports.timeInStatus(auth.orgId, filter, range)).map((r) => [r.status_id, r]),
      );
      return {
        data: ordered(all, new Set(rows.keys()))
          .filter((s) => rows.has(s.id) || byId.has(s.id))
          .map((s) => {
            const r = rows.get(s.id);
            return {
              ...statusCols(s),
              stays: r?.stays ?? 0,
              median_days: r ? Math.round(r.median_days * 1000) / 1000 : 0,
              mean_days: r ? Math.round(r.mean_days * 1000) / 1000 : 0,
            };
          }),
      };
    },

    async overdue(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range } = await prepare(auth, q);
      const asOf = new Date().toISOString();
      return { as_of: asOf, data: await reports.overdueByOwner(auth.orgId, filter, range, asOf) };
    },

    async activity(auth: AuthContext, q: ReportQueryInput) {
      const { filter, range } = await prepare(auth, q);
      return { data: await reports.activityByOwner(auth.orgId, filter, range) };
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
