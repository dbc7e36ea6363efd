import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createLead, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';

/**
 * Every report is checked against numbers computed here from the rows the seed left in the database, for an
 * admin (everything) and for an agent (only leads they own or their team holds).
 */
let t: TestApp;
let admin: Session;
let agent: Session;
let other: Session;
let teamId: number;

const SOURCES = ['web', 'fair', 'phone', null];
const day = (i: number) => `2026-11-${String(1 + (i % 20)).padStart(2, '0')}T10:00:00.000Z`;

async function call(s: Session, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: s.headers,
    payload: payload as object,
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await signup(t.app);
  agent = await addMember(t.app, admin, 'agent');
  other = await addMember(t.app, admin, 'agent');
  teamId = (await call(admin, 'POST', '/teams', { name: 'North', member_ids: [agent.userId] })).json().id;
  const lostReason = (await call(admin, 'GET', '/reasons?category=lost')).json().data[0].id;
  const owners = [admin.userId, agent.userId, other.userId, null];
  for (let i = 0; i < 36; i++) {
    const lead = await createLead(t.app, admin, {
      source: SOURCES[i % 4],
      owner_id: owners[i % 4],
      team_id: i % 3 === 0 ? teamId : null,
      value: `${i * 10}.${String(i % 100).padStart(2, '0')}`,
      probability: (i * 7) % 101,
    });
    const path = [
      [],
      ['qualified'],
      ['qualified', 'won'],
      ['proposal', 'lost'],
      ['converted'],
      ['qualified', 'proposal', 'won', 'production'],
    ][i % 6];
    for (const status of path)
      await call(admin, 'PATCH', `/leads/${lead.id}`, {
        status,
        ...(status === 'lost' ? { reason_id: lostReason } : {}),
      });
    if (i % 5 === 0) {
      await call(admin, 'POST', `/leads/${lead.id}/follow-ups`, { scheduled_at: '2026-11-20T09:00:00.000Z' });
      await call(admin, 'POST', `/leads/${lead.id}/follow-ups`, { scheduled_at: '2099-01-01T09:00:00.000Z' });
    }
    if (i % 4 === 1) await call(admin, 'POST', `/leads/${lead.id}/tasks`, { title: 'Call back' });
    // Back-date creation and space the status history a day and a half per step, so periods and stays are known.
    const k = t.db.kysely;
    await k
      .updateTable('leads')
      .set({ created_at: day(i) })
      .where('id', '=', lead.id)
      .execute();
    const hist = await k
      .selectFrom('status_history')
      .select('id')
      .where('lead_id', '=', lead.id)
      .orderBy('id')
      .execute();
    for (const [n, h] of hist.entries()) {
      const at = new Date(Date.parse(day(i)) + n * (36 + (i % 7)) * 3600_000).toISOString();
      await k.updateTable('status_history').set({ created_at: at }).where('id', '=', h.id).execute();
    }
  }
  // A deleted lead never counts.
  const gone = await createLead(t.app, admin, { source: 'web' });
  await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${gone.id}`, headers: admin.headers });
}, 300_000);

afterAll(async () => {
  await t?.close();
});

async function seeded(forAgent?: Session) {
  const k = t.db.kysely;
  const statuses = await k.selectFrom('statuses').selectAll().where('org_id', '=', admin.orgId).execute();
  const byId = new Map(statuses.map((s) => [s.id, s]));
  let leads = await k
    .selectFrom('leads')
    .selectAll()
    .where('org_id', '=', admin.orgId)
    .where('deleted_at', 'is', null)
    .execute();
  if (forAgent) {
    const teams = (
      await k.selectFrom('team_members').select('team_id').where('user_id', '=', forAgent.userId).execute()
    ).map((x) => x.team_id);
    leads = leads.filter(
      (l) => l.owner_id === forAgent.userId || (l.team_id !== null && teams.includes(l.team_id)),
    );
  }
  const ids = new Set(leads.map((l) => l.id));
  const history = (
    await k.selectFrom('status_history').selectAll().where('org_id', '=', admin.orgId).execute()
  ).filter((h) => ids.has(h.lead_id));
  const followUps = (
    await k.selectFrom('follow_ups').selectAll().where('org_id', '=', admin.orgId).execute()
  ).filter((f) => ids.has(f.lead_id));
  const tasks = (await k.selectFrom('tasks').selectAll().where('org_id', '=', admin.orgId).execute()).filter(
    (x) => x.lead_id !== null && ids.has(x.lead_id),
  );
  return { statuses, byId, leads, history, followUps, tasks };
}

const countBy = <T>(rows: T[], key: (r: T) => string) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
};
const cents = (s: string) => Math.round(Number(s) * 100);

describe.each([
  ['an admin', () => admin, () => undefined],
  ['an agent', () => agent, () => agent],
])('reports for %s', (_who, session, scope) => {
  it('funnel and board: leads, value and weighted value per status', async () => {
    const s = await seeded(scope());
    const funnel = (await call(session(), 'GET', '/reports/funnel')).json();
    expect(funnel.total).toBe(s.leads.length);
    const perStatus = countBy(s.leads, (l) => s.byId.get(l.status_id)!.key);
    for (const row of funnel.data) expect(row.count, row.status).toBe(perStatus.get(row.status) ?? 0);
    expect(funnel.data.map((r: { status: string }) => r.status)).toContain('converted');

    const board = (await call(session(), 'GET', '/reports/board')).json();
    for (const row of board.data) {
      const inCol = s.leads.filter((l) => s.byId.get(l.status_id)!.key === row.status);
      expect(row.count).toBe(inCol.length);
      expect(cents(row.value)).toBe(inCol.reduce((a, l) => a + (l.value_cents ?? 0), 0));
      const w = inCol.reduce((a, l) => a + (l.value_cents ?? 0) * (l.probability ?? 0), 0);
      expect(cents(row.weighted_value)).toBe(Math.round(w / 100));
    }
    expect(board.total).toBe(s.leads.length);
  });

  it('leads created per day, week and month by source, within a date range', async () => {
    const s = await seeded(scope());
    const from = '2026-11-05T00:00:00.000Z';
    const to = '2026-11-15T00:00:00.000Z';
    const inRange = s.leads.filter((l) => l.created_at >= from && l.created_at < to);
    const byDay = (await call(session(), 'GET', `/reports/created?period=day&from=${from}&to=${to}`)).json();
    const expected = countBy(inRange, (l) => `${l.created_at.slice(0, 10)}|${l.source}`);
    expect(byDay.data.length).toBe(expected.size);
    for (const r of byDay.data) expect(r.count).toBe(expected.get(`${r.period}|${r.source}`));

    const byMonth = (await call(session(), 'GET', '/reports/created?period=month')).json();
    expect(byMonth.data.reduce((a: number, r: { count: number }) => a + r.count, 0)).toBe(s.leads.length);
    expect(new Set(byMonth.data.map((r: { period: string }) => r.period))).toEqual(new Set(['2026-11']));

    const byWeek = (await call(session(), 'GET', '/reports/created?period=week')).json();
    const monday = (iso: string) => {
      const d = new Date(iso.slice(0, 10) + 'T00:00:00Z');
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
      return d.toISOString().slice(0, 10);
    };
    const weeks = countBy(s.leads, (l) => `${monday(l.created_at)}|${l.source}`);
    for (const r of byWeek.data) expect(r.count).toBe(weeks.get(`${r.period}|${r.source}`));
    expect(byWeek.data.length).toBe(weeks.size);
  });

  it('conversion by source and by owner counts leads that reached a won or converted status', async () => {
    const s = await seeded(scope());
    const reachedIds = new Set(
      s.statuses.filter((x) => ['won', 'converted'].includes(x.category)).map((x) => x.id),
    );
    const reached = (id: number) => s.history.some((h) => h.lead_id === id && reachedIds.has(h.to_status_id));
    for (const by of ['source', 'owner'] as const) {
      const res = (await call(session(), 'GET', `/reports/conversion?by=${by}`)).json();
      const key = (l: (typeof s.leads)[number]) => String(by === 'source' ? l.source : l.owner_id);
      const total = countBy(s.leads, key);
      const won = countBy(
        s.leads.filter((l) => reached(l.id)),
        key,
      );
      expect(res.data.length).toBe(total.size);
      for (const r of res.data) {
        const k = String(by === 'source' ? r.source : r.owner_id);
        expect(r.leads).toBe(total.get(k));
        expect(r.converted).toBe(won.get(k) ?? 0);
        expect(r.rate).toBeCloseTo((won.get(k) ?? 0) / total.get(k)!, 10);
      }
    }
  });

  it('won value per month, by when the lead was first won', async () => {
    const s = await seeded(scope());
    const won = new Set(s.statuses.filter((x) => x.category === 'won').map((x) => x.id));
    const rows = s.leads.filter((l) => won.has(l.status_id));
    const month = new Map<string, { n: number; v: number }>();
    for (const l of rows) {
      const at = s.history
        .filter((h) => h.lead_id === l.id && won.has(h.to_status_id))
        .map((h) => h.created_at)
        .sort()[0];
      const m = month.get(at.slice(0, 7)) ?? { n: 0, v: 0 };
      month.set(at.slice(0, 7), { n: m.n + 1, v: m.v + (l.value_cents ?? 0) });
    }
    const res = (await call(session(), 'GET', '/reports/won-value')).json();
    expect(res.data.length).toBe(month.size);
    for (const r of res.data) {
      expect(r.count).toBe(month.get(r.month)!.n);
      expect(cents(r.value)).toBe(month.get(r.month)!.v);
    }
  });

  it('time in status: median days of the completed stays', async () => {
    const s = await seeded(scope());
    const stays = new Map<number, number[]>();
    const perLead = new Map<number, typeof s.history>();
    for (const h of s.history) perLead.set(h.lead_id, [...(perLead.get(h.lead_id) ?? []), h]);
    for (const hs of perLead.values()) {
      hs.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
      for (let n = 0; n + 1 < hs.length; n++) {
        const d = (Date.parse(hs[n + 1].created_at) - Date.parse(hs[n].created_at)) / 86400_000;
        stays.set(hs[n].to_status_id, [...(stays.get(hs[n].to_status_id) ?? []), d]);
      }
    }
    const res = (await call(session(), 'GET', '/reports/time-in-status')).json();
    const checked = res.data.filter((r: { stays: number }) => r.stays > 0);
    expect(checked.length).toBeGreaterThan(2);
    expect(checked.length).toBe(stays.size);
    for (const r of checked) {
      const id = s.statuses.find((x) => x.key === r.status)!.id;
      const d = stays.get(id)!.sort((a, b) => a - b);
      const median = d.length % 2 ? d[(d.length - 1) / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
      expect(r.stays).toBe(d.length);
      expect(r.median_days).toBeCloseTo(median, 2);
    }
  });

  it('overdue follow-ups and activity per owner', async () => {
    const s = await seeded(scope());
    const owner = new Map(s.leads.map((l) => [l.id, String(l.owner_id)]));
    const now = new Date().toISOString();
    const overdue = countBy(
      s.followUps.filter((f) => !f.done_at && f.scheduled_at !== null && f.scheduled_at < now),
      (f) => owner.get(f.lead_id)!,
    );
    const res = (await call(session(), 'GET', '/reports/overdue-follow-ups')).json();
    expect(res.data.length).toBe(overdue.size);
    for (const r of res.data) expect(r.overdue).toBe(overdue.get(String(r.owner_id)));

    const act = (await call(session(), 'GET', '/reports/activity')).json();
    const fu = countBy(s.followUps, (f) => owner.get(f.lead_id)!);
    const tasks = countBy(s.tasks, (x) => owner.get(x.lead_id!)!);
    const changes = countBy(
      s.history.filter((h) => h.from_status_id !== null),
      (h) => owner.get(h.lead_id)!,
    );
    for (const r of act.data) {
      const k = String(r.owner_id);
      expect([r.follow_ups, r.tasks, r.status_changes]).toEqual([
        fu.get(k) ?? 0,
        tasks.get(k) ?? 0,
        changes.get(k) ?? 0,
      ]);
    }
    expect(act.data.length).toBe(new Set([...fu.keys(), ...tasks.keys(), ...changes.keys()]).size);
  });
});

describe('report filters and formats', () => {
  it('takes the list filters (owner, team, status) and matches the list total', async () => {
    for (const q of [`owner_id=${agent.userId}`, `team_id=${teamId}`, 'source=fair', 'status=won,lost']) {
      const list = (await call(admin, 'GET', `/leads?include_total=true&include_converted=true&${q}`)).json();
      const funnel = (await call(admin, 'GET', `/reports/funnel?${q}`)).json();
      expect(funnel.total, q).toBe(list.total);
    }
  });

  it('an agent sees fewer leads than the admin, and only their own or their team', async () => {
    const all = (await call(admin, 'GET', '/reports/funnel')).json().total;
    const mine = (await call(agent, 'GET', '/reports/funnel')).json().total;
    const theirs = (await call(other, 'GET', '/reports/funnel')).json().total;
    expect(mine).toBeGreaterThan(0);
    expect(mine).toBeLessThan(all);
    expect(theirs).toBeLessThan(all);
    const own = (await call(agent, 'GET', `/reports/funnel?owner_id=${other.userId}`)).json().total;
    const visibleOthers = (await seeded(agent)).leads.filter((l) => l.owner_id === other.userId).length;
    expect(own).toBe(visibleOthers);
  });

  it('downloads each report as CSV', async () => {
    const res = await call(admin, 'GET', '/reports/conversion?by=owner&format=csv');
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('owner_id,leads,converted,rate');
    const json = (await call(admin, 'GET', '/reports/conversion?by=owner')).json();
    expect(lines.length).toBe(json.data.length + 1);
  });

  it('refuses unknown parameters and bad dates with a 400 naming them', async () => {
    const bad = await t.app.inject({ url: '/api/v1/reports/created?period=year', headers: admin.headers });
    expect(bad.statusCode).toBe(400);
    const date = await t.app.inject({ url: '/api/v1/reports/funnel?from=yesterday', headers: admin.headers });
    expect(date.statusCode).toBe(400);
    expect(date.body).toContain('from');
    const unknown = await t.app.inject({ url: '/api/v1/reports/funnel?status=nope', headers: admin.headers });
    expect(unknown.statusCode).toBe(422);
  });
});

describe('the counts kept per day (migration 0104 rollups)', () => {
  // Filtering on updated_after (every lead was updated after 2000) makes the same report read every lead.
  const viaLeads = 'updated_after=2000-01-01T00:00:00.000Z';
  async function same(query = '') {
    for (const path of [
      '/reports/board',
      '/reports/funnel',
      '/reports/created?period=day',
      '/reports/conversion?by=source',
      '/reports/conversion?by=owner',
    ]) {
      const sep = path.includes('?') ? '&' : '?';
      const rolled = (await call(admin, 'GET', `${path}${query ? sep + query : ''}`)).json();
      const read = (await call(admin, 'GET', `${path}${sep}${viaLeads}${query ? '&' + query : ''}`)).json();
      expect(rolled, `${path} ${query}`).toEqual(read);
    }
  }

  it('answer what reading every lead answers, after writes of every kind', async () => {
    const kept = async () =>
      Number(
        (
          await t.db.kysely
            .selectFrom('lead_rollups')
            .select((eb) => eb.fn.sum<number>('n').as('n'))
            .where('org_id', '=', admin.orgId)
            .where('live', '=', 1)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await kept()).toBe((await call(admin, 'GET', '/reports/funnel')).json().total);
    await same();
    await same(`owner_id=${admin.userId}`);
    await same('from=2026-11-03T00:00:00.000Z&to=2026-11-12T00:00:00.000Z');
    await same('source=web');
    await same('deleted=true');
    const leads = (await call(admin, 'GET', '/leads?limit=6&include_converted=true')).json().data as Array<{
      id: number;
    }>;
    await call(admin, 'PATCH', `/leads/${leads[0].id}`, { value: '1234.56', probability: 40 });
    await call(admin, 'PATCH', `/leads/${leads[1].id}`, { status: 'qualified', source: 'newsletter' });
    await call(admin, 'PATCH', `/leads/${leads[2].id}`, { value: null });
    await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${leads[3].id}`, headers: admin.headers });
    await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${leads[4].id}`, headers: admin.headers });
    await call(admin, 'POST', `/leads/${leads[4].id}/restore`);
    await call(admin, 'POST', '/leads/bulk', {
      ids: [leads[5].id, leads[0].id],
      action: 'status',
      status: 'proposal',
    });
    await createLead(t.app, admin, { source: 'web', value: '10.00', probability: 5 });
    // A merged lead leaves the lists, so it leaves the reports too (migration 0210); an unmerge brings it back.
    const primary = await createLead(t.app, admin, { source: 'web', value: '5.00' });
    const dupe = await createLead(t.app, admin, { source: 'web', value: '7.00', probability: 50 });
    const listed = async () =>
      (await call(admin, 'GET', '/leads?include_total=true&include_converted=true&limit=1')).json().total;
    const before = await listed();
    await call(admin, 'POST', '/leads/merge', { primary_id: primary.id, ids: [dupe.id] });
    expect(await listed()).toBe(before - 1);
    expect((await call(admin, 'GET', '/reports/board')).json().total).toBe(before - 1);
    await same();
    await same('source=web');
    await call(admin, 'POST', `/leads/${dupe.id}/unmerge`);
    expect((await call(admin, 'GET', '/reports/board')).json().total).toBe(before);
    await same();
    await same('source=newsletter');
    await same('deleted=true');
    await same('status=proposal,qualified');
    await same(`owner_id=${admin.userId}`);
    // Won, then moved on; and converted while in an open status: both still count as converted.
    const [wonThen, convertedNow] = (
      await call(admin, 'GET', '/leads?limit=2&status=proposal,qualified&include_converted=true')
    ).json().data as Array<{ id: number }>;
    await call(admin, 'PATCH', `/leads/${wonThen.id}`, { status: 'won' });
    await call(admin, 'PATCH', `/leads/${wonThen.id}`, { status: 'recycled' });
    await t.db.kysely
      .updateTable('leads')
      .set({ converted_at: new Date().toISOString() })
      .where('id', '=', convertedNow.id)
      .execute();
    await same();
    await same('source=web');
    expect(await kept()).toBe((await call(admin, 'GET', `/reports/funnel?${viaLeads}`)).json().total);
  });
});
