import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createLead, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { changedTables, countAllTables } from './table-counts.js';

let t: TestApp;
let s: Session;

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object, who: Session = s) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });

/** Five records of one person, each with its own activities, tags and contact points. */
async function fiveLeads() {
  const leads = [];
  for (let k = 0; k < 5; k++) {
    const lead = await createLead(t.app, s, {
      first_name: k === 0 ? 'Marie' : 'Marie',
      last_name: k === 2 ? 'Curie-Sklodowska' : 'Curie',
      email: k === 0 ? null : `marie${k}@radium.example`,
      phone: k === 3 ? '+33 1 40 00 00 03' : null,
      company_name: k === 0 ? null : 'Institut du Radium',
      job_title: k === 4 ? 'Director' : null,
      tags: [`t${k}`, 'shared'],
    });
    await call('POST', `/leads/${lead.id}/follow-ups`, {
      scheduled_at: `2031-01-0${k + 1}T10:00:00Z`,
      notes: `f${k}`,
    });
    await call('POST', `/leads/${lead.id}/tasks`, { title: `task ${k}`, due_at: '2031-02-01T09:00:00Z' });
    await call('POST', `/leads/${lead.id}/comments`, { body: `comment ${k}` });
    leads.push(lead);
  }
  return leads as Array<{ id: number; version: number }>;
}

/** A lead answer without what differs between a dry run and the real merge (times, versions, new row ids). */
function stable(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (k, x) => (['created_at', 'updated_at', 'version'].includes(k) ? undefined : x)),
    (k, x) => (k === 'emails' || k === 'phones' ? x.map(({ id: _id, ...rest }: { id: number }) => rest) : x),
  );
}

async function leadState(id: number) {
  const [lead, followUps, tasks, comments, timeline] = await Promise.all([
    call('GET', `/leads/${id}`),
    call('GET', `/leads/${id}/follow-ups`),
    call('GET', `/leads/${id}/tasks`),
    call('GET', `/leads/${id}/comments`),
    call('GET', `/leads/${id}/timeline`),
  ]);
  return {
    lead: lead.json(),
    followUps: followUps
      .json()
      .data.map((f: { id: number }) => f.id)
      .sort(),
    tasks: tasks
      .json()
      .data.map((f: { id: number }) => f.id)
      .sort(),
    comments: comments
      .json()
      .data.map((f: { id: number }) => f.id)
      .sort(),
    timeline: timeline.json().data,
  };
}

