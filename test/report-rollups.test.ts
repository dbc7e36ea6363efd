import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createLead, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { importFile } from './imports.helpers.js';
import { refill as refillStays } from '../src/db/migrations/0240_status_stays_owner.js';
import { refill as refillActivity } from '../src/db/migrations/0221_activity_rollups.js';
import { refill as refillOutcomes } from '../src/db/migrations/0222_lead_outcomes.js';
import { refill as refillDays } from '../src/db/migrations/0224_lead_days.js';

/**
 * Time in status, activity per owner and leads created per week read tables kept by triggers (status_stays,
 * activity_rollups, lead_outcomes, lead_days: migrations 0220-0224; lead_rollups: 0104). Each report is checked against numbers computed
 * here from the rows in the database (leads, status history, follow-ups, tasks), for an admin and for an agent,
 * and again after writes of every kind: status and owner changes, deletes, restores, bulk actions, a merge and an
 * unmerge, an import, a history row moved in time, a follow-up deleted, and a lead deleted outright in SQL.
 */
let t: TestApp;
let admin: Session;
let agent: Session;
let other: Session;
let teamId: number;
let lostReason: number;

const DAY_MS = 86_400_000;
const FROM = '2026-11-05T00:00:00.000Z';
const TO = '2026-11-15T00:00:00.000Z';

async function call(s: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: s.headers,
    payload: payload as object,
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
}
const get = async (s: Session, url: string) => (await call(s, 'GET', url)).json();

/** Spreads a lead's history over November, a day and a half or more per step (the stays are known). */
async function backdate(leadId: number, i: number) {
  const k = t.db.kysely;
  const start = Date.parse(`2026-11-${String(1 + (i % 20)).padStart(2, '0')}T10:00:00.000Z`);
  await k
    .updateTable('leads')
    .set({ created_at: new Date(start).toISOString() })
    .where('id', '=', leadId)
    .execute();
  const hist = await k
    .selectFrom('status_history')
    .select('id')
    .where('lead_id', '=', leadId)
    .orderBy('id')
    .execute();
  for (const [n, h] of hist.entries()) {
    const at = new Date(start + n * (36 + (i % 7)) * 3600_000 + (i % 3) * 61_000).toISOString();
    await k.updateTable('status_history').set({ created_at: at }).where('id', '=', h.id).execute();
  }
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await signup(t.app);
  agent = await addMember(t.app, admin, 'agent');
  other = await addMember(t.app, admin, 'agent');
  teamId = (await call(admin, 'POST', '/teams', { name: 'North', member_ids: [agent.userId] })).json().id;
  lostReason = (await get(admin, '/reasons?category=lost')).data[0].id;
  const owners = [admin.userId, agent.userId, other.userId, null];
  const paths = [
    [],
    ['qualified'],
    ['qualified', 'won'],
    ['proposal', 'lost'],
    ['qualified', 'proposal', 'won', 'production'],
    ['qualified', 'proposal'],
  ];
  for (let i = 0; i < 30; i++) {
    const lead = await createLead(t.app, admin, {
      source: ['web', 'fair', null][i % 3],
      owner_id: owners[i % 4],
      team_id: i % 3 === 0 ? teamId : null,
      value: `${i * 10}.${String(i % 100).padStart(2, '0')}`,
    });
    for (const status of paths[i % 6])
      await call(admin, 'PATCH', `/leads/${lead.id}`, {
        status,
        ...(status === 'lost' ? { reason_id: lostReason } : {}),
      });
    if (i % 4 === 0)
      await call(admin, 'POST', `/leads/${lead.id}/follow-ups`, { scheduled_at: '2099-01-01T09:00:00.000Z' });
    if (i % 5 === 1) await call(admin, 'POST', `/leads/${lead.id}/tasks`, { title: 'Call back' });
    await backdate(lead.id, i);
    // Shared with the agent without owner or team: a lead of another owner, and one with no owner.
    if (i === 2 || i === 7)
      await call(admin, 'POST', `/leads/${lead.id}/users`, { user_id: agent.userId, role: 'assignee' });
  }
}, 300_000);

