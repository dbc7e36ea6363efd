import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
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
const tick = () => new Promise((r) => setTimeout(r, 3));

describe('timeline', () => {
  it('merges creation, field and status changes, follow-ups, tasks, comments and attachments, newest first, paged', async () => {
    const lead = await createLead(t.app, s, { first_name: 'Tom', source: 'Web' });
    await tick();
    await call('PATCH', `/leads/${lead.id}`, {
      first_name: 'Thomas',
      tags: ['vip'],
      value: '1500.50',
      address: { city: 'Paris' },
    });
    await tick();
    await call('POST', `/leads/${lead.id}/status`, { status: 'on_hold', note: 'Budget' });
    await tick();
    await call('POST', `/leads/${lead.id}/follow-ups`, {
      scheduled_at: '2030-01-01T09:00:00Z',
      notes: 'Call again',
    });
    await tick();
    await call('POST', `/leads/${lead.id}/tasks`, { type: 'meeting', title: 'Showroom visit' });
    await tick();
    await call('POST', `/leads/${lead.id}/comments`, { body: 'Likes the blue one' });
    await tick();
    const b = 'tlb';
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/attachments`,
      headers: { ...s.headers, 'content-type': `multipart/form-data; boundary=${b}` },
      payload: `--${b}\r\nContent-Disposition: form-data; name="file"; filename="quote.txt"\r\n\r\nhello\r\n--${b}--\r\n`,
    });

    const res = await call('GET', `/leads/${lead.id}/timeline`);
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data.map((e: { type: string }) => e.type)).toEqual([
      'attachment',
      'comment',
      'task',
      'follow_up',
      'status_change',
      'field_change',
      'field_change',
      'field_change',
      'field_change',
      'created',
    ]);
    const ats = data.map((e: { at: string }) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    expect(data.every((e: { by: number }) => e.by === s.userId)).toBe(true);
    const fields = data
      .filter((e: { type: string }) => e.type === 'field_change')
      .map((e: { data: object }) => e.data);
    expect(fields).toEqual(
      expect.arrayContaining([
        { field: 'first_name', from: 'Tom', to: 'Thomas' },
        { field: 'tags', from: [], to: ['vip'] },
      ]),
    );
    expect(data.find((e: { type: string }) => e.type === 'status_change').data).toMatchObject({
      from: 'new',
      to: 'on_hold',
      note: 'Budget',
    });
    expect(data.find((e: { type: string }) => e.type === 'created').data).toEqual({
      status: 'new',
      source: 'Web',
    });
    expect(data[0].data).toMatchObject({ filename: 'quote.txt', size_bytes: 5 });
    expect(data[1].data).toMatchObject({ body: 'Likes the blue one' });

    // Paging walks the same order without gaps or repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ type: string; id: number }>; next_cursor: string | null } = (
        await call('GET', `/leads/${lead.id}/timeline?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((e) => `${e.type}:${e.id}`));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(data.map((e: { type: string; id: number }) => `${e.type}:${e.id}`));

    const only = (await call('GET', `/leads/${lead.id}/timeline?types=comment,status_change`)).json().data;
    expect(only.map((e: { type: string }) => e.type)).toEqual(['comment', 'status_change']);
    const bad = await call('GET', `/leads/${lead.id}/timeline?types=emails`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('types');
    expect((await call('GET', `/leads/${lead.id}/timeline?cursor=garbage`)).statusCode).toBe(400);
  });

  it('places backdated entries where they happened and hides other organizations', async () => {
    const lead = await createLead(t.app, s);
    await call('POST', `/leads/${lead.id}/follow-ups`, {
      done_at: '2020-05-05T10:00:00Z',
      notes: 'Old call',
    });
    const data = (await call('GET', `/leads/${lead.id}/timeline`)).json().data;
    expect(data.map((e: { type: string }) => e.type)).toEqual(['created', 'follow_up']);
    expect(data[1]).toMatchObject({
      at: '2020-05-05T10:00:00.000Z',
      data: { notes: 'Old call', state: 'done' },
    });
    const other = await signup(t.app);
    expect((await call('GET', `/leads/${lead.id}/timeline`, undefined, other)).statusCode).toBe(404);
  });
});
