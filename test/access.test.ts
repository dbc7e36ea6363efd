import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember, auditActions } from './access.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const req = (method: string, url: string, s: { headers: Record<string, string> }, payload?: unknown) =>
  t.app.inject({
    method: method as 'GET',
    url,
    headers: s.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

describe('invitations and users', () => {
  it('invites with a one-time token; the new member signs in with the invited role', async () => {
    const owner = await signup(t.app);
    const inv = await req('POST', '/api/v1/invitations', owner, {
      email: 'New.Person@Example.com',
      role: 'agent',
    });
    expect(inv.statusCode).toBe(201);
    const body = inv.json();
    expect(body).toMatchObject({ email: 'new.person@example.com', role: 'agent', state: 'pending' });
    expect(body.token).toMatch(/^lfi_/);
    const list = await req('GET', '/api/v1/invitations', owner);
    expect(JSON.stringify(list.json())).not.toContain(body.token);

    const accept = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${body.token}/accept`,
      payload: { name: 'New Person', password: 'a long password' },
    });
    expect(accept.statusCode).toBe(200);
    expect(accept.json()).toMatchObject({
      organization_id: owner.orgId,
      role: 'agent',
      user: { email: 'new.person@example.com' },
    });
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${accept.json().token}` },
    });
    expect(me.json()).toMatchObject({ organization_id: owner.orgId, role: 'agent' });

    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${body.token}/accept`,
      payload: { name: 'X', password: 'a long password' },
    });
    expect(again.statusCode).toBe(404);
    const bogus = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/lfi_not-a-real-token/accept',
      payload: { name: 'X', password: 'a long password' },
    });
    expect(bogus.statusCode).toBe(404);
    expect((await req('GET', '/api/v1/invitations', owner)).json().data[0].state).toBe('accepted');
    const users = (await req('GET', '/api/v1/users', owner)).json().data;
    expect(users.map((u: { email: string; role: string }) => [u.email, u.role])).toContainEqual([
      'new.person@example.com',
      'agent',
    ]);
  });

  it('an existing account joins a second organization with its own password only', async () => {
    const ownerA = await signup(t.app);
    const ownerB = await signup(t.app, { password: 'password of b owner' });
    const inv = (
      await req('POST', '/api/v1/invitations', ownerA, { email: ownerB.email, role: 'viewer' })
    ).json();
    const wrong = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.token}/accept`,
      payload: { password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.token}/accept`,
      payload: { password: 'password of b owner' },
    });
    expect(ok.statusCode).toBe(200);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${ok.json().token}`, 'x-organization-id': String(ownerA.orgId) },
    });
    expect(me.json()).toMatchObject({ organization_id: ownerA.orgId, role: 'viewer' });
    expect(me.json().organizations).toHaveLength(2);
  });

  it('expired invitations and expired sessions stop working', async () => {
    const owner = await signup(t.app);
    const inv = (
      await req('POST', '/api/v1/invitations', owner, { email: 'late@example.com', role: 'agent' })
    ).json();
    await t.db.kysely
      .updateTable('invitations')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', inv.id)
      .execute();
    const acc = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.token}/accept`,
      payload: { name: 'Late', password: 'a long password' },
    });
    expect(acc.statusCode).toBe(404);
    expect((await req('GET', '/api/v1/invitations', owner)).json().data[0].state).toBe('expired');
    await t.db.kysely
      .updateTable('sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('user_id', '=', owner.userId)
      .execute();
    const old = await req('GET', '/api/v1/me', owner);
    expect(old.statusCode).toBe(401);
    expect(old.json().code).toBe('unauthorized');
  });

  it('refuses a revoked invitation, a duplicate member (409) and bad input (400)', async () => {
    const owner = await signup(t.app);
    const inv = (
      await req('POST', '/api/v1/invitations', owner, { email: 'rev@example.com', role: 'agent' })
    ).json();
    expect((await req('DELETE', `/api/v1/invitations/${inv.id}`, owner)).statusCode).toBe(204);
    expect((await req('DELETE', `/api/v1/invitations/${inv.id}`, owner)).statusCode).toBe(409);
    const acc = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.token}/accept`,
      payload: { name: 'R', password: 'a long password' },
    });
    expect(acc.statusCode).toBe(404);
    const dup = await req('POST', '/api/v1/invitations', owner, { email: owner.email, role: 'agent' });
    expect(dup.statusCode).toBe(409);
    const bad = await req('POST', '/api/v1/invitations', owner, { email: 'nope', role: 'emperor' });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['email', 'role']);
  });

  it('a manager cannot escalate: no admin invitations, no promotion to manager or admin (403 + audit)', async () => {
    const owner = await signup(t.app);
    const manager = await addMember(t.app, owner, 'manager');
    const agent = await addMember(t.app, owner, 'agent');
    const inviteAdmin = await req('POST', '/api/v1/invitations', manager, {
      email: 'boss@example.com',
      role: 'admin',
    });
    expect(inviteAdmin.statusCode).toBe(403);
    expect(inviteAdmin.json().detail).not.toContain('boss@example.com');
    const promote = await req('PATCH', `/api/v1/users/${agent.userId}`, manager, { role: 'admin' });
    expect(promote.statusCode).toBe(403);
    const self = await req('PATCH', `/api/v1/users/${manager.userId}`, manager, { role: 'owner' });
    expect(self.statusCode).toBe(403);
    const users = (await req('GET', '/api/v1/users', owner)).json().data;
    expect(users.find((u: { id: number }) => u.id === agent.userId).role).toBe('agent');
    expect(users.find((u: { id: number }) => u.id === manager.userId).role).toBe('manager');
    // A manager may still manage below their level.
    const demote = await req('PATCH', `/api/v1/users/${agent.userId}`, manager, { role: 'viewer' });
    expect(demote.statusCode).toBe(200);
    expect(demote.json().role).toBe('viewer');
    const denied = await auditActions(t.app, owner, 'permission.denied');
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(denied[0].actor.user_id).toBe(manager.userId);
    const changed = await auditActions(t.app, owner, 'user.role_changed');
    expect(changed[0]).toMatchObject({
      target_id: String(agent.userId),
      details: { from: 'agent', to: 'viewer' },
    });
    // Agents and viewers manage nobody.
    expect(
      (await req('POST', '/api/v1/invitations', agent, { email: 'x@example.com', role: 'viewer' }))
        .statusCode,
    ).toBe(403);
  });

  it('deactivating a user stops their token at once; reactivating brings it back; the last owner stays', async () => {
    const owner = await signup(t.app);
    const agent = await addMember(t.app, owner, 'agent');
    expect((await req('GET', '/api/v1/leads', agent)).statusCode).toBe(200);
    const off = await req('PATCH', `/api/v1/users/${agent.userId}`, owner, { active: false });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ active: false });
    const after = await req('GET', '/api/v1/leads', agent);
    expect(after.statusCode).toBe(401);
    expect(after.body).not.toContain(agent.email);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: agent.email, password: 'a long password' },
    });
    expect(login.statusCode).toBe(401);
    expect((await req('PATCH', `/api/v1/users/${agent.userId}`, owner, { active: true })).statusCode).toBe(
      200,
    );
    expect((await req('GET', '/api/v1/leads', agent)).statusCode).toBe(200);
    const lastOwner = await req('PATCH', `/api/v1/users/${owner.userId}`, owner, { role: 'admin' });
    expect(lastOwner.statusCode).toBe(422);
    expect(lastOwner.json().errors[0].field).toBe('role');
    expect((await req('PATCH', `/api/v1/users/${owner.userId}`, owner, { active: false })).statusCode).toBe(
      422,
    );
    const actions = (await auditActions(t.app, owner)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'user.deactivated',
        'user.reactivated',
        'invitation.created',
        'invitation.accepted',
      ]),
    );
  });
});