afterAll(async () => {
  await t?.close();
});

/** What the reports should say, from the rows: live, unmerged leads the caller sees, and their activities. */
async function expected(forAgent?: Session) {
  const k = t.db.kysely;
  let leads = await k
    .selectFrom('leads')
    .selectAll()
    .where('org_id', '=', admin.orgId)
    .where('deleted_at', 'is', null)
    .where('merged_into_id', 'is', null)
    .execute();
  if (forAgent) {
    const teams = (
      await k.selectFrom('team_members').select('team_id').where('user_id', '=', forAgent.userId).execute()
    ).map((x) => x.team_id);
    const shared = new Set(
      [
        ...(await k
          .selectFrom('lead_users')
          .select('lead_id')
          .where('user_id', '=', forAgent.userId)
          .execute()),
        ...(teams.length
          ? await k.selectFrom('lead_teams').select('lead_id').where('team_id', 'in', teams).execute()
          : []),
      ].map((x) => x.lead_id),
    );
    leads = leads.filter(
      (l) =>
        l.owner_id === forAgent.userId ||
        (l.team_id !== null && teams.includes(l.team_id)) ||
        shared.has(l.id),
    );
  }
  const owner = new Map(leads.map((l) => [l.id, l.owner_id]));
  const mine = <T extends { lead_id: number | null }>(rows: T[]) =>
    rows.filter((r) => r.lead_id !== null && owner.has(r.lead_id));
  const history = mine(
    await k.selectFrom('status_history').selectAll().where('org_id', '=', admin.orgId).execute(),
  );
  const followUps = mine(
    await k.selectFrom('follow_ups').selectAll().where('org_id', '=', admin.orgId).execute(),
  );
  const tasks = mine(await k.selectFrom('tasks').selectAll().where('org_id', '=', admin.orgId).execute());
  const statuses = await k
    .selectFrom('statuses')
    .select(['id', 'key', 'category'])
    .where('org_id', '=', admin.orgId)
    .execute();
  const keyOf = new Map(statuses.map((s) => [s.id, s.key]));
  const category = new Map(statuses.map((s) => [s.id, s.category]));

  /** Completed stays per status key (ms), entered in [from, to) when given, on one owner's leads when given. */
  const stays = (from?: string, to?: string, ownerId?: number) => {
    const perLead = new Map<number, typeof history>();
    for (const h of history)
      if (ownerId === undefined || owner.get(h.lead_id) === ownerId)
        perLead.set(h.lead_id, [...(perLead.get(h.lead_id) ?? []), h]);
    const out = new Map<string, number[]>();
    for (const hs of perLead.values()) {
      hs.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
      for (let n = 0; n + 1 < hs.length; n++) {
        if ((from && hs[n].created_at < from) || (to && hs[n].created_at >= to)) continue;
        const key = keyOf.get(hs[n].to_status_id)!;
        out.set(key, [
          ...(out.get(key) ?? []),
          Date.parse(hs[n + 1].created_at) - Date.parse(hs[n].created_at),
        ]);
      }
    }
    return out;
  };
  /** Follow-ups, tasks and status changes per owner ('null' for none), recorded in [from, to) when given. */
  const activity = (from?: string, to?: string) => {
    const inRange = (at: string) => (!from || at >= from) && (!to || at < to);
    const out = new Map<string, [number, number, number]>();
    const add = (leadId: number, at: string, i: 0 | 1 | 2) => {
      if (!inRange(at)) return;
      const key = String(owner.get(leadId));
      const v = out.get(key) ?? [0, 0, 0];
      v[i] += 1;
      out.set(key, v);
    };
    for (const f of followUps) add(f.lead_id!, f.created_at, 0);
    for (const x of tasks) add(x.lead_id!, x.created_at, 1);
    for (const h of history) if (h.from_status_id !== null) add(h.lead_id, h.created_at, 2);
    return out;
  };
  const monday = (iso: string) => {
    const d = new Date(iso.slice(0, 10) + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d.toISOString().slice(0, 10);
  };
  /** Leads created per period and source, in [from, to) and of one status or source when given. */
  const created = (
    period: 'day' | 'week' | 'month',
    o: { from?: string; to?: string; status?: string; source?: string } = {},
  ) => {
    const out = new Map<string, number>();
    for (const l of leads) {
      if ((o.from && l.created_at < o.from) || (o.to && l.created_at >= o.to)) continue;
      if (o.status && keyOf.get(l.status_id) !== o.status) continue;
      if (o.source && l.source !== o.source) continue;
      const p =
        period === 'day'
          ? l.created_at.slice(0, 10)
          : period === 'month'
            ? l.created_at.slice(0, 7)
            : monday(l.created_at);
      out.set(`${p}|${l.source}`, (out.get(`${p}|${l.source}`) ?? 0) + 1);
    }
    return out;
  };
  /** Leads created in [from, to) per source or owner, and how many reached a won or converted outcome. */
  const conversion = (by: 'source' | 'owner', from?: string, to?: string) => {
    const out = new Map<string, [number, number]>();
    const outcome = (id: number | null) => ['won', 'converted'].includes(category.get(id ?? -1) ?? '');
    for (const l of leads) {
      if ((from && l.created_at < from) || (to && l.created_at >= to)) continue;
      const reached =
        outcome(l.status_id) ||
        l.converted_at !== null ||
        history.some((h) => h.lead_id === l.id && outcome(h.to_status_id));
      const key = String(by === 'source' ? l.source : l.owner_id);
      const v = out.get(key) ?? [0, 0];
      out.set(key, [v[0] + 1, v[1] + (reached ? 1 : 0)]);
    }
    return out;
  };
  /** Leads now in a won status per month first won (their last status change without such history). */
  const wonValue = (from?: string, to?: string) => {
    const out = new Map<string, [number, number]>();
    for (const l of leads.filter((x) => category.get(x.status_id) === 'won')) {
      const first = history
        .filter((h) => h.lead_id === l.id && category.get(h.to_status_id) === 'won')
        .map((h) => h.created_at)
        .sort()[0];
      const at = first ?? l.status_changed_at;
      if ((from && at < from) || (to && at >= to)) continue;
      const v = out.get(at.slice(0, 7)) ?? [0, 0];
      out.set(at.slice(0, 7), [v[0] + 1, v[1] + (l.value_cents ?? 0)]);
    }
    return out;
  };
  return { stays, activity, created, conversion, wonValue };
}

const median = (xs: number[]) => {
  const d = [...xs].sort((a, b) => a - b);
  return d.length % 2 ? d[(d.length - 1) / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
};

/** Every report of this file, for one caller, against the rows. */
async function check(s: Session, scope?: Session, label = '') {
  const e = await expected(scope);
  const who = `${label} (${scope ? 'agent' : 'admin'})`;

  // Time in status: no range (totals and the median walk), a range (stays entered in it), and a range that is
  // not on midnights (the same table, another query). On one owner (the stays by owner, 0240), an agent's own
  // (by owner alone) or another's (the stays of the filtered leads), with and without a range.
  const cases: Array<readonly [string, string | undefined, string | undefined, number | undefined]> = [
    ['', undefined, undefined, undefined],
    [`?from=${FROM}&to=${TO}`, FROM, TO, undefined],
    ['?from=2026-11-03T12:30:00.000Z', '2026-11-03T12:30:00.000Z', undefined, undefined],
  ];
  for (const o of [agent.userId, other.userId])
    cases.push(
      [`?owner_id=${o}`, undefined, undefined, o],
      [`?owner_id=${o}&from=${FROM}&to=${TO}`, FROM, TO, o],
    );
  for (const [q, from, to, ownerId] of cases) {
    const want = e.stays(from, to, ownerId);
    const res = await get(s, `/reports/time-in-status${q}`);
    const got = res.data.filter((r: { stays: number }) => r.stays > 0);
    expect(got.map((r: { status: string }) => r.status).sort(), `${who} ${q}`).toEqual(
      [...want.keys()].sort(),
    );
    for (const r of got) {
      const ms = want.get(r.status)!;
      expect(r.stays, `${who} ${q} ${r.status}`).toBe(ms.length);
      expect(r.median_days, `${who} ${q} ${r.status}`).toBeCloseTo(median(ms) / DAY_MS, 2);
      expect(r.mean_days, `${who} ${q} ${r.status}`).toBeCloseTo(
        ms.reduce((a, x) => a + x, 0) / ms.length / DAY_MS,
        2,
      );
    }
  }

  // Activity: no range and a range on midnights (rollup), a range off midnights (each activity read).
  for (const [q, from, to] of [
    ['', undefined, undefined],
    [`?from=${FROM}&to=${TO}`, FROM, TO],
    ['?from=2026-11-03T12:30:00.000Z', '2026-11-03T12:30:00.000Z', undefined],
  ] as const) {
    const want = e.activity(from, to);
    const res = await get(s, `/reports/activity${q}`);
    const got = new Map<string, [number, number, number]>(
      res.data.map(
        (r: { owner_id: number | null; follow_ups: number; tasks: number; status_changes: number }) => [
          String(r.owner_id),
          [r.follow_ups, r.tasks, r.status_changes],
        ],
      ),
    );
    expect(got, `${who} activity ${q}`).toEqual(want);
  }

  // Conversion: no range (lead_totals), a range on midnights (lead_rollups by source), off midnights (leads);
  // the reached leads from lead_outcomes.
  for (const by of ['source', 'owner'] as const)
    for (const [q, from, to] of [
      ['', undefined, undefined],
      [`&from=${FROM}&to=${TO}`, FROM, TO],
      ['&from=2026-11-03T12:30:00.000Z', '2026-11-03T12:30:00.000Z', undefined],
    ] as const) {
      const res = await get(s, `/reports/conversion?by=${by}${q}`);
      const got = new Map<string, [number, number]>(
        res.data.map(
          (r: { source?: string | null; owner_id?: number | null; leads: number; converted: number }) => [
            String(by === 'source' ? r.source : r.owner_id),
            [r.leads, r.converted],
          ],
        ),
      );
      expect(got, `${who} conversion by ${by} ${q}`).toEqual(e.conversion(by, from, to));
    }
  // Won value per month, all time and in a range.
  for (const [q, from, to] of [
    ['', undefined, undefined],
    [`?from=${FROM}&to=${TO}`, FROM, TO],
  ] as const) {
    const res = await get(s, `/reports/won-value${q}`);
    const got = new Map<string, [number, number]>(
      res.data.map((r: { month: string; count: number; value: string }) => [
        r.month,
        [r.count, Math.round(Number(r.value) * 100)],
      ]),
    );
    expect(got, `${who} won value ${q}`).toEqual(e.wonValue(from, to));
  }

  // Leads created per period by source: lead_days (no filter, a source), lead_rollups (a status), the leads (a
  // range off midnights).
  for (const [q, period, o] of [
    ['period=week', 'week', {}],
    ['period=month', 'month', {}],
    [`period=day&from=${FROM}&to=${TO}`, 'day', { from: FROM, to: TO }],
    ['period=day&source=web', 'day', { source: 'web' }],
    ['period=week&status=qualified', 'week', { status: 'qualified' }],
    ['period=day&from=2026-11-03T12:30:00.000Z', 'day', { from: '2026-11-03T12:30:00.000Z' }],
  ] as const) {
    const res = await get(s, `/reports/created?${q}`);
    const got = new Map<string, number>(
      res.data.map((r: { period: string; source: string | null; count: number }) => [
        `${r.period}|${r.source}`,
        r.count,
      ]),
    );
    expect(got, `${who} created ${q}`).toEqual(e.created(period, o));
  }
}

async function checkBoth(label: string) {
  await check(admin, undefined, label);
  await check(agent, agent, label);
}

describe('reports kept by triggers (status_stays, activity_rollups)', () => {
  it('count what the rows hold, for an admin and an agent', async () => {
    const e = await expected();
    expect(e.stays().size).toBeGreaterThan(2);
    expect(e.activity().size).toBe(4);
    await checkBoth('seeded');
    // An owner filter uses the activity rollup; a status filter reads the activities of the filtered leads.
    const mine = await get(admin, `/reports/activity?owner_id=${agent.userId}`);
    const all = await get(admin, '/reports/activity');
    expect(mine.data).toEqual(
      all.data.filter((r: { owner_id: number | null }) => r.owner_id === agent.userId),
    );
    // An agent: their own leads from the rollup, the team's other leads read; filtered on either owner.
    const theirs = await get(agent, '/reports/activity');
    for (const o of [agent.userId, other.userId]) {
      const one = await get(agent, `/reports/activity?owner_id=${o}`);
      expect(one.data).toEqual(theirs.data.filter((r: { owner_id: number | null }) => r.owner_id === o));
    }
    expect(theirs.data.map((r: { owner_id: number | null }) => r.owner_id)).toContain(other.userId);
  });

  it('follow every write path', async () => {
    const leads = (await get(admin, '/leads?limit=12&include_converted=true&sort=created_at')).data as Array<{
      id: number;
    }>;
    // An owner change moves the lead's activities; status changes add history (a stay ends, one begins).
    await call(admin, 'PATCH', `/leads/${leads[0].id}`, { owner_id: other.userId });
    await call(admin, 'PATCH', `/leads/${leads[1].id}`, { owner_id: agent.userId, status: 'proposal' });
    await call(admin, 'PATCH', `/leads/${leads[2].id}`, { status: 'lost', reason_id: lostReason });
    await checkBoth('owner and status changes');

    // Deleted leads leave every report; a restore brings their stays and activities back.
    await call(admin, 'DELETE', `/leads/${leads[3].id}`);
    await call(admin, 'DELETE', `/leads/${leads[4].id}`);
    await call(admin, 'POST', `/leads/${leads[4].id}/restore`);
    await checkBoth('delete and restore');

    // Bulk actions: owner, status, delete, restore.
    await call(admin, 'POST', '/leads/bulk', {
      ids: [leads[5].id, leads[6].id],
      action: 'owner',
      owner_id: agent.userId,
    });
    await call(admin, 'POST', '/leads/bulk', {
      ids: [leads[5].id, leads[7].id],
      action: 'status',
      status: 'qualified',
    });
    await call(admin, 'POST', '/leads/bulk', { ids: [leads[8].id], action: 'delete' });
    await checkBoth('bulk');
    await call(admin, 'POST', '/leads/bulk', { ids: [leads[8].id], action: 'restore' });

    // A merge moves the duplicate's history and activities to the primary (its stays are recomputed with the
    // primary's); an unmerge moves them back.
    const primary = leads[9].id;
    const dupe = await createLead(t.app, admin, { source: 'web', owner_id: other.userId });
    await call(admin, 'PATCH', `/leads/${dupe.id}`, { status: 'qualified' });
    await call(admin, 'POST', `/leads/${dupe.id}/follow-ups`, { scheduled_at: '2099-02-01T09:00:00.000Z' });
    await call(admin, 'POST', `/leads/${dupe.id}/tasks`, { title: 'Send the brochure' });
    await backdate(dupe.id, 7);
    await checkBoth('before merge');
    await call(admin, 'POST', '/leads/merge', { primary_id: primary, ids: [dupe.id] });
    await checkBoth('merged');
    await call(admin, 'POST', `/leads/${dupe.id}/unmerge`);
    await checkBoth('unmerged');

    // An import: new leads with a status and an owner, and an existing lead updated by its email.
    const existing = (await get(admin, `/leads/${leads[10].id}`)) as { email: string };
    const job = await importFile(
      t.app,
      admin,
      'r.csv',
      `email,name,status\n${existing.email},Ada Updated,won\nfresh1@example.com,Fresh One,qualified\nfresh2@example.com,Fresh Two,new\n`,
      { dedupe: { on: ['email'], policy: 'update' }, defaults: { owner_id: agent.userId } },
    );
    expect(job.status).toBe('completed');
    expect(job.counts).toMatchObject({ created: 2, updated: 1, failed: 0 });
    await checkBoth('import');

    // A history row moved in time, a follow-up deleted, and a lead deleted outright (its rows cascade).
    const k = t.db.kysely;
    const h = await k
      .selectFrom('status_history')
      .select(['id', 'created_at'])
      .where('lead_id', '=', leads[11].id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await k
      .updateTable('status_history')
      .set({ created_at: new Date(Date.parse(h.created_at) + 5 * DAY_MS).toISOString() })
      .where('id', '=', h.id)
      .execute();
    // Two history rows written in one statement, one dated inside the lead's history (its stays are recomputed),
    // one after its end (the stay before it ends).
    const ids = (
      await k.selectFrom('statuses').select(['id', 'key']).where('org_id', '=', admin.orgId).execute()
    ).reduce<Record<string, number>>((a, x) => ({ ...a, [x.key]: x.id }), {});
    await k
      .insertInto('status_history')
      .values([
        {
          org_id: admin.orgId,
          lead_id: leads[11].id,
          from_status_id: ids.new,
          to_status_id: ids.won,
          created_at: '2026-11-02T03:00:00.000Z',
        },
        {
          org_id: admin.orgId,
          lead_id: leads[11].id,
          from_status_id: ids.won,
          to_status_id: ids.negotiation,
          created_at: '2026-12-20T03:00:00.000Z',
        },
      ])
      .execute();
    const fu = await k
      .selectFrom('follow_ups')
      .select(['id', 'lead_id'])
      .where('org_id', '=', admin.orgId)
      .where('lead_id', 'is not', null)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await call(admin, 'DELETE', `/leads/${fu.lead_id}/follow-ups/${fu.id}`);
    const gone = (await get(admin, `/reports/activity`)).data.length;
    expect(gone).toBeGreaterThan(0);
    const withActivity = await k
      .selectFrom('leads')
      .select('id')
      .where('org_id', '=', admin.orgId)
      .where('deleted_at', 'is', null)
      .where((eb) =>
        eb.exists(eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.lead_id', '=', 'leads.id')),
      )
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await k.deleteFrom('leads').where('id', '=', withActivity.id).execute();
    await checkBoth('history moved, follow-up deleted, lead deleted outright');

    // Converted while in an open status; a status moved to the won category (every lead's outcome follows),
    // then back.
    await k
      .updateTable('leads')
      .set({ converted_at: new Date().toISOString() })
      .where('id', '=', leads[7].id)
      .execute();
    await call(admin, 'PATCH', '/statuses/proposal', { category: 'won' });
    await checkBoth('proposal counted as won');
    await call(admin, 'PATCH', '/statuses/proposal', { category: 'open' });
    await checkBoth('proposal open again');
  });

  it('hold what their migrations build from the rows (the backfill the migrations and the benchmark seed run)', async () => {
    const k = t.db.kysely;
    const snapshot = async () => ({
      stays: await k.selectFrom('status_stays').selectAll().orderBy('history_id').execute(),
      totals: (
        await k
          .selectFrom('status_stay_totals')
          .selectAll()
          .orderBy(['org_id', 'live', 'status_id'])
          .execute()
      ).filter((r) => Number(r.n) !== 0),
      activity: (
        await k
          .selectFrom('activity_rollups')
          .selectAll()
          .orderBy(['org_id', 'live', 'day', 'owner_id', 'kind'])
          .execute()
      ).filter((r) => Number(r.n) !== 0),
      outcomes: await k.selectFrom('lead_outcomes').selectAll().orderBy('lead_id').execute(),
      days: (
        await k.selectFrom('lead_days').selectAll().orderBy(['org_id', 'live', 'day', 'source']).execute()
      ).filter((r) => Number(r.n) !== 0),
    });
    const kept = await snapshot();
    expect(kept.stays.length).toBeGreaterThan(20);
    expect(kept.outcomes.length).toBeGreaterThan(5);
    await k.transaction().execute(async (tx) => {
      await refillStays(tx);
      await refillActivity(tx);
      await refillOutcomes(tx);
      await refillDays(tx);
    });
    expect(await snapshot()).toEqual(kept);
  });
});