describe('merge', () => {
  it('merges 5 leads in one transaction: dry run first, then the merge, then its undo', async () => {
    const leads = await fiveLeads();
    const [primary, ...rest] = leads;
    const ids = rest.map((l) => l.id);
    const states = await Promise.all(leads.map((l) => leadState(l.id)));
    const body = { primary_id: primary.id, ids, fields: { last_name: rest[1].id } };

    // Dry run: the resulting lead, nothing written.
    const before = await countAllTables(t.db);
    const dry = await call('POST', '/leads/merge', { ...body, dry_run: true });
    expect(dry.statusCode).toBe(200);
    const preview = dry.json();
    expect(preview).toMatchObject({ dry_run: true, merge_id: null, merged_ids: ids });
    expect(preview.lead).toMatchObject({
      id: primary.id,
      first_name: 'Marie',
      last_name: 'Curie-Sklodowska',
      email: 'marie1@radium.example',
      phone: '+33 1 40 00 00 03',
      company_name: 'Institut du Radium',
      job_title: 'Director',
    });
    expect(preview.lead.tags).toEqual(['shared', 't0', 't1', 't2', 't3', 't4']);
    expect(preview.moved).toMatchObject({ follow_ups: 4, tasks: 4, comments: 4, tags: 4 });
    const afterDry = await countAllTables(t.db);
    // The audit trail of the request aside, nothing changed.
    const { audit_log: _audit, ...dryChanges } = changedTables(before, afterDry);
    expect(dryChanges).toEqual({});
    expect(await leadState(primary.id)).toEqual(states[0]);

    // The merge.
    const res = await call('POST', '/leads/merge', body);
    expect(res.statusCode).toBe(200);
    const merged = res.json();
    expect(merged.merge_id).toEqual(expect.any(Number));
    const { merge_id: _a, ...shownDry } = preview;
    const { merge_id: _b, ...shownReal } = merged;
    // The dry run showed what the merge did (times, versions and the ids of new email rows aside).
    expect(stable({ ...shownReal, dry_run: true })).toEqual(stable(shownDry));
    const after = await leadState(primary.id);
    expect(after.followUps).toEqual(states.flatMap((s) => s.followUps).sort());
    expect(after.tasks).toEqual(states.flatMap((s) => s.tasks).sort());
    expect(after.comments).toEqual(states.flatMap((s) => s.comments).sort());
    expect(after.lead.emails.map((e: { address: string }) => e.address).sort()).toEqual([
      'marie1@radium.example',
      'marie2@radium.example',
      'marie3@radium.example',
      'marie4@radium.example',
    ]);
    expect(
      after.timeline.some((e: { type?: string; kind?: string; field?: string }) =>
        JSON.stringify(e).includes('merged'),
      ),
    ).toBe(true);
    // The merged leads: readable by id, marked, hidden from lists and search, not editable.
    for (const id of ids) {
      const m = await call('GET', `/leads/${id}`);
      expect(m.statusCode).toBe(200);
      expect(m.json().merged_into_id).toBe(primary.id);
    }
    const list = (await call('GET', '/leads?limit=200')).json().data.map((l: { id: number }) => l.id);
    expect(list).toContain(primary.id);
    for (const id of ids) expect(list).not.toContain(id);
    expect((await call('GET', '/leads?q=radium')).json().data.map((l: { id: number }) => l.id)).toEqual([
      primary.id,
    ]);
    expect((await call('PATCH', `/leads/${ids[0]}`, { title: 'x' })).statusCode).toBe(409);
    expect((await call('GET', `/leads/${primary.id}`)).json().possible_duplicates).toBe(0);

    // The undo: every lead as it was.
    const undo = await call('POST', `/leads/${primary.id}/unmerge`);
    expect(undo.statusCode).toBe(200);
    expect(undo.json().unmerged_ids).toEqual(ids);
    for (const [k, l] of leads.entries()) {
      const now = await leadState(l.id);
      expect(now.followUps).toEqual(states[k].followUps);
      expect(now.tasks).toEqual(states[k].tasks);
      expect(now.comments).toEqual(states[k].comments);
      expect(now.lead.tags).toEqual(states[k].lead.tags);
      expect(now.lead.merged_into_id).toBeNull();
      for (const f of [
        'first_name',
        'last_name',
        'email',
        'phone',
        'company_name',
        'job_title',
        'emails',
        'phones',
      ])
        expect([f, now.lead[f]]).toEqual([f, states[k].lead[f]]);
    }
    const back = (await call('GET', '/leads?limit=200')).json().data.map((l: { id: number }) => l.id);
    for (const l of leads) expect(back).toContain(l.id);
    // Undone once: nothing left to undo.
    expect((await call('POST', `/leads/${primary.id}/unmerge`)).statusCode).toBe(409);
  });

  it('refuses to undo once something changed since, naming why', async () => {
    const a = await createLead(t.app, s, { first_name: 'Undo', last_name: 'Me' });
    const b = await createLead(t.app, s, { first_name: 'Undo', last_name: 'Me' });
    expect((await call('POST', '/leads/merge', { primary_id: a.id, ids: [b.id] })).statusCode).toBe(200);
    await call('POST', `/leads/${a.id}/comments`, { body: 'after the merge' });
    const before = await countAllTables(t.db);
    const res = await call('POST', `/leads/${b.id}/unmerge`);
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/comments went from 0 to 1/);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});

    const c = await createLead(t.app, s, { first_name: 'Undo', last_name: 'Two' });
    const d = await createLead(t.app, s, { first_name: 'Undo', last_name: 'Two' });
    await call('POST', '/leads/merge', { primary_id: c.id, ids: [d.id] });
    await call('PATCH', `/leads/${c.id}`, { title: 'Changed' });
    const r2 = await call('POST', `/leads/${c.id}/unmerge`);
    expect(r2.statusCode).toBe(409);
    expect(r2.json().detail).toMatch(/changed since the merge/);
  });

  it('refuses, writing nothing: an id twice, the primary in ids, a merged lead, a lead the caller cannot see', async () => {
    const a = await createLead(t.app, s, { first_name: 'R', last_name: 'One' });
    const b = await createLead(t.app, s, { first_name: 'R', last_name: 'Two' });
    const c = await createLead(t.app, s, { first_name: 'R', last_name: 'Three' });
    const d = await createLead(t.app, s, { first_name: 'R', last_name: 'Four' });
    await call('POST', '/leads/merge', { primary_id: c.id, ids: [d.id] });
    const other = await signup(t.app);
    const foreign = await createLead(t.app, other, { first_name: 'F' });
    const agent = await addMember(t.app, s, 'agent');
    const agentLead = await createLead(t.app, agent, { first_name: 'Agent', last_name: 'Own' });
    const cases: Array<[object, number, string?, Session?]> = [
      [{ primary_id: a.id, ids: [b.id, b.id] }, 422, 'ids[1]'],
      [{ primary_id: a.id, ids: [b.id, a.id] }, 422, 'ids[1]'],
      [{ primary_id: a.id, ids: [d.id] }, 409, 'ids[0]'],
      [{ primary_id: d.id, ids: [a.id] }, 409, 'primary_id'],
      [{ primary_id: a.id, ids: [foreign.id] }, 404],
      [{ primary_id: a.id, ids: [999999] }, 404],
      [{ primary_id: agentLead.id, ids: [a.id] }, 404, undefined, agent],
      [{ primary_id: a.id, ids: [b.id], fields: { first_name: c.id } }, 422, 'fields.first_name'],
      [{ primary_id: a.id, ids: [b.id], fields: { password: b.id } }, 422, 'fields.password'],
      [{ primary_id: a.id, ids: [] }, 400],
    ];
    for (const [body, status, field, who] of cases) {
      const before = await countAllTables(t.db);
      const res = await call('POST', '/leads/merge', body, who);
      expect([JSON.stringify(body), res.statusCode]).toEqual([JSON.stringify(body), status]);
      if (field) expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(changedTables(before, await countAllTables(t.db))).toEqual({});
    }
    expect((await call('POST', `/leads/${foreign.id}/unmerge`)).statusCode).toBe(404);
  });
});

