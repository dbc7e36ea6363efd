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

async function reasonId(text: string, session: Session = s): Promise<number> {
  const r = (await call('GET', '/reasons', undefined, session))
    .json()
    .data.find((x: { text: string }) => x.text === text);
  if (!r) throw new Error(`no reason ${text}`);
  return r.id;
}

describe('statuses', () => {
  it('gives a new organization a pipeline covering every seed vocabulary, and starter reasons', async () => {
    const res = await call('GET', '/statuses');
    expect(res.statusCode).toBe(200);
    const keys = res.json().data.map((x: { key: string }) => x.key);
    for (const k of [
      'new',
      'assigned',
      'in_process',
      'qualified',
      'proposal',
      'negotiation',
      'closing',
      'recycled',
      'on_hold',
      'won',
      'production',
      'exploitation',
      'lost',
      'converted',
      'closed',
      'duplicate',
      'invalid',
      'deleted',
    ]) {
      expect(keys).toContain(k);
    }
    const lost = res.json().data.find((x: { key: string }) => x.key === 'lost');
    expect(lost).toMatchObject({
      category: 'lost',
      reason_required: true,
      is_default: false,
      sub_statuses: [],
    });
    expect(res.json().data.find((x: { is_default: boolean }) => x.is_default).key).toBe('new');
    const lostReasons = (await call('GET', '/reasons?category=lost'))
      .json()
      .data.map((r: { text: string }) => r.text);
    expect(lostReasons).toEqual(expect.arrayContaining(['No budget', 'Chose a competitor', 'Other']));
    const holdReasons = (await call('GET', '/reasons?category=on_hold'))
      .json()
      .data.map((r: { text: string }) => r.text);
    expect(holdReasons).toEqual(['No response', 'Other']);
  });

  it('creates, updates and refuses duplicates and bad input', async () => {
    const created = await call('POST', '/statuses', {
      key: 'demo_booked',
      label: 'Demo booked',
      category: 'open',
      position: 25,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      key: 'demo_booked',
      label: 'Demo booked',
      category: 'open',
      position: 25,
      reason_required: false,
      lead_count: 0,
    });
    expect(
      (await call('POST', '/statuses', { key: 'demo_booked', label: 'Again', category: 'open' })).statusCode,
    ).toBe(409);
    const bad = await call('POST', '/statuses', { key: 'Bad Key', label: 'x', category: 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['category', 'key']);
    const patched = await call('PATCH', '/statuses/demo_booked', {
      label: 'Demo scheduled',
      reason_required: true,
    });
    expect(patched.json()).toMatchObject({
      key: 'demo_booked',
      label: 'Demo scheduled',
      reason_required: true,
    });
    expect((await call('PATCH', '/statuses/nope', { label: 'x' })).statusCode).toBe(404);
    expect((await call('PATCH', '/statuses/demo_booked', { key: 'won' })).statusCode).toBe(409);
    const def = await call('PATCH', '/statuses/new', { is_default: false });
    expect(def.statusCode).toBe(422);
    expect(def.json().errors[0].field).toBe('is_default');
  });

  it('makes another status the default for new leads', async () => {
    await call('POST', '/statuses', { key: 'inbox', label: 'Inbox', category: 'open', is_default: true });
    const lead = await createLead(t.app, s);
    expect(lead.status).toBe('inbox');
    const all = (await call('GET', '/statuses')).json().data;
    expect(
      all.filter((x: { is_default: boolean }) => x.is_default).map((x: { key: string }) => x.key),
    ).toEqual(['inbox']);
    expect((await call('DELETE', '/statuses/inbox')).statusCode).toBe(409);
    await call('PATCH', '/statuses/new', { is_default: true });
    expect((await createLead(t.app, s)).status).toBe('new');
  });

  it('refuses to delete a status in use (409) unless its leads are moved, and records each move', async () => {
    await call('POST', '/statuses', { key: 'nurture', label: 'Nurture', category: 'open' });
    const a = await createLead(t.app, s, { status: 'nurture' });
    const b = await createLead(t.app, s, { status: 'nurture' });
    await call('DELETE', `/leads/${b.id}`); // in the trash, still in the status
    const refused = await call('DELETE', '/statuses/nurture');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('2 lead(s)');
    expect((await call('GET', '/statuses/nurture')).statusCode).toBe(200);
    expect((await call('DELETE', '/statuses/nurture?move_to=nowhere')).json().errors[0].field).toBe(
      'move_to',
    );
    const needsReason = await call('DELETE', '/statuses/nurture?move_to=lost');
    expect(needsReason.statusCode).toBe(422);
    expect(needsReason.json().errors[0].field).toBe('reason_id');
    const ok = await call('DELETE', '/statuses/nurture?move_to=recycled');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ moved: 2 });
    expect((await call('GET', '/statuses/nurture')).statusCode).toBe(404);
    const lead = (await call('GET', `/leads/${a.id}`)).json();
    expect(lead).toMatchObject({ status: 'recycled', version: a.version + 1 });
    const hist = (await call('GET', `/leads/${a.id}/status-history`)).json().data;
    expect(hist.map((h: { from: string | null; to: string }) => [h.from, h.to])).toEqual([
      [null, 'nurture'],
      ['nurture', 'recycled'],
    ]);
    expect(hist[1].note).toContain('deleted');
    // The key is free again.
    expect(
      (await call('POST', '/statuses', { key: 'nurture', label: 'Nurture again', category: 'open' }))
        .statusCode,
    ).toBe(201);
    expect((await call('GET', `/leads/${a.id}/status-history`)).json().data[0].to).toBe('nurture');
  });
});

