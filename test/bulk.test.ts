import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createLead, onPostgres, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';

let t: TestApp;
let admin: Session;
let agent: Session;
// Bulk runs one full lead update per lead (about 10 statements each): 10,000 leads on SQLite take seconds,
// on PostgreSQL minutes on a loaded machine, so the PostgreSQL run uses a fifth of the size (docs/api.md).
const N = onPostgres ? 2_000 : 10_000;
const AGENT_SHARE = onPostgres ? 800 : 4_000;

async function bulk(s: Session, payload: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/leads/bulk',
    headers: s.headers,
    payload: payload as object,
  });
}
async function total(query: string) {
  const r = await t.app.inject({
    url: `/api/v1/leads?include_total=true&limit=1&${query}`,
    headers: admin.headers,
  });
  return r.json().total as number;
}
const rows = async (table: 'status_history' | 'lead_tags' | 'lead_field_changes') =>
  Number(
    (
      await t.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  t = await createTestApp();
  admin = await signup(t.app);
  agent = await addMember(t.app, admin, 'agent');
  // 10,000 leads straight into the table (the API would take minutes): 4,000 the agent owns, the rest not.
  const status = await t.db.kysely
    .selectFrom('statuses')
    .select('id')
    .where('org_id', '=', admin.orgId)
    .where('key', '=', 'new')
    .executeTakeFirstOrThrow();
  const now = new Date().toISOString();
  for (let i = 0; i < N; i += 500) {
    await t.db.kysely
      .insertInto('leads')
      .values(
        Array.from({ length: 500 }, (_, k) => ({
          org_id: admin.orgId,
          first_name: `Bulk${i + k}`,
          source: 'bulk',
          status_id: status.id,
          owner_id: i + k < AGENT_SHARE ? agent.userId : admin.userId,
          custom_fields: '{}',
          status_changed_at: now,
          created_at: now,
          updated_at: now,
          version: 1,
        })),
      )
      .execute();
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('POST /leads/bulk', () => {
  it("an agent's bulk on a filter of 10,000 leads changes only the leads they can see", async () => {
    expect(await total('source=bulk')).toBe(N);
    const res = await bulk(agent, { filter: { source: 'bulk' }, action: 'add_tags', tags: ['vip'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ matched: AGENT_SHARE, changed: AGENT_SHARE, refused: [] });
    expect(await total('tag=vip')).toBe(AGENT_SHARE);
    expect(await total(`tag=vip&owner_id=${admin.userId}`)).toBe(0);
  }, 180_000);

  it('refuses, per lead, the ids the caller cannot see and changes the rest', async () => {
    const mine = await createLead(t.app, agent, { first_name: 'Mine' });
    const theirs = await createLead(t.app, admin, { first_name: 'Theirs', owner_id: admin.userId });
    const res = await bulk(agent, {
      ids: [mine.id, theirs.id, 99999999],
      action: 'status',
      status: 'qualified',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.changed).toBe(1);
    expect(body.refused.map((r: { id: number; code: string }) => [r.id, r.code])).toEqual([
      [theirs.id, 'not_found'],
      [99999999, 'not_found'],
    ]);
    const get = (id: number) => t.app.inject({ url: `/api/v1/leads/${id}`, headers: admin.headers });
    expect((await get(mine.id)).json().status).toBe('qualified');
    expect((await get(theirs.id)).json().status).toBe('new');
  });

  it('refuses a move to lost without a reason for every lead, writing nothing', async () => {
    const a = await createLead(t.app, admin);
    const b = await createLead(t.app, admin);
    const before = [await rows('status_history'), await rows('lead_field_changes')];
    const res = await bulk(admin, { ids: [a.id, b.id], action: 'status', status: 'lost' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changed).toBe(0);
    expect(res.json().refused).toEqual([
      expect.objectContaining({ id: a.id, code: 'reason_required', field: 'reason_id' }),
      expect.objectContaining({ id: b.id, code: 'reason_required', field: 'reason_id' }),
    ]);
    expect([await rows('status_history'), await rows('lead_field_changes')]).toEqual(before);

    const reason = (
      await t.app.inject({ url: '/api/v1/reasons?category=lost', headers: admin.headers })
    ).json().data[0].id;
    const ok = await bulk(admin, { ids: [a.id, b.id], action: 'status', status: 'lost', reason_id: reason });
    expect(ok.json()).toMatchObject({ changed: 2, refused: [] });
    expect(await rows('status_history')).toBe(before[0] + 2);
  });

  it('rolls every lead back when one fails inside the transaction', async () => {
    const a = await createLead(t.app, admin);
    const before = await rows('lead_field_changes');
    const res = await bulk(admin, { ids: [a.id], action: 'team', team_id: 424242 });
    expect(res.statusCode).toBe(422);
    expect(await rows('lead_field_changes')).toBe(before);
  });

  it('deletes and restores by filter, and refuses a filter above the limit', async () => {
    const del = await bulk(admin, { filter: { source: 'bulk', tag: 'vip' }, action: 'delete' });
    expect(del.json()).toMatchObject({ changed: AGENT_SHARE });
    expect(await total('source=bulk')).toBe(N - AGENT_SHARE);
    const back = await bulk(admin, { filter: { source: 'bulk', tag: 'vip' }, action: 'restore' });
    expect(back.json()).toMatchObject({ changed: AGENT_SHARE });
    expect(await total('source=bulk')).toBe(N);
    // Past the limit needs more than 10,000 matching leads: the SQLite run (N = 10,000) checks it.
    if (onPostgres) return;
    await createLead(t.app, admin, { source: 'bulk' });
    const big = await bulk(admin, { filter: { source: 'bulk' }, action: 'owner', owner_id: agent.userId });
    expect(big.statusCode).toBe(413);
    expect(await total(`source=bulk&owner_id=${agent.userId}`)).toBe(AGENT_SHARE);
  }, 180_000);

  it('needs ids or a filter, and the action fields', async () => {
    expect((await bulk(admin, { action: 'delete' })).statusCode).toBe(422);
    const r = await bulk(admin, { ids: [1], action: 'owner' });
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('owner_id');
  });
});
