/** The reports (src/reports) as benchmark scenarios: HTTP, the report service, and the bare grouped query. */
import { createStatusRepository } from '../src/pipeline/status.repository.js';
import { createReportRepository } from '../src/reports/report.repository.js';
import { createReportService } from '../src/reports/report.service.js';
import type { Dialect } from '../src/db/database.js';
import type { Scenario, ScenarioContext } from './scenarios.js';

export async function buildReportScenarios(ctx: ScenarioContext, dialect: Dialect): Promise<Scenario[]> {
  const { db, leads, service, auth } = ctx;
  const repo = createReportRepository(db, dialect, leads);
  const reports = createReportService({
    db,
    reports: repo,
    statuses: createStatusRepository(db),
    leads: service,
  });
  const all = await createStatusRepository(db).listAllByOrg(auth.orgId);
  const won = all.filter((s) => s.category === 'won').map((s) => s.id);
  const reached = all.filter((s) => s.category === 'won' || s.category === 'converted').map((s) => s.id);
  const f = { deleted: false };
  const org = auth.orgId;
  const target = { p99Ms: 200 };
  const mk = (
    name: string,
    path: string,
    bare: () => Promise<unknown>,
    svc: () => Promise<unknown>,
  ): Scenario => ({
    name: `report_${name}`,
    label: `report ${name}`,
    requests: [{ method: 'GET', path: `/api/v1/reports/${path}` }],
    bare,
    service: svc,
    target,
  });
  return [
    mk(
      'board',
      'board',
      () => repo.byStatus(org, f, {}),
      () => reports.board(auth, {}),
    ),
    mk(
      'funnel',
      'funnel',
      () => repo.byStatus(org, f, {}),
      () => reports.funnel(auth, {}),
    ),
    mk(
      'created',
      'created?period=week',
      () => repo.createdBySource(org, f, {}, 'week'),
      () => reports.created(auth, { period: 'week' }),
    ),
    mk(
      'conversion',
      'conversion?by=source',
      () => repo.conversion(org, f, {}, reached, 'source'),
      () => reports.conversion(auth, { by: 'source' }),
    ),
    mk(
      'won_value',
      'won-value',
      () => repo.wonByMonth(org, f, {}, won),
      () => reports.wonValue(auth, {}),
    ),
    mk(
      'time_in_status',
      'time-in-status',
      () => repo.timeInStatus(org, f, {}),
      () => reports.timeInStatus(auth, {}),
    ),
    mk(
      'overdue',
      'overdue-follow-ups',
      () => repo.overdueByOwner(org, f, {}, new Date().toISOString()),
      () => reports.overdue(auth, {}),
    ),
    mk(
      'activity',
      'activity',
      () => repo.activityByOwner(org, f, {}),
      () => reports.activity(auth, {}),
    ),
  ];
}
