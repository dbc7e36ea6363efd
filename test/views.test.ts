import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { changedTables, countAllTables } from './table-counts.js';

/** Saved views: CRUD, sharing with the organization or a team, and who may see or change what. */
let t: TestApp;
let admin: Session;
let agentA: Session; // in team North
let agentB: Session; // in no team
let manager: Session;
let outsider: Session; // another organization
let north: number;

async function req(s: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: s.headers, payload: payload as object });
}
const names = async (s: Session) =>
  ((await req(s, 'GET', '/views')).json().data as Array<{ name: string }>).map((v) => v.name).sort();

beforeAll(async () => {
  t = await createTestApp();
  admin = await signup(t.app);
  agentA = await addMember(t.app, admin, 'agent');
  agentB = await addMember(t.app, admin, 'agent');
  manager = await addMember(t.app, admin, 'manager');
  outsider = await signup(t.app);
  const team = await req(admin, 'POST', '/teams', { name: 'North', member_ids: [agentA.userId] });
  north = team.json().id;
});
afterAll(() => t.close());

describe('saved views', () => {
  it('creates, reads, updates and deletes a private view', async () => {
    const res = await req(agentA, 'POST', '/views', {
      name: '  Hot in Paris ',
      filters: { status: 'new,qualified', city: 'Paris', 'cf.segment': 'smb' },
      sort: '-created_at',
      columns: ['name', 'status', 'value'],
    });
    expect(res.statusCode).toBe(201);
    const v = res.json();
    expect(res.headers.location).toBe(`/api/v1/views/${v.id}`);
    expect(v).toMatchObject({
      name: 'Hot in Paris',
      filters: { status: 'new,qualified', city: 'Paris', 'cf.segment': 'smb' },
      sort: '-created_at',
      columns: ['name', 'status', 'value'],
      visibility: 'private',
      team_id: null,
      owner_id: agentA.userId,
      mine: true,
      can_edit: true,
    });
    expect((await req(agentA, 'GET', `/views/${v.id}`)).json()).toEqual(v);

    const patched = await req(agentA, 'PATCH', `/views/${v.id}`, { name: 'Paris', sort: null });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Paris', sort: null, filters: v.filters });

    expect((await req(agentA, 'DELETE', `/views/${v.id}`)).statusCode).toBe(204);
    expect((await req(agentA, 'GET', `/views/${v.id}`)).statusCode).toBe(404);
  });

  it('shows a view to whom it is shared with, and to no one else', async () => {
    const mk = async (s: Session, name: string, extra: object = {}) => {
      const res = await req(s, 'POST', '/views', { name, filters: { source: 'web' }, ...extra });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: number };
    };
    const priv = await mk(agentA, 'A private');
    const teamView = await mk(agentA, 'A for North', { visibility: 'team', team_id: north });
    const orgView = await mk(agentB, 'B for everyone', { visibility: 'organization' });
    await mk(outsider, 'Outsider org-wide', { visibility: 'organization' });

    expect(await names(agentA)).toEqual(['A for North', 'A private', 'B for everyone']);
    expect(await names(agentB)).toEqual(['B for everyone']);
    // An admin sees shared views and their own, never another user's private one.
    expect(await names(admin)).toEqual(['B for everyone']);
    expect(await names(outsider)).toEqual(['Outsider org-wide']);

    // Invisible views are 404s, whoever asks: the owner's colleague, another team, another organization.
    for (const [s, id] of [
      [agentB, priv.id],
      [admin, priv.id],
      [agentB, teamView.id],
      [outsider, orgView.id],
      [outsider, teamView.id],
    ] as Array<[Session, number]>) {
      expect((await req(s, 'GET', `/views/${id}`)).statusCode).toBe(404);
      expect((await req(s, 'PATCH', `/views/${id}`, { name: 'x' })).statusCode).toBe(404);
      expect((await req(s, 'DELETE', `/views/${id}`)).statusCode).toBe(404);
    }

    // A shared view is used by all who see it, changed by its owner or by someone who manages users.
    const seen = (await req(agentA, 'GET', `/views/${orgView.id}`)).json();
    expect(seen).toMatchObject({ mine: false, can_edit: false });
    expect((await req(agentA, 'PATCH', `/views/${orgView.id}`, { name: 'mine now' })).statusCode).toBe(403);
    expect((await req(agentA, 'DELETE', `/views/${orgView.id}`)).statusCode).toBe(403);
    const byManager = await req(manager, 'PATCH', `/views/${orgView.id}`, { name: 'B, tidied' });
    expect(byManager.statusCode).toBe(200);
    expect(byManager.json()).toMatchObject({ name: 'B, tidied', owner_id: agentB.userId, can_edit: true });

    // Unsharing a team view makes it private to its owner again.
    const back = await req(agentA, 'PATCH', `/views/${teamView.id}`, { visibility: 'private' });
    expect(back.json()).toMatchObject({ visibility: 'private', team_id: null });
    expect((await req(manager, 'GET', `/views/${teamView.id}`)).statusCode).toBe(404);
    const shared = await req(agentA, 'PATCH', `/views/${teamView.id}`, {
      visibility: 'team',
      team_id: north,
    });
    expect(shared.json()).toMatchObject({ visibility: 'team', team_id: north });
  });

  it('refuses bad views with a 422 naming the field, and writes nothing', async () => {
    const before = await countAllTables(t.db);
    const cases: Array<[Session, object, string]> = [
      [agentA, { name: 'x', filters: { no_such_filter: '1' } }, 'filters.no_such_filter'],
      [agentA, { name: 'x', filters: { limit: '5' } }, 'filters.limit'],
      [agentA, { name: '   ' }, 'name'],
      [agentA, { name: 'x', visibility: 'team' }, 'team_id'],
      [agentB, { name: 'x', visibility: 'team', team_id: north }, 'team_id'], // not a member
      [outsider, { name: 'x', visibility: 'team', team_id: north }, 'team_id'], // another org's team
      [agentA, { name: 'x', visibility: 'organization', team_id: north }, 'team_id'],
    ];
    for (const [s, body, field] of cases) {
      const res = await req(s, 'POST', '/views', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    for (const body of [
      {},
      { name: 'x', sort: 'nope' },
      { name: 'x', extra: 1 },
      { name: 'x', filters: { q: 1 } },
    ])
      expect((await req(agentA, 'POST', '/views', body)).statusCode).toBe(400);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });

  it('lets a manager share a view with a team they are not in', async () => {
    const res = await req(manager, 'POST', '/views', {
      name: 'For North',
      visibility: 'team',
      team_id: north,
    });
    expect(res.statusCode).toBe(201);
    expect(await names(agentA)).toContain('For North');
    expect(await names(agentB)).not.toContain('For North');
  });
});
