import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';

let t: TestApp;
let s: Session;
let other: Session;
let agent: Session;
const inject = (method: string, url: string, who: Session, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: who.headers, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  other = await signup(t.app);
  agent = await addMember(t.app, s, 'agent');
});
afterAll(async () => t.close());

describe('activities of no lead, event flags, priority, threaded notes, by their own id', () => {
  it('creates a task of no lead with a priority, finds it by id and in the agenda, changes and deletes it', async () => {
    const res = await inject('POST', '/api/v1/tasks', s, {
      title: 'Order brochures',
      priority: 'high',
      assignee_id: agent.userId,
      due_at: '2030-01-02T09:00:00Z',
    });
    expect(res.statusCode).toBe(201);
    const task = res.json();
    expect(task).toMatchObject({
      lead_id: null,
      priority: 'high',
      canceled: false,
      assignee_id: agent.userId,
    });
    expect((await inject('GET', `/api/v1/tasks/${task.id}`, s)).json()).toEqual(task);
    const agenda = (await inject('GET', `/api/v1/tasks?assignee_id=${agent.userId}`, s)).json().data;
    expect(agenda.map((x: { id: number }) => x.id)).toContain(task.id);
    // The agent it is assigned to reaches it; another organization does not.
    expect((await inject('GET', `/api/v1/tasks/${task.id}`, agent)).statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/tasks/${task.id}`, other)).statusCode).toBe(404);
    const done = await inject('PATCH', `/api/v1/tasks/${task.id}`, s, { done: true, priority: 'low' });
    expect(done.json()).toMatchObject({ done: true, priority: 'low' });
    expect((await inject('DELETE', `/api/v1/tasks/${task.id}`, s)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/tasks/${task.id}`, s)).statusCode).toBe(404);
  });

  it("keeps an event's canceled, confirmed and no_show flags, also through the lead's own routes", async () => {
    const lead = await createLead(t.app, s);
    const ev = await inject('POST', `/api/v1/leads/${lead.id}/tasks`, s, {
      type: 'appointment',
      title: 'Road test',
      start_at: '2030-03-01T10:00:00Z',
      end_at: '2030-03-01T11:00:00Z',
      confirmed: true,
    });
    expect(ev.json()).toMatchObject({ lead_id: lead.id, confirmed: true, canceled: false, no_show: false });
    const byId = await inject('PATCH', `/api/v1/tasks/${ev.json().id}`, s, { no_show: true, canceled: true });
    expect(byId.json()).toMatchObject({ confirmed: true, canceled: true, no_show: true });
    const list = (await inject('GET', `/api/v1/leads/${lead.id}/tasks`, s)).json().data;
    expect(list[0]).toEqual(byId.json());
    const viaLeadTask = await inject('POST', '/api/v1/tasks', s, { lead_id: lead.id, title: 'Call back' });
    expect(viaLeadTask.json().lead_id).toBe(lead.id);
    const bad = await inject('POST', '/api/v1/tasks', s, { title: 'x', priority: 'whenever' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('priority');
  });

  it('answers a note with a note carrying a file link; notes are found, edited and deleted by their own id', async () => {
    const lead = await createLead(t.app, s);
    const first = (
      await inject('POST', `/api/v1/leads/${lead.id}/comments`, s, { body: 'Asked for a quote' })
    ).json();
    const reply = await inject('POST', `/api/v1/leads/${lead.id}/comments`, s, {
      body: 'Quote attached',
      parent_id: first.id,
      file_url: 'https://files.example.com/quote-17.pdf',
    });
    expect(reply.statusCode).toBe(201);
    expect(reply.json()).toMatchObject({
      parent_id: first.id,
      file_url: 'https://files.example.com/quote-17.pdf',
    });
    const got = await inject('GET', `/api/v1/comments/${reply.json().id}`, s);
    expect(got.json()).toEqual(reply.json());
    expect((await inject('GET', `/api/v1/comments/${reply.json().id}`, other)).statusCode).toBe(404);
    const edited = await inject('PATCH', `/api/v1/comments/${reply.json().id}`, s, {
      body: 'Quote v2',
      file_url: null,
    });
    expect(edited.json()).toMatchObject({
      body: 'Quote v2',
      file_url: null,
      parent_id: first.id,
      edited: true,
    });

    const elsewhere = await createLead(t.app, s);
    const wrongParent = await inject('POST', `/api/v1/leads/${elsewhere.id}/comments`, s, {
      body: 'x',
      parent_id: first.id,
    });
    expect(wrongParent.statusCode).toBe(422);
    expect(wrongParent.json().errors[0].field).toBe('parent_id');
    const noAttachment = await inject('POST', `/api/v1/leads/${lead.id}/comments`, s, {
      body: 'x',
      attachment_id: 999,
    });
    expect(noAttachment.statusCode).toBe(422);
    expect(noAttachment.json().errors[0].field).toBe('attachment_id');

    expect((await inject('DELETE', `/api/v1/comments/${reply.json().id}`, s)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/comments/${reply.json().id}`, s)).statusCode).toBe(404);
  });

  it('finds a follow-up by its own id', async () => {
    const lead = await createLead(t.app, s);
    const f = await inject('POST', `/api/v1/leads/${lead.id}/follow-ups`, s, {
      done_at: '2026-01-02T10:00:00Z',
      notes: 'Called',
    });
    expect(f.statusCode).toBe(201);
    expect((await inject('GET', `/api/v1/follow-ups/${f.json().id}`, s)).json()).toEqual(f.json());
    expect((await inject('GET', `/api/v1/follow-ups/${f.json().id}`, other)).statusCode).toBe(404);
  });
});