describe('statuses, continued', () => {
  it('moves leads into a status that needs a reason when one is given, and renames keys without losing history', async () => {
    await call('POST', '/statuses', { key: 'stale', label: 'Stale', category: 'open' });
    const lead = await createLead(t.app, s, { status: 'stale' });
    const reason = await reasonId('No response');
    const moved = await call('DELETE', `/statuses/stale?move_to=lost&reason_id=${reason}`);
    expect(moved.json()).toEqual({ moved: 1 });
    const hist = (await call('GET', `/leads/${lead.id}/status-history`)).json().data;
    expect(hist[1]).toMatchObject({ from: 'stale', to: 'lost', reason: { id: reason, text: 'No response' } });

    await call('POST', '/statuses', { key: 'demo', label: 'Demo', category: 'open' });
    const l2 = await createLead(t.app, s, { status: 'demo' });
    const renamed = await call('PATCH', '/statuses/demo', { key: 'demo_done', label: 'Demo done' });
    expect(renamed.json()).toMatchObject({ key: 'demo_done', lead_count: 1 });
    expect((await call('GET', `/leads/${l2.id}`)).json().status).toBe('demo_done');
    expect((await call('GET', `/leads/${l2.id}/status-history`)).json().data[0].to).toBe('demo_done');
  });

  it('lets a viewer read the pipeline but not change it or move leads (403)', async () => {
    const viewer = await signup(t.app);
    await t.db.kysely
      .insertInto('memberships')
      .values({
        org_id: s.orgId,
        user_id: viewer.userId,
        role: 'viewer',
        created_at: new Date().toISOString(),
        deactivated_at: null,
      })
      .execute();
    const v = { ...viewer, headers: { ...viewer.headers, 'x-organization-id': String(s.orgId) } };
    const lead = await createLead(t.app, s);
    expect((await call('GET', '/statuses', undefined, v)).statusCode).toBe(200);
    expect((await call('GET', `/leads/${lead.id}/status-history`, undefined, v)).statusCode).toBe(200);
    expect(
      (await call('POST', '/statuses', { key: 'mine', label: 'Mine', category: 'open' }, v)).statusCode,
    ).toBe(403);
    expect((await call('POST', '/reasons', { text: 'Mine' }, v)).statusCode).toBe(403);
    expect((await call('POST', `/leads/${lead.id}/status`, { status: 'won' }, v)).statusCode).toBe(403);
    expect((await call('GET', `/leads/${lead.id}`)).json().status).toBe('new');
  });
});

describe('sub-statuses', () => {
  it('adds, lists, renames and protects sub-statuses in use', async () => {
    const c = await call('POST', '/statuses/on_hold/sub-statuses', { name: 'YetToDecide' });
    expect(c.statusCode).toBe(201);
    expect(c.json()).toMatchObject({ status: 'on_hold', name: 'YetToDecide' });
    expect((await call('POST', '/statuses/on_hold/sub-statuses', { name: 'YetToDecide' })).statusCode).toBe(
      409,
    );
    expect((await call('POST', '/statuses/nope/sub-statuses', { name: 'x' })).statusCode).toBe(404);
    await call('POST', '/statuses/lost/sub-statuses', { name: 'InvalidPhoneNumber' });
    const list = (await call('GET', '/statuses/on_hold/sub-statuses')).json().data;
    expect(list.map((x: { name: string }) => x.name)).toEqual(['YetToDecide']);
    const all = (await call('GET', '/sub-statuses'))
      .json()
      .data.map((x: { status: string; name: string }) => `${x.status}/${x.name}`);
    expect(all).toEqual(expect.arrayContaining(['on_hold/YetToDecide', 'lost/InvalidPhoneNumber']));
    expect((await call('GET', '/statuses/on_hold')).json().sub_statuses).toEqual(['YetToDecide']);

    await call('POST', '/statuses/on_hold/sub-statuses', { name: 'Budget review' });
    const renamed = await call('PATCH', '/statuses/on_hold/sub-statuses/Budget%20review', {
      name: 'Budget check',
    });
    expect(renamed.json().name).toBe('Budget check');
    const lead = await createLead(t.app, s);
    await call('POST', `/leads/${lead.id}/status`, { status: 'on_hold', sub_status: 'Budget check' });
    expect((await call('DELETE', '/statuses/on_hold/sub-statuses/Budget%20check')).statusCode).toBe(409);
    await call('POST', `/leads/${lead.id}/status`, { status: 'on_hold', sub_status: null });
    expect((await call('DELETE', '/statuses/on_hold/sub-statuses/Budget%20check')).statusCode).toBe(204);
    const held = await createLead(t.app, s);
    await call('POST', `/leads/${held.id}/status`, { status: 'on_hold', sub_status: 'YetToDecide' });
    const ids = async (q: string) =>
      (await call('GET', `/leads?${q}`)).json().data.map((l: { id: number }) => l.id);
    expect(await ids('sub_status=YetToDecide')).toEqual([held.id]);
    expect(await ids('status=on_hold&sub_status=YetToDecide')).toEqual([held.id]);
    expect(await ids('status=lost&sub_status=YetToDecide')).toEqual([]);
    // The history still names it.
    const hist = (await call('GET', `/leads/${lead.id}/status-history`)).json().data;
    expect(hist[1].sub_status).toBe('Budget check');
  });
});

