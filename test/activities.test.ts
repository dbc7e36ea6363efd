import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
let colleague: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  // A second member of the same organization (agent-free: a manager), acting through X-Organization-Id.
  const other = await signup(t.app);
  await t.db.kysely
    .insertInto('memberships')
    .values({
      org_id: s.orgId,
      user_id: other.userId,
      role: 'manager',
      created_at: new Date().toISOString(),
      deactivated_at: null,
    })
    .execute();
  colleague = {
    ...other,
    orgId: s.orgId,
    headers: { ...other.headers, 'x-organization-id': String(s.orgId) },
  };
});
afterAll(async () => t.close());

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  session: Session = s,
) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: session.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const getLead = async (id: number) => (await call('GET', `/leads/${id}`)).json();

describe('follow-ups', () => {
  it('records planned and done follow-ups and keeps the lead next/last follow-up right', async () => {
    const lead = await createLead(t.app, s);
    expect(lead).toMatchObject({ next_follow_up_at: null, last_follow_up_at: null });
    const planned = await call('POST', `/leads/${lead.id}/follow-ups`, {
      scheduled_at: '2030-01-10T09:00:00Z',
      notes: 'Call back',
    });
    expect(planned.statusCode).toBe(201);
    expect(planned.json()).toMatchObject({
      state: 'planned',
      scheduled_at: '2030-01-10T09:00:00.000Z',
      done_at: null,
      done_by: null,
      created_by: s.userId,
    });
    expect(await getLead(lead.id)).toMatchObject({
      next_follow_up_at: '2030-01-10T09:00:00.000Z',
      last_follow_up_at: null,
    });

    const done = await call('POST', `/leads/${lead.id}/follow-ups`, {
      scheduled_at: '2025-10-04T12:30:00+05:30',
      done_at: '2025-10-04T12:45:00+05:30',
      notes: 'Spoke to Tom',
      next_follow_up_at: '2029-12-01T08:00:00Z',
      done_by: colleague.userId,
    });
    expect(done.statusCode).toBe(201);
    expect(done.json()).toMatchObject({
      state: 'done',
      done_at: '2025-10-04T07:15:00.000Z',
      done_by: colleague.userId,
    });
    // The earliest of the planned one and the next decided during the latest done one.
    expect(await getLead(lead.id)).toMatchObject({
      next_follow_up_at: '2029-12-01T08:00:00.000Z',
      last_follow_up_at: '2025-10-04T07:15:00.000Z',
    });

    // Marking the planned one done (by me, by default) moves both columns.
    const marked = await call('PATCH', `/leads/${lead.id}/follow-ups/${planned.json().id}`, {
      done_at: '2026-01-02T10:00:00Z',
    });
    expect(marked.json()).toMatchObject({ state: 'done', done_by: s.userId, notes: 'Call back' });
    expect(await getLead(lead.id)).toMatchObject({
      next_follow_up_at: null,
      last_follow_up_at: '2026-01-02T10:00:00.000Z',
    });

    expect((await call('DELETE', `/leads/${lead.id}/follow-ups/${planned.json().id}`)).statusCode).toBe(204);
    expect(await getLead(lead.id)).toMatchObject({
      next_follow_up_at: '2029-12-01T08:00:00.000Z',
      last_follow_up_at: '2025-10-04T07:15:00.000Z',
    });
    const list = (await call('GET', `/leads/${lead.id}/follow-ups`)).json().data;
    expect(list.map((f: { notes: string }) => f.notes)).toEqual(['Spoke to Tom']);
  });

  it('refuses bad follow-ups with a clear error and changes nothing', async () => {
    const lead = await createLead(t.app, s);
    const outsider = await signup(t.app);
    const cases: Array<[object, number, string]> = [
      [{ done_at: '1899-12-31T23:59:59Z' }, 422, 'done_at'],
      [{ done_at: '31/12/2025' }, 400, 'done_at'],
      [{ done_at: new Date(Date.now() + 3 * 86400_000).toISOString() }, 422, 'done_at'],
      [{ notes: 'nothing planned nor done' }, 422, 'scheduled_at'],
      [
        { done_at: '2025-01-01T10:00:00Z', next_follow_up_at: '2024-01-01T10:00:00Z' },
        422,
        'next_follow_up_at',
      ],
      [{ scheduled_at: '2030-01-01T10:00:00Z', done_by: s.userId }, 422, 'done_by'],
      [{ done_at: '2025-01-01T10:00:00Z', done_by: outsider.userId }, 422, 'done_by'],
      [{ scheduled_at: '2030-01-01T10:00:00Z', color: 'red' }, 400, 'color'],
    ];
    for (const [body, code, field] of cases) {
      const res = await call('POST', `/leads/${lead.id}/follow-ups`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(code);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect((await call('GET', `/leads/${lead.id}/follow-ups`)).json().data).toEqual([]);
    expect(await getLead(lead.id)).toMatchObject({ version: lead.version, next_follow_up_at: null });
    const theirs = await createLead(t.app, outsider);
    expect(
      (await call('POST', `/leads/${theirs.id}/follow-ups`, { scheduled_at: '2030-01-01T10:00:00Z' }))
        .statusCode,
    ).toBe(404);
  });

  it('serves a due queue per owner, soonest first, paged', async () => {
    const mine = await Promise.all([1, 2, 3].map(() => createLead(t.app, s, { owner_id: s.userId })));
    const theirs = await createLead(t.app, s, { owner_id: colleague.userId });
    await call('POST', `/leads/${mine[0].id}/follow-ups`, { scheduled_at: '2020-03-03T09:00:00Z' });
    await call('POST', `/leads/${mine[1].id}/follow-ups`, { scheduled_at: '2020-03-01T09:00:00Z' });
    await call('POST', `/leads/${mine[2].id}/follow-ups`, { scheduled_at: '2099-01-01T09:00:00Z' });
    await call('POST', `/leads/${theirs.id}/follow-ups`, { scheduled_at: '2020-03-02T09:00:00Z' });
    const q = await call('GET', `/follow-ups?owner_id=${s.userId}&due_before=2021-01-01T00:00:00Z&limit=1`);
    expect(q.statusCode).toBe(200);
    expect(q.json().data).toHaveLength(1);
    expect(q.json().data[0]).toMatchObject({
      due_at: '2020-03-01T09:00:00.000Z',
      overdue: true,
      lead: { id: mine[1].id },
    });
    const q2 = (
      await call(
        'GET',
        `/follow-ups?owner_id=${s.userId}&due_before=2021-01-01T00:00:00Z&limit=1&cursor=${q.json().next_cursor}`,
      )
    ).json();
    expect(q2.data.map((d: { lead: { id: number } }) => d.lead.id)).toEqual([mine[0].id]);
    expect(q2.next_cursor).toBeNull();
    const all = (await call('GET', '/follow-ups?due_before=2021-01-01T00:00:00Z'))
      .json()
      .data.map((d: { lead: { id: number } }) => d.lead.id);
    expect(all).toEqual([mine[1].id, theirs.id, mine[0].id]);
    expect((await call('GET', '/follow-ups?due_before=tomorrow')).statusCode).toBe(400);
    // A won lead leaves the queue unless closed work is asked for.
    await call('POST', `/leads/${theirs.id}/status`, { status: 'won' });
    const open = (await call('GET', '/follow-ups?due_before=2021-01-01T00:00:00Z')).json().data;
    expect(open.map((d: { lead: { id: number } }) => d.lead.id)).toEqual([mine[1].id, mine[0].id]);
    const withClosed = (
      await call('GET', '/follow-ups?due_before=2021-01-01T00:00:00Z&include_closed=true')
    ).json().data;
    expect(withClosed.map((d: { lead: { id: number } }) => d.lead.id)).toEqual([
      mine[1].id,
      theirs.id,
      mine[0].id,
    ]);
  });
});

describe('tasks and events', () => {
  it('creates, updates, completes and lists tasks; refuses bad ones', async () => {
    const lead = await createLead(t.app, s);
    const task = await call('POST', `/leads/${lead.id}/tasks`, {
      type: 'road_test',
      title: 'Road test of the demo car',
      start_at: '2030-05-01T14:00:00Z',
      end_at: '2030-05-01T15:00:00Z',
      assignee_id: colleague.userId,
    });
    expect(task.statusCode).toBe(201);
    expect(task.json()).toMatchObject({
      type: 'road_test',
      done: false,
      done_at: null,
      assignee_id: colleague.userId,
      created_by: s.userId,
    });
    const call2 = await call('POST', `/leads/${lead.id}/tasks`, {
      title: 'Call back',
      due_at: '2030-04-01T09:00:00Z',
    });
    expect(call2.json().type).toBe('todo');
    const done = await call('PATCH', `/leads/${lead.id}/tasks/${call2.json().id}`, { done: true });
    expect(done.json().done).toBe(true);
    expect(typeof done.json().done_at).toBe('string');
    const reopened = await call('PATCH', `/leads/${lead.id}/tasks/${call2.json().id}`, {
      done: false,
      title: 'Call back again',
    });
    expect(reopened.json()).toMatchObject({ done: false, done_at: null, title: 'Call back again' });

    const bad = await call('PATCH', `/leads/${lead.id}/tasks/${task.json().id}`, {
      end_at: '2030-05-01T13:00:00Z',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('end_at');
    const outsider = await signup(t.app);
    const badAssignee = await call('POST', `/leads/${lead.id}/tasks`, {
      title: 'x',
      assignee_id: outsider.userId,
    });
    expect(badAssignee.json().errors[0].field).toBe('assignee_id');
    expect((await call('POST', `/leads/${lead.id}/tasks`, { title: '' })).statusCode).toBe(400);
    expect(
      (await call('POST', `/leads/${lead.id}/tasks`, { title: 'x', type: 'Big Meeting' })).statusCode,
    ).toBe(400);
    expect((await call('GET', `/leads/${lead.id}/tasks`)).json().data).toHaveLength(2);

    const agenda = (await call('GET', `/tasks?assignee_id=${colleague.userId}&done=false`)).json().data;
    expect(agenda.map((x: { id: number }) => x.id)).toContain(task.json().id);
    expect((await call('DELETE', `/leads/${lead.id}/tasks/${task.json().id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/leads/${lead.id}/tasks/${task.json().id}`)).statusCode).toBe(404);
  });
});

describe('comments', () => {
  it('lets the author edit, refuses others (403), and deletes', async () => {
    const lead = await createLead(t.app, s);
    const c = await call('POST', `/leads/${lead.id}/comments`, {
      body: 'Discovery call scheduled for next Tuesday',
    });
    expect(c.statusCode).toBe(201);
    expect(c.json()).toMatchObject({ author_id: s.userId, edited: false });
    const byOther = await call(
      'PATCH',
      `/leads/${lead.id}/comments/${c.json().id}`,
      { body: 'Hijacked' },
      colleague,
    );
    expect(byOther.statusCode).toBe(403);
    expect(byOther.headers['content-type']).toContain('application/problem+json');
    expect((await call('GET', `/leads/${lead.id}/comments`)).json().data[0].body).toBe(
      'Discovery call scheduled for next Tuesday',
    );
    const edited = await call('PATCH', `/leads/${lead.id}/comments/${c.json().id}`, {
      body: 'Discovery call moved to Wednesday',
    });
    expect(edited.json()).toMatchObject({ body: 'Discovery call moved to Wednesday' });
    expect((await call('POST', `/leads/${lead.id}/comments`, { body: '   ' })).statusCode).toBe(422);
    const theirs = await call('POST', `/leads/${lead.id}/comments`, { body: 'Mine' }, colleague);
    expect(theirs.json().author_id).toBe(colleague.userId);
    // The owner (admin rights) may remove another's comment; the colleague (manager) may not remove mine.
    expect(
      (await call('DELETE', `/leads/${lead.id}/comments/${c.json().id}`, undefined, colleague)).statusCode,
    ).toBe(403);
    expect((await call('DELETE', `/leads/${lead.id}/comments/${theirs.json().id}`)).statusCode).toBe(204);
    expect((await call('GET', `/leads/${lead.id}/comments`)).json().data).toHaveLength(1);
  });
});

describe('tags', () => {
  it('counts tags over live leads', async () => {
    const o = await signup(t.app);
    await createLead(t.app, o, { tags: ['vip', 'demo'] });
    await createLead(t.app, o, { tags: ['vip'] });
    const gone = await createLead(t.app, o, { tags: ['demo', 'old'] });
    await call('DELETE', `/leads/${gone.id}`, undefined, o);
    const res = await call('GET', '/tags', undefined, o);
    expect(res.json().data).toEqual([
      { tag: 'vip', count: 2 },
      { tag: 'demo', count: 1 },
    ]);
  });
});

describe('visibility', () => {
  it("keeps an agent to their own leads' activities and queue (404 otherwise)", async () => {
    const agentUser = await signup(t.app);
    await t.db.kysely
      .insertInto('memberships')
      .values({
        org_id: s.orgId,
        user_id: agentUser.userId,
        role: 'agent',
        created_at: new Date().toISOString(),
        deactivated_at: null,
      })
      .execute();
    const agent = {
      ...agentUser,
      orgId: s.orgId,
      headers: { ...agentUser.headers, 'x-organization-id': String(s.orgId) },
    };
    const notTheirs = await createLead(t.app, s, { owner_id: s.userId });
    const theirs = await createLead(t.app, s, { owner_id: agent.userId });
    await call('POST', `/leads/${notTheirs.id}/follow-ups`, { scheduled_at: '2020-01-01T09:00:00Z' });
    await call('POST', `/leads/${theirs.id}/follow-ups`, { scheduled_at: '2020-01-02T09:00:00Z' });
    for (const path of ['follow-ups', 'tasks', 'comments', 'attachments', 'timeline', 'status-history']) {
      expect((await call('GET', `/leads/${notTheirs.id}/${path}`, undefined, agent)).statusCode, path).toBe(
        404,
      );
      expect((await call('GET', `/leads/${theirs.id}/${path}`, undefined, agent)).statusCode, path).toBe(200);
    }
    expect((await call('POST', `/leads/${notTheirs.id}/comments`, { body: 'peek' }, agent)).statusCode).toBe(
      404,
    );
    expect((await call('POST', `/leads/${notTheirs.id}/status`, { status: 'won' }, agent)).statusCode).toBe(
      404,
    );
    const queue = (await call('GET', '/follow-ups?due_before=2021-01-01T00:00:00Z', undefined, agent)).json()
      .data;
    expect(queue.map((q: { lead: { id: number } }) => q.lead.id)).toEqual([theirs.id]);
  });
});
