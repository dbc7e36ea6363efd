import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { countAllTables } from './table-counts.js';
import { importFile } from './imports.helpers.js';
import type { AssignmentService } from '../src/assignment/assignment.service.js';

let t: TestApp;
let app: FastifyInstance;
let fakeNow = Date.now();
const clock = () => new Date(fakeNow);

beforeAll(async () => {
  t = await createTestApp({}, { background: { clock } });
  app = t.app;
});
afterAll(async () => {
  await t.close();
});

function assignment(): AssignmentService {
  return (app as unknown as { background: { assignment: AssignmentService } }).background.assignment;
}

async function org(members = 3) {
  const admin = await signup(app);
  const agents: Session[] = [];
  for (let i = 0; i < members; i++) agents.push(await addMember(app, admin, 'agent'));
  return { admin, agents };
}

async function rule(s: Session, body: Record<string, unknown>) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/assignment-rules',
    headers: s.headers,
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('assignment rules', () => {
  it('CRUD, order, validation naming the field (writing nothing), other organizations see 404', async () => {
    const { admin, agents } = await org(2);
    const a = await rule(admin, { name: 'Web', strategy: 'user', user_ids: [agents[0].userId] });
    const b = await rule(admin, {
      name: 'Rest',
      strategy: 'round_robin',
      user_ids: agents.map((x) => x.userId),
    });
    expect([a.position, b.position]).toEqual([1, 2]);
    expect(a.capacity).toBe(30);
    expect(a.capacity_days).toBe(30);

    const before = await countAllTables(t.db);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/assignment-rules',
      headers: admin.headers,
      payload: {
        name: 'Bad',
        strategy: 'user',
        user_ids: [999999],
        conditions: [
          { field: 'shoe_size', op: 'eq', value: 1 },
          { field: 'source', op: 'in', value: 'x' },
        ],
      },
    });
    expect(bad.statusCode).toBe(422);
    const fields = bad.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['conditions[0].field', 'conditions[1].value', 'user_ids']),
    );
    expect(await countAllTables(t.db)).toEqual(before);

    const order = await app.inject({
      method: 'PUT',
      url: '/api/v1/assignment-rules/order',
      headers: admin.headers,
      payload: { ids: [b.id, a.id] },
    });
    expect(order.statusCode).toBe(200);
    expect(order.json().data.map((r: { id: number }) => r.id)).toEqual([b.id, a.id]);
    const partial = await app.inject({
      method: 'PUT',
      url: '/api/v1/assignment-rules/order',
      headers: admin.headers,
      payload: { ids: [b.id] },
    });
    expect(partial.statusCode).toBe(422);

    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/assignment-rules/${a.id}`,
      headers: admin.headers,
      payload: { name: 'Web 2', strategy: 'user', user_ids: [agents[1].userId], enabled: false },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'Web 2', enabled: false, user_ids: [agents[1].userId] });

    const other = await signup(app);
    for (const method of ['GET', 'DELETE'] as const) {
      const r = await app.inject({ method, url: `/api/v1/assignment-rules/${a.id}`, headers: other.headers });
      expect(r.statusCode).toBe(404);
    }
    const agentWrite = await app.inject({
      method: 'POST',
      url: '/api/v1/assignment-rules',
      headers: agents[0].headers,
      payload: { name: 'x', strategy: 'team', team_id: 1 },
    });
    expect(agentWrite.statusCode).toBe(403);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/assignment-rules/${a.id}`,
      headers: admin.headers,
    });
    expect(del.statusCode).toBe(204);
  });

  it('round robin hands leads out in turn, shows the rule on the lead, and an explicit owner wins', async () => {
    const { admin, agents } = await org(3);
    const r = await rule(admin, {
      name: 'All',
      strategy: 'round_robin',
      user_ids: agents.map((a) => a.userId),
    });
    const owners: number[] = [];
    for (let i = 0; i < 6; i++) {
      const lead = await createLead(app, admin);
      expect(lead.assignment_rule_id).toBe(r.id);
      owners.push(lead.owner_id);
    }
    const ids = agents.map((a) => a.userId);
    expect(owners).toEqual([...ids, ...ids]);
    const explicit = await createLead(app, admin, { owner_id: admin.userId });
    expect(explicit.owner_id).toBe(admin.userId);
    expect(explicit.assignment_rule_id).toBeNull();
    const nulled = await createLead(app, admin, { owner_id: null });
    expect(nulled.owner_id).toBeNull();
    const hist = await app.inject({
      method: 'GET',
      url: `/api/v1/leads/${(await createLead(app, admin)).id}/assignments`,
      headers: admin.headers,
    });
    expect(hist.json().data).toEqual([
      expect.objectContaining({ rule_id: r.id, user_id: ids[0], reason: 'rule' }),
    ]);
  });

  it('conditions on source, country, state and custom fields pick the rule; order decides', async () => {
    const { admin, agents } = await org(3);
    await app.inject({
      method: 'POST',
      url: '/api/v1/custom-fields',
      headers: admin.headers,
      payload: { key: 'segment', label: 'Segment', type: 'text' },
    });
    const fr = await rule(admin, {
      name: 'France web',
      strategy: 'user',
      user_ids: [agents[0].userId],
      conditions: [
        { field: 'source', op: 'eq', value: 'Web' },
        { field: 'country', op: 'in', value: ['FR', 'BE'] },
      ],
    });
    const texas = await rule(admin, {
      name: 'Texas',
      strategy: 'user',
      user_ids: [agents[1].userId],
      conditions: [{ field: 'address.state', op: 'eq', value: 'tx' }],
    });
    const ent = await rule(admin, {
      name: 'Enterprise',
      strategy: 'user',
      user_ids: [agents[2].userId],
      conditions: [{ field: 'custom_fields.segment', op: 'eq', value: 'enterprise' }],
    });
    const a = await createLead(app, admin, { source: 'web', address: { country: 'fr' } });
    expect([a.owner_id, a.assignment_rule_id]).toEqual([agents[0].userId, fr.id]);
    const b = await createLead(app, admin, { source: 'web', address: { country: 'US', state: 'TX' } });
    expect([b.owner_id, b.assignment_rule_id]).toEqual([agents[1].userId, texas.id]);
    const c = await createLead(app, admin, { custom_fields: { segment: 'Enterprise' } });
    expect([c.owner_id, c.assignment_rule_id]).toEqual([agents[2].userId, ent.id]);
    const none = await createLead(app, admin, { source: 'fair' });
    expect([none.owner_id, none.assignment_rule_id]).toEqual([null, null]);
  });

  it('skips away and deactivated users, respects the capacity, falls through to the next rule', async () => {
    const { admin, agents } = await org(3);
    const [a, b, c] = agents;
    const first = await rule(admin, {
      name: 'Capped',
      strategy: 'round_robin',
      user_ids: [a.userId, b.userId],
      capacity: 2,
      capacity_days: 30,
    });
    const fallback = await rule(admin, { name: 'Fallback', strategy: 'user', user_ids: [c.userId] });
    // b marks themselves away: a takes every turn, up to the capacity.
    const away = await app.inject({
      method: 'PUT',
      url: `/api/v1/assignment-users/${b.userId}/away`,
      headers: b.headers,
      payload: { away: true },
    });
    expect(away.statusCode).toBe(200);
    const owners = [];
    for (let i = 0; i < 3; i++) owners.push((await createLead(app, admin)).owner_id);
    expect(owners).toEqual([a.userId, a.userId, c.userId]);
    const third = await createLead(app, admin);
    expect(third.assignment_rule_id).toBe(fallback.id);
    // b is back but deactivated: still skipped.
    await app.inject({
      method: 'PUT',
      url: `/api/v1/assignment-users/${b.userId}/away`,
      headers: admin.headers,
      payload: { away: false },
    });
    const off = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${b.userId}`,
      headers: admin.headers,
      payload: { active: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect((await createLead(app, admin)).owner_id).toBe(c.userId);
    // Another agent may not mark b away.
    const notTheirs = await app.inject({
      method: 'PUT',
      url: `/api/v1/assignment-users/${a.userId}/away`,
      headers: c.headers,
      payload: { away: true },
    });
    expect(notTheirs.statusCode).toBe(403);
    const avail = await app.inject({
      method: 'GET',
      url: '/api/v1/assignment-users',
      headers: admin.headers,
    });
    const rowA = avail.json().data.find((u: { user_id: number }) => u.user_id === a.userId);
    expect(rowA).toMatchObject({ away: false, active: true, assigned_last_30_days: 2, open_leads: 2 });
    expect(first.id).toBeGreaterThan(0);
  });

  it('least open leads and team strategies', async () => {
    const { admin, agents } = await org(2);
    const [a, b] = agents;
    // a already holds two open leads.
    await createLead(app, admin, { owner_id: a.userId });
    await createLead(app, admin, { owner_id: a.userId });
    const team = await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: admin.headers,
      payload: { name: 'Inside sales' },
    });
    expect(team.statusCode, team.body).toBe(201);
    const teamId = team.json().id;
    await rule(admin, {
      name: 'Partners to team',
      strategy: 'team',
      team_id: teamId,
      conditions: [{ field: 'source', op: 'eq', value: 'partner' }],
    });
    await rule(admin, { name: 'Least', strategy: 'least_open', user_ids: [a.userId, b.userId] });
    const owners = [];
    for (let i = 0; i < 4; i++) owners.push((await createLead(app, admin)).owner_id);
    // b gets leads until level with a, then they alternate (ties to the lower id).
    expect(owners.slice(0, 2)).toEqual([b.userId, b.userId]);
    expect(owners.filter((o) => o === a.userId).length).toBe(1);
    const p = await createLead(app, admin, { source: 'partner' });
    expect([p.owner_id, p.team_id]).toEqual([null, teamId]);
  });

  it('an import assigns by the same rules', async () => {
    const { admin, agents } = await org(2);
    const r = await rule(admin, {
      name: 'RR',
      strategy: 'round_robin',
      user_ids: agents.map((a) => a.userId),
    });
    const csv = 'first_name,last_name,email\nA,One,a1@x.io\nB,Two,b2@x.io\nC,Three,c3@x.io\nD,Four,d4@x.io\n';
    const done = await importFile(app, admin, 'leads.csv', csv);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    const list = await app.inject({ method: 'GET', url: '/api/v1/leads?limit=50', headers: admin.headers });
    const leads = list.json().data as Array<{ owner_id: number; assignment_rule_id: number }>;
    expect(leads).toHaveLength(4);
    expect(leads.every((l) => l.assignment_rule_id === r.id)).toBe(true);
    const counts = agents.map((a) => leads.filter((l) => l.owner_id === a.userId).length);
    expect(counts).toEqual([2, 2]);
  });

  it('round robin stays fair under 20 concurrent creates', async () => {
    const { admin, agents } = await org(4);
    await rule(admin, { name: 'RR', strategy: 'round_robin', user_ids: agents.map((a) => a.userId) });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/leads',
          headers: admin.headers,
          payload: { first_name: `C${i}`, email: `c${i}.${Date.now()}@example.com` },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const counts = agents.map((a) => results.filter((r) => r.json().owner_id === a.userId).length);
    // Spread (most - fewest leads per user): 0.
    console.log(`round robin spread over 20 concurrent creates: ${JSON.stringify(counts)}`);
    expect(Math.max(...counts) - Math.min(...counts)).toBe(0);
  });

  it('SLA: a lead nobody contacted goes to the next user at the deadline (fake clock), history kept', async () => {
    const { admin, agents } = await org(2);
    const [a, b] = agents;
    await rule(admin, {
      name: 'SLA',
      strategy: 'round_robin',
      user_ids: [a.userId, b.userId],
      sla_minutes: 60,
    });
    fakeNow = Date.now();
    const cold = await createLead(app, admin);
    const warm = await createLead(app, admin);
    expect([cold.owner_id, warm.owner_id]).toEqual([a.userId, b.userId]);
    // The check is a job due at the deadline.
    const jobs = await t.db.kysely
      .selectFrom('jobs')
      .select(['run_after'])
      .where('org_id', '=', admin.orgId)
      .where('kind', '=', 'assignment.sla')
      .execute();
    expect(jobs.length).toBeGreaterThan(0);
    expect(Date.parse(jobs[0].run_after)).toBe(fakeNow + 60 * 60_000);
    // b works on the warm lead: a follow-up.
    const fu = await app.inject({
      method: 'POST',
      url: `/api/v1/leads/${warm.id}/follow-ups`,
      headers: b.headers,
      payload: { done_at: new Date().toISOString(), notes: 'called back' },
    });
    expect(fu.statusCode, fu.body).toBe(201);

    fakeNow += 59 * 60_000;
    expect(await assignment().sweepSla(admin.orgId)).toEqual({ reassigned: 0, contacted: 0, expired: 0 });
    fakeNow += 2 * 60_000;
    expect(await assignment().sweepSla(admin.orgId)).toEqual({ reassigned: 1, contacted: 1, expired: 0 });
    const after = await app.inject({
      method: 'GET',
      url: `/api/v1/leads/${cold.id}`,
      headers: admin.headers,
    });
    expect(after.json().owner_id).toBe(b.userId);
    const hist = (
      await app.inject({ method: 'GET', url: `/api/v1/leads/${cold.id}/assignments`, headers: admin.headers })
    ).json().data;
    expect(hist).toEqual([
      expect.objectContaining({ user_id: a.userId, reason: 'rule', outcome: 'reassigned' }),
      expect.objectContaining({
        user_id: b.userId,
        previous_user_id: a.userId,
        reason: 'sla',
        outcome: null,
      }),
    ]);
    // A second sweep at the same time changes nothing.
    expect(await assignment().sweepSla(admin.orgId)).toEqual({ reassigned: 0, contacted: 0, expired: 0 });
    fakeNow = Date.now();
  });
});
