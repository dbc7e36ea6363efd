import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';

let t: TestApp;
let admin: Session;
let other: Session;
let agent: Session;
let advisor: Session;
let teamA: number;
let teamB: number;

async function count(table: string): Promise<number> {
  const r = await t.db.kysely
    .selectFrom(table as 'lead_users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
const inject = (method: string, url: string, s: Session, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: s.headers, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await createTestApp();
  admin = await signup(t.app);
  other = await signup(t.app);
  const mk = async (name: string) =>
    (await inject('POST', '/api/v1/teams', admin, { name })).json().id as number;
  teamA = await mk('Sales');
  teamB = await mk('Service');
  agent = await addMember(t.app, admin, 'agent', [teamB]);
  advisor = await addMember(t.app, admin, 'agent');
});
afterAll(async () => t.close());

describe('lead users with roles and teams', () => {
  it('creates a lead with assignees, an advisor and several teams, and shows them everywhere', async () => {
    const lead = await createLead(t.app, admin, {
      owner_id: admin.userId,
      team_id: teamA,
      team_ids: [teamA, teamB],
      users: [
        { user_id: agent.userId, role: 'assignee' },
        { user_id: advisor.userId, role: 'assignee' },
        { user_id: advisor.userId, role: 'advisor' },
      ],
    });
    expect(lead.users.map((u: { role: string; user_id: number }) => [u.role, u.user_id])).toEqual([
      ['owner', admin.userId],
      ['assignee', agent.userId],
      ['assignee', advisor.userId],
      ['advisor', advisor.userId],
    ]);
    expect(lead.team_ids).toEqual([teamA, teamB]);

    const list = await inject('GET', `/api/v1/leads/${lead.id}/users`, admin);
    expect(list.json().data).toHaveLength(4);
    const teams = await inject('GET', `/api/v1/leads/${lead.id}/teams`, admin);
    expect(teams.json().data).toEqual([
      { id: teamA, team_id: teamA, primary: true },
      { id: teamB, team_id: teamB, primary: false },
    ]);

    const byRole = await inject('GET', `/api/v1/leads?user_id=${advisor.userId}&role=advisor`, admin);
    expect(byRole.json().data.map((l: { id: number }) => l.id)).toEqual([lead.id]);
    const notBdc = await inject('GET', `/api/v1/leads?user_id=${advisor.userId}&role=bdc`, admin);
    expect(notBdc.json().data).toEqual([]);
    const anyRole = await inject('GET', `/api/v1/leads?user_id=${agent.userId}`, admin);
    expect(anyRole.json().data.map((l: { id: number }) => l.id)).toEqual([lead.id]);
    const byTeam = await inject('GET', `/api/v1/leads?team_id=${teamB}`, admin);
    expect(byTeam.json().data.map((l: { id: number }) => l.id)).toContain(lead.id);
    const badRole = await inject('GET', `/api/v1/leads?role=pilot`, admin);
    expect(badRole.statusCode).toBe(422);
    expect(badRole.json().errors[0].field).toBe('role');
  });

  it('adds, changes and removes one entry through /leads/:id/users, each a new lead version', async () => {
    const lead = await createLead(t.app, admin);
    const add = await inject('POST', `/api/v1/leads/${lead.id}/users`, admin, {
      user_id: advisor.userId,
      role: 'bdc',
    });
    expect(add.statusCode).toBe(201);
    const entry = add.json();
    expect(entry).toMatchObject({ user_id: advisor.userId, role: 'bdc' });
    const got = await inject('GET', `/api/v1/leads/${lead.id}/users/${entry.id}`, admin);
    expect(got.json()).toEqual(entry);

    const second = await inject('POST', `/api/v1/leads/${lead.id}/users`, admin, {
      user_id: agent.userId,
      role: 'bdc',
    });
    expect(second.statusCode).toBe(422);
    expect(second.json().errors[0].field).toBe('role');

    const patched = await inject('PATCH', `/api/v1/leads/${lead.id}/users/${entry.id}`, admin, {
      role: 'delivered_by',
    });
    expect(patched.json()).toMatchObject({ id: entry.id, role: 'delivered_by' });
    const owner = await inject('POST', `/api/v1/leads/${lead.id}/users`, admin, {
      user_id: agent.userId,
      role: 'owner',
    });
    expect(owner.statusCode).toBe(201);
    const after = (await inject('GET', `/api/v1/leads/${lead.id}`, admin)).json();
    expect(after.owner_id).toBe(agent.userId);
    expect(after.version).toBeGreaterThan(lead.version + 1);

    const del = await inject('DELETE', `/api/v1/leads/${lead.id}/users/${entry.id}`, admin);
    expect(del.statusCode).toBe(204);
    const gone = await inject('GET', `/api/v1/leads/${lead.id}/users/${entry.id}`, admin);
    expect(gone.statusCode).toBe(404);
  });

  it('refuses an unknown role, a user of another organization, an owner in users and a team of another org: 422, nothing written', async () => {
    const lead = await createLead(t.app, admin);
    const theirTeam = (await inject('POST', '/api/v1/teams', other, { name: 'Theirs' })).json().id;
    const before = [await count('leads'), await count('lead_users'), await count('lead_teams')];
    const res = await inject('POST', '/api/v1/leads', admin, {
      first_name: 'Refused',
      users: [
        { user_id: agent.userId, role: 'pilot' },
        { user_id: other.userId, role: 'assignee' },
        { user_id: agent.userId, role: 'owner' },
      ],
      team_ids: [theirTeam],
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['team_ids.0', 'users.0.role', 'users.1.user_id', 'users.2.role']);
    const patch = await inject('PATCH', `/api/v1/leads/${lead.id}`, admin, {
      first_name: 'Changed',
      users: [
        { user_id: agent.userId, role: 'advisor' },
        { user_id: advisor.userId, role: 'advisor' },
      ],
    });
    expect(patch.statusCode).toBe(422);
    expect(patch.json().errors[0].field).toBe('users.1.role');
    const one = await inject('POST', `/api/v1/leads/${lead.id}/users`, admin, {
      user_id: other.userId,
      role: 'commercial',
    });
    expect(one.statusCode).toBe(422);
    expect(one.json().errors[0].field).toBe('user_id');
    expect([await count('leads'), await count('lead_users'), await count('lead_teams')]).toEqual(before);
    expect((await inject('GET', `/api/v1/leads/${lead.id}`, admin)).json().first_name).toBe('Ada');
  });

  it('an agent sees the leads they hold in any role or through any of their teams, and no other', async () => {
    const asAdvisor = await createLead(t.app, admin, {
      users: [{ user_id: agent.userId, role: 'service_agent' }],
    });
    const viaTeam = await createLead(t.app, admin, { team_id: teamA, team_ids: [teamA, teamB] });
    const hidden = await createLead(t.app, admin, { users: [{ user_id: advisor.userId, role: 'assignee' }] });
    for (const id of [asAdvisor.id, viaTeam.id])
      expect((await inject('GET', `/api/v1/leads/${id}`, agent)).statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/leads/${hidden.id}`, agent)).statusCode).toBe(404);
    expect((await inject('GET', `/api/v1/leads/${hidden.id}/users`, agent)).statusCode).toBe(404);
    const ids = (await inject('GET', '/api/v1/leads?limit=200', agent))
      .json()
      .data.map((l: { id: number }) => l.id);
    expect(ids).toContain(asAdvisor.id);
    expect(ids).toContain(viaTeam.id);
    expect(ids).not.toContain(hidden.id);
  });

  it('adds and removes teams through /leads/:id/teams; the first team becomes the primary one', async () => {
    const lead = await createLead(t.app, admin);
    const add = await inject('POST', `/api/v1/leads/${lead.id}/teams`, admin, { team_id: teamB });
    expect(add.json()).toEqual({ id: teamB, team_id: teamB, primary: true });
    expect((await inject('GET', `/api/v1/leads/${lead.id}`, admin)).json().team_id).toBe(teamB);
    await inject('POST', `/api/v1/leads/${lead.id}/teams`, admin, { team_id: teamA });
    const dup = await inject('POST', `/api/v1/leads/${lead.id}/teams`, admin, { team_id: teamA });
    expect(dup.statusCode).toBe(422);
    expect((await inject('DELETE', `/api/v1/leads/${lead.id}/teams/${teamB}`, admin)).statusCode).toBe(204);
    const now = (await inject('GET', `/api/v1/leads/${lead.id}`, admin)).json();
    expect(now.team_id).toBe(teamA);
    expect(now.team_ids).toEqual([teamA]);
  });
});