describe('reasons', () => {
  it('adds one or several reasons with integer ids, updates and retires them', async () => {
    const one = await call('POST', '/reasons', { text: 'Item not available in store' });
    expect(one.statusCode).toBe(201);
    expect(Number.isInteger(one.json().id)).toBe(true);
    expect(one.json()).toMatchObject({ text: 'Item not available in store', categories: null });
    const many = await call('POST', '/reasons', [
      { text: 'Best price at another store', categories: ['lost', 'on_hold'] },
      { text: 'Interested in our brand' },
    ]);
    expect(many.statusCode).toBe(201);
    expect(many.json().data.map((r: { text: string }) => r.text)).toEqual([
      'Best price at another store',
      'Interested in our brand',
    ]);
    const dup = await call('POST', '/reasons', [
      { text: 'Fresh one' },
      { text: 'Item not available in store' },
    ]);
    expect(dup.statusCode).toBe(409);
    expect((await call('GET', '/reasons')).json().data.map((r: { text: string }) => r.text)).not.toContain(
      'Fresh one',
    );
    const bad = await call('POST', '/reasons', { text: 'x', categories: ['sometimes'] });
    expect(bad.statusCode).toBe(400);
    const upd = await call('PATCH', `/reasons/${one.json().id}`, { categories: ['lost'] });
    expect(upd.json().categories).toEqual(['lost']);
    expect((await call('DELETE', `/reasons/${one.json().id}`)).statusCode).toBe(204);
    expect((await call('GET', `/reasons/${one.json().id}`)).statusCode).toBe(404);
  });
});