describe('teams and lead visibility', () => {
  let owner: Session;
  let agentA: Session;
  let agentB: Session;
  let viewer: Session;
  let teamId: number;
  beforeAll(async () => {
    owner = await signup(t.app);
    const team = await req('POST', '/api/v1/teams', owner, { name: 'North' });
    expect(team.statusCode).toBe(201);
    teamId = team.json().id;
    agentA = await addMember(t.app, owner, 'agent', [teamId]);
    agentB = await addMember(t.app, owner, 'agent');
    viewer = await addMember(t.app, owner, 'viewer');
  });

  it('users, teams and web-to-lead keys carry an ETag; a stale If-Match is 412 and changes nothing', async () => {
    const team = (await req('POST', '/api/v1/teams', owner, { name: 'Etag team' })).json();
    const read = await req('GET', `/api/v1/teams/${team.id}`, owner);
    const tag = read.headers.etag as string;
    expect(tag).toMatch(/^W\/"/);
    const first = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/teams/${team.id}`,
      headers: { ...owner.headers, 'if-match': tag },
      payload: { name: 'Etag team 2' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).not.toBe(tag);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/teams/${team.id}`,
      headers: { ...owner.headers, 'if-match': tag },
      payload: { name: 'Etag team 3' },
    });
    expect(stale.statusCode).toBe(412);
    expect((await req('GET', `/api/v1/teams/${team.id}`, owner)).json().name).toBe('Etag team 2');

    const user = await req('GET', `/api/v1/users/${viewer.userId}`, owner);
    await req('PATCH', `/api/v1/users/${viewer.userId}`, owner, { role: 'agent' });
    const race = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${viewer.userId}`,
      headers: { ...owner.headers, 'if-match': user.headers.etag as string },
      payload: { role: 'manager' },
    });
    expect(race.statusCode).toBe(412);
    expect((await req('GET', `/api/v1/users/${viewer.userId}`, owner)).json().role).toBe('agent');
    await req('PATCH', `/api/v1/users/${viewer.userId}`, owner, { role: 'viewer' });

    const key = (await req('POST', '/api/v1/web-to-lead-keys', owner, { name: 'Etag form' })).json();
    const keyTag = (await req('GET', `/api/v1/web-to-lead-keys/${key.id}`, owner)).headers.etag as string;
    await req('PATCH', `/api/v1/web-to-lead-keys/${key.id}`, owner, { rate_limit_per_minute: 5 });
    const staleKey = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/web-to-lead-keys/${key.id}`,
      headers: { ...owner.headers, 'if-match': keyTag },
      payload: { rate_limit_per_minute: 50 },
    });
    expect(staleKey.statusCode).toBe(412);
  });

  it('creates, renames and lists teams with members; duplicate names are 409', async () => {
    const got = await req('GET', `/api/v1/teams/${teamId}`, owner);
    expect(got.json().members.map((m: { id: number }) => m.id)).toEqual([agentA.userId]);
    expect((await req('POST', '/api/v1/teams', owner, { name: 'North' })).statusCode).toBe(409);
    const south = (
      await req('POST', '/api/v1/teams', owner, { name: 'South', member_ids: [agentB.userId] })
    ).json();
    expect(south.members).toHaveLength(1);
    expect((await req('PATCH', `/api/v1/teams/${south.id}`, owner, { name: 'North' })).statusCode).toBe(409);
    expect((await req('PATCH', `/api/v1/teams/${south.id}`, owner, { name: 'South-East' })).json().name).toBe(
      'South-East',
    );
    expect(
      (await req('DELETE', `/api/v1/teams/${south.id}/members/${agentB.userId}`, owner)).statusCode,
    ).toBe(204);
    expect((await req('DELETE', `/api/v1/teams/${south.id}`, owner)).statusCode).toBe(204);
    expect((await req('GET', `/api/v1/teams/${south.id}`, owner)).statusCode).toBe(404);
    const deleted = await auditActions(t.app, owner, 'resource.deleted');
    expect(deleted.map((e) => [e.target_type, e.target_id])).toEqual(
      expect.arrayContaining([
        ['/api/v1/teams/:id', String(south.id)],
        ['/api/v1/teams/:id/members/:userId', String(agentB.userId)],
      ]),
    );
    expect((await req('POST', '/api/v1/teams', agentA, { name: 'Mine' })).statusCode).toBe(403);
    expect(
      (await req('POST', '/api/v1/teams', owner, { name: 'Bad', member_ids: [999999] })).statusCode,
    ).toBe(422);
  });

  it("agents see and change only their own leads and their team's; others are 404", async () => {
    const own = await createLead(t.app, agentA, { last_name: 'OwnedByA' });
    expect(own.owner_id).toBe(agentA.userId);
    const teamLead = await createLead(t.app, owner, { last_name: 'TeamNorth', team_id: teamId });
    expect(teamLead.team_id).toBe(teamId);
    const bLead = await createLead(t.app, agentB, { last_name: 'OwnedByB' });
    const unassigned = await createLead(t.app, owner, { last_name: 'Nobody' });

    const listA = (await req('GET', '/api/v1/leads?limit=200', agentA))
      .json()
      .data.map((l: { last_name: string }) => l.last_name);
    expect(listA.sort()).toEqual(['OwnedByA', 'TeamNorth']);
    const listOwner = (await req('GET', '/api/v1/leads?limit=200', owner))
      .json()
      .data.map((l: { id: number }) => l.id);
    expect(listOwner).toEqual(expect.arrayContaining([own.id, teamLead.id, bLead.id, unassigned.id]));

    const read = await req('GET', `/api/v1/leads/${bLead.id}`, agentA);
    expect(read.statusCode).toBe(404);
    expect(read.body).not.toContain('OwnedByB');
    expect(
      (await req('PATCH', `/api/v1/leads/${bLead.id}`, agentA, { first_name: 'Hacked' })).statusCode,
    ).toBe(404);
    expect((await req('DELETE', `/api/v1/leads/${unassigned.id}`, agentA)).statusCode).toBe(404);
    // What hangs off a lead follows the lead's visibility.
    expect((await req('GET', `/api/v1/leads/${bLead.id}/timeline`, agentA)).statusCode).toBe(404);
    expect((await req('GET', `/api/v1/leads/${own.id}/timeline`, agentA)).statusCode).toBe(200);
    expect((await req('GET', `/api/v1/leads/${bLead.id}`, owner)).json().first_name).toBe('Ada');
    expect(
      (await req('PATCH', `/api/v1/leads/${teamLead.id}`, agentA, { first_name: 'Teamwork' })).json()
        .first_name,
    ).toBe('Teamwork');
    const byTeam = (await req('GET', `/api/v1/leads?team_id=${teamId}`, owner))
      .json()
      .data.map((l: { id: number }) => l.id);
    expect(byTeam).toEqual([teamLead.id]);
    expect((await req('POST', '/api/v1/leads', owner, { last_name: 'X', team_id: 999999 })).statusCode).toBe(
      422,
    );
  });

  it('viewers read but cannot create, change or delete (403, nothing changes)', async () => {
    const lead = await createLead(t.app, owner, { last_name: 'Viewed' });
    expect((await req('GET', `/api/v1/leads/${lead.id}`, viewer)).statusCode).toBe(200);
    const create = await req('POST', '/api/v1/leads', viewer, { last_name: 'Nope' });
    expect(create.statusCode).toBe(403);
    expect(create.json().code).toBe('forbidden');
    expect(
      (await req('PATCH', `/api/v1/leads/${lead.id}`, viewer, { last_name: 'Changed' })).statusCode,
    ).toBe(403);
    expect((await req('DELETE', `/api/v1/leads/${lead.id}`, viewer)).statusCode).toBe(403);
    expect((await req('GET', `/api/v1/leads/${lead.id}`, owner)).json()).toMatchObject({
      last_name: 'Viewed',
      deleted_at: null,
    });
    expect((await req('GET', '/api/v1/leads?q=Nope', owner)).json().data).toHaveLength(0);
    // Every other write is refused too (settings, teams), but a viewer can still sign out.
    expect(
      (await req('POST', '/api/v1/statuses', viewer, { key: 'viewer_made', label: 'V', category: 'open' }))
        .statusCode,
    ).toBe(403);
    expect((await req('POST', '/api/v1/teams', viewer, { name: 'Viewers' })).statusCode).toBe(403);
    expect((await req('GET', '/api/v1/statuses/viewer_made', owner)).statusCode).toBe(404);
  });

  it('ETag / If-Match: a stale version gets 412 on PATCH and DELETE and changes nothing', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: owner.headers,
      payload: { last_name: 'Versioned' },
    });
    const etag1 = created.headers.etag as string;
    expect(etag1).toMatch(/^"\d+-1"$/);
    const id = created.json().id;
    const p1 = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${id}`,
      headers: { ...owner.headers, 'if-match': etag1 },
      payload: { first_name: 'One' },
    });
    expect(p1.statusCode).toBe(200);
    expect(p1.headers.etag).not.toBe(etag1);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${id}`,
      headers: { ...owner.headers, 'if-match': etag1 },
      payload: { first_name: 'Two' },
    });
    expect(stale.statusCode).toBe(412);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/leads/${id}`,
      headers: { ...owner.headers, 'if-match': etag1 },
    });
    expect(del.statusCode).toBe(412);
    const now = await req('GET', `/api/v1/leads/${id}`, owner);
    expect(now.json()).toMatchObject({ first_name: 'One', deleted_at: null });
    expect(now.headers.etag).toBe(p1.headers.etag);
    const ok = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/leads/${id}`,
      headers: { ...owner.headers, 'if-match': p1.headers.etag as string },
    });
    expect(ok.statusCode).toBe(204);
    const deletions = await auditActions(t.app, owner, 'lead.deleted');
    expect(deletions[0]).toMatchObject({
      target_type: 'lead',
      target_id: String(id),
      actor: { user_id: owner.userId },
    });
  });
});
