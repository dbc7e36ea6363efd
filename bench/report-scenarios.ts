/**
 * The reports (src/reports) as benchmark scenarios: HTTP, the report service, and the bare grouped query. Each
 * report runs twice: as the organization's owner (every lead) and as an agent, who sees only the leads they own
 * or their team holds (agent visibility is applied to every report, so it is measured apart).
 */
import { sql } from 'kysely';
import { createStatusRepository } from '../src/pipeline/status.repository.js';
import { createReportRepository } from '../src/reports/report.repository.js';
import { createReportService } from '../src/reports/report.service.js';
import type { AuthContext } from '../src/access/roles.js';
import type { Dialect } from '../src/db/database.js';
import type { LeadFilter } from '../src/leads/lead.repository.js';
import type { Scenario, ScenarioContext } from './scenarios.js';

/** Leads the agent owns: one in AGENT_OWNS; their team holds one in AGENT_TEAM more. */
const AGENT_OWNS = 40;
const AGENT_TEAM = 97;

/** An agent in a team of the measured organization, through the API, holding a share of its leads. */
async function makeAgent(ctx: ScenarioContext, dialect: Dialect) {
  const { app, db, headers, auth } = ctx;
  const call = async (method: 'POST', url: string, payload: object, h?: object) => {
    const res = await app.inject({ method, url, payload, headers: h as Record<string, string> });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const team = await call('POST', '/api/v1/teams', { name: 'Bench team' }, headers);
  const inv = await call(
    'POST',
    '/api/v1/invitations',
    { email: 'agent@bench.example.com', role: 'agent', team_ids: [team.id] },
    headers,
  );
  const acc = await call('POST', `/api/v1/invitations/${inv.token}/accept`, {
    name: 'Bench Agent',
    password: 'bench password 123',
  });
  const userId = acc.user.id as number;
  await sql`UPDATE leads SET owner_id = ${userId} WHERE org_id = ${auth.orgId} AND id % ${AGENT_OWNS} = 0`.execute(
    db,
  );
  await sql`UPDATE leads SET team_id = ${team.id} WHERE org_id = ${auth.orgId} AND id % ${AGENT_TEAM} = 1`.execute(
    db,
  );
  await sql`ANALYZE leads`.execute(db);
  // The owner change above rewrote the stays, outcomes and activity counts of those leads (the triggers of
  // 0220-0240). On PostgreSQL the rewritten pages are not all-visible until a vacuum, and the report tables are read
  // by index-only scans (time in status walks status_stays' index to the middle row): vacuum them as the seed does
  // after filling them, so the benchmark measures the steady state rather than this setup's one mass update.
  if (dialect === 'postgres')
    for (const table of [
      'status_stays',
      'status_stay_totals',
      'activity_rollups',
      'lead_outcomes',
      'lead_totals',
    ])
      await sql.raw(`VACUUM ANALYZE ${table}`).execute(db);
  const agentAuth: AuthContext = { kind: 'user', orgId: auth.orgId, userId, role: 'agent' };
  return { auth: agentAuth, headers: { authorization: `Bearer ${acc.token}` } };
}

export async function buildReportScenarios(ctx: ScenarioContext, dialect: Dialect): Promise<Scenario[]> {
  const { db, leads, service, auth } = ctx;
  const repo = createReportRepository(db, dialect, leads);
  const reports = createReportService({
    db,
    reports: repo,
    statuses: createStatusRepository(db),
    leads: service,
  });
  const org = auth.orgId;
  const target = { p99Ms: 200 };
  const agent = await makeAgent(ctx, dialect);

  const forCaller = (who: 'owner' | 'agent') => {
    const a = who === 'owner' ? auth : agent.auth;
    const f: LeadFilter = who === 'owner' ? { deleted: false } : { deleted: false, visibleTo: a.userId! };
    const mk = (
      name: string,
      path: string,
      bare: () => Promise<unknown>,
      svc: () => Promise<unknown>,
    ): Scenario => ({
      name: `report_${name}${who === 'agent' ? '_agent' : ''}`,
      label: `report ${name}${who === 'agent' ? ' (agent)' : ''}`,
      requests: [{ method: 'GET', path: `/api/v1/reports/${path}` }],
      ...(who === 'agent' ? { headers: agent.headers } : {}),
      bare,
      service: svc,
      target,
    });
    return [
      mk(
        'board',
        'board',
        () => repo.byStatus(org, f, {}),
        () => reports.board(a, {}),
      ),
      mk(
        'funnel',
        'funnel',
        () => repo.byStatus(org, f, {}),
        () => reports.funnel(a, {}),
      ),
      mk(
        'created',
        'created?period=week',
        () => repo.createdBySource(org, f, {}, 'week'),
        () => reports.created(a, { period: 'week' }),
      ),
      mk(
        'conversion',
        'conversion?by=source',
        () => repo.conversion(org, f, {}, 'source'),
        () => reports.conversion(a, { by: 'source' }),
      ),
      mk(
        'won_value',
        'won-value',
        () => repo.wonByMonth(org, f, {}),
        () => reports.wonValue(a, {}),
      ),
      mk(
        'time_in_status',
        'time-in-status',
        () => repo.timeInStatus(org, f, {}),
        () => reports.timeInStatus(a, {}),
      ),
      mk(
        'overdue',
        'overdue-follow-ups',
        () => repo.overdueByOwner(org, f, {}, new Date().toISOString()),
        () => reports.overdue(a, {}),
      ),
      mk(
        'activity',
        'activity',
        () => repo.activityByOwner(org, f, {}),
        () => reports.activity(a, {}),
      ),
    ];
  };
  return [...forCaller('owner'), ...forCaller('agent')];
}