describe('status changes', () => {
  it('validates status, sub-status and reason (422 naming the field) and changes nothing on error', async () => {
    const lead = await createLead(t.app, s);
    const other = await signup(t.app);
    const foreignReason = (await call('POST', '/reasons', { text: 'Theirs' }, other)).json().id;
    const cases: Array<[object, string]> = [
      [{ status: 'maybe' }, 'status'],
      [{ status: 'lost' }, 'reason_id'],
      [{ status: 'on_hold', sub_status: 'InvalidPhoneNumber' }, 'sub_status'],
      [{ status: 'on_hold', sub_status: 'Nope' }, 'sub_status'],
      [{ status: 'lost', reason_id: foreignReason }, 'reason_id'],
      [{ status: 'on_hold', reason_id: await reasonId('No budget') }, 'reason_id'],
      [{ status: 'won', at: '1850-01-01T00:00:00Z' }, 'at'],
      [{ status: 'won', at: new Date(Date.now() + 86400_000).toISOString() }, 'at'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', `/leads/${lead.id}/status`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const notIso = await call('POST', `/leads/${lead.id}/status`, { status: 'won', at: 'yesterday' });
    expect(notIso.statusCode).toBe(400);
    expect(notIso.json().errors[0].field).toBe('at');
    const after = (await call('GET', `/leads/${lead.id}`)).json();
    expect(after).toMatchObject({ status: 'new', version: lead.version, sub_status: null });
    expect((await call('GET', `/leads/${lead.id}/status-history`)).json().data).toHaveLength(1);
  });

  it('moves a lead with sub-status, reason and note, and keeps an append-only history', async () => {
    const lead = await createLead(t.app, s);
    const hold = await call('POST', `/leads/${lead.id}/status`, {
      status: 'on_hold',
      sub_status: 'YetToDecide',
      note: 'Waiting for budget',
    });
    expect(hold.statusCode).toBe(200);
    expect(hold.json()).toMatchObject({
      status: 'on_hold',
      status_category: 'on_hold',
      sub_status: 'YetToDecide',
      version: lead.version + 1,
    });
    const reason = await reasonId('Chose a competitor');
    const lost = await call('POST', `/leads/${lead.id}/status`, {
      status: 'lost',
      reason_id: reason,
      at: '2025-06-01T10:00:00+02:00',
    });
    expect(lost.json()).toMatchObject({
      status: 'lost',
      sub_status: null,
      status_changed_at: '2025-06-01T08:00:00.000Z',
    });
    const hist = (await call('GET', `/leads/${lead.id}/status-history`)).json().data;
    // In the order applied, each entry starting where the previous ended; the backdated one keeps its own time.
    expect(hist.map((h: { to: string }) => h.to)).toEqual(['new', 'on_hold', 'lost']);
    const entry = hist.find((h: { to: string }) => h.to === 'lost');
    expect(entry).toMatchObject({
      from: 'on_hold',
      to_category: 'lost',
      reason: { id: reason, text: 'Chose a competitor' },
      by: s.userId,
      at: '2025-06-01T08:00:00.000Z',
    });
    expect(hist.find((h: { to: string }) => h.to === 'on_hold')).toMatchObject({
      from: 'new',
      sub_status: 'YetToDecide',
      note: 'Waiting for budget',
      reason: null,
    });
    // A retired reason still shows its text in the history.
    await call('DELETE', `/reasons/${reason}`);
    const again = (await call('GET', `/leads/${lead.id}/status-history`)).json().data;
    expect(again.find((h: { to: string }) => h.to === 'lost').reason).toEqual({
      id: reason,
      text: 'Chose a competitor',
    });
    const paged = (await call('GET', `/leads/${lead.id}/status-history?limit=2`)).json();
    expect(paged.data).toHaveLength(2);
    const rest = (
      await call('GET', `/leads/${lead.id}/status-history?limit=2&cursor=${paged.next_cursor}`)
    ).json();
    expect(rest.data.map((h: { to: string }) => h.to)).toEqual(['lost']);
    expect(rest.next_cursor).toBeNull();
  });

  it('applies the same rules through PATCH /leads/:id and on create', async () => {
    const lead = await createLead(t.app, s);
    const noReason = await call('PATCH', `/leads/${lead.id}`, { status: 'lost', first_name: 'Changed' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().errors[0].field).toBe('reason_id');
    expect((await call('GET', `/leads/${lead.id}`)).json().first_name).toBe(lead.first_name);
    const ok = await call('PATCH', `/leads/${lead.id}`, {
      status: 'lost',
      reason_id: await reasonId('No budget'),
      sub_status: 'InvalidPhoneNumber',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'lost', sub_status: 'InvalidPhoneNumber' });
    const sub = await call('PATCH', `/leads/${lead.id}`, { sub_status: null });
    expect(sub.json()).toMatchObject({ status: 'lost', sub_status: null });
    const hist = (await call('GET', `/leads/${lead.id}/status-history`)).json().data;
    expect(
      hist.map((h: { from: string | null; to: string; sub_status: string | null }) => [
        h.from,
        h.to,
        h.sub_status,
      ]),
    ).toEqual([
      [null, 'new', null],
      ['new', 'lost', 'InvalidPhoneNumber'],
      ['lost', 'lost', null],
    ]);
    // No duplicate "status_id" field change: status lives in its own history.
    const same = await call('PATCH', `/leads/${lead.id}`, { status: 'lost' });
    expect(same.json().version).toBe(sub.json().version);

    const created = await call('POST', '/leads', { last_name: 'Lost from the start', status: 'lost' });
    expect(created.statusCode).toBe(422);
    expect(created.json().errors[0].field).toBe('reason_id');
    const created2 = await call('POST', '/leads', {
      last_name: 'Lost from the start',
      status: 'on_hold',
      sub_status: 'YetToDecide',
    });
    expect(created2.json()).toMatchObject({ status: 'on_hold', sub_status: 'YetToDecide' });
    expect((await call('GET', `/leads/${created2.json().id}/status-history`)).json().data[0]).toMatchObject({
      from: null,
      to: 'on_hold',
      sub_status: 'YetToDecide',
    });
  });

  it("answers 404 for another organization's lead and hides its pipeline", async () => {
    const other = await signup(t.app);
    const theirs = await createLead(t.app, other);
    expect((await call('POST', `/leads/${theirs.id}/status`, { status: 'won' })).statusCode).toBe(404);
    expect((await call('GET', `/leads/${theirs.id}/status-history`)).statusCode).toBe(404);
    expect((await call('GET', '/statuses/demo_booked', undefined, other)).statusCode).toBe(404);
  });
});