describe('merge and the follow-up columns', () => {
  it("the primary's next follow-up is the soonest of the follow-ups it received, and undo gives them back", async () => {
    const primary = await createLead(t.app, s, { first_name: 'Grace', last_name: 'Hopper' });
    const other = await createLead(t.app, s, {
      first_name: 'Grace',
      last_name: 'Hopper',
      email: 'g@navy.example',
    });
    const planned = await call('POST', `/leads/${other.id}/follow-ups`, {
      scheduled_at: '2032-03-04T09:00:00Z',
    });
    expect(planned.statusCode, planned.body).toBe(201);
    const next = async (id: number) => (await call('GET', `/leads/${id}`)).json().next_follow_up_at;
    expect(await next(primary.id)).toBeNull();
    expect(await next(other.id)).toBe('2032-03-04T09:00:00.000Z');

    const res = await call('POST', '/leads/merge', { primary_id: primary.id, ids: [other.id] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().lead.next_follow_up_at).toBe('2032-03-04T09:00:00.000Z');
    // The rep's day lists the lead that holds the follow-up now.
    const due = await call('GET', `/follow-ups?due_before=2032-03-05T00:00:00Z&limit=200`);
    expect(due.json().data.map((f: { lead: { id: number } }) => f.lead.id)).toContain(primary.id);

    const undo = await call('POST', `/leads/${primary.id}/unmerge`);
    expect(undo.statusCode, undo.body).toBe(200);
    expect(await next(primary.id)).toBeNull();
    expect(await next(other.id)).toBe('2032-03-04T09:00:00.000Z');
  });
});

describe('merge and webhooks', () => {
  it('a merge emits one lead.merged event in its transaction; a dry run emits none', async () => {
    expect((await call('PUT', '/webhook-settings', { allow_private_networks: true })).statusCode).toBe(200);
    const hook = await call('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['lead.merged'] });
    expect(hook.statusCode, hook.body).toBe(201);
    const a = await createLead(t.app, s, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@engine.example',
    });
    const b = await createLead(t.app, s, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ADA@engine.example',
    });
    const merged = async () =>
      (
        await t.db.kysely
          .selectFrom('webhook_events')
          .select('payload')
          .where('type', '=', 'lead.merged')
          .execute()
      ).map((e) => JSON.parse(e.payload) as { data?: { lead: { id: number }; merged_ids: number[] } });
    const dry = await call('POST', '/leads/merge', { primary_id: a.id, ids: [b.id], dry_run: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(await merged()).toHaveLength(0);
    const real = await call('POST', '/leads/merge', { primary_id: a.id, ids: [b.id] });
    expect(real.statusCode, real.body).toBe(200);
    const events = await merged();
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0])).toContain(`"merged_ids":[${b.id}]`);
  });
});
