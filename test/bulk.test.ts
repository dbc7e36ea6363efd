import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
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
/** Follows a bulk job (202 + Location) to its end, keeping every progress answer seen on the way. */
async function follow(
  s: Session,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
) {
  expect(res.statusCode, res.body).toBe(202);
  const url = String(res.headers.location);
  expect(url).toMatch(/^\/api\/v1\/leads\/bulk\/\d+$/);
  const seen: Array<{ status: string; done: number; total: number; changed: number }> = [];
  const until = Date.now() + 170_000;
  for (;;) {
    const r = await t.app.inject({ url, headers: s.headers });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    seen.push(body);
    if (body.status === 'completed' || body.status === 'failed') return { final: body, seen };
    if (Date.now() > until) throw new Error(`bulk job still ${body.status}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}
const rows = async (table: 'status_history' | 'lead_tags' | 'lead_field_changes' | 'audit_log') =>
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
    // Above 500 leads the action is a job: 202, then progress to completion.
    expect(res.json()).toMatchObject({ total: AGENT_SHARE, done: 0, refused: [] });
    const { final, seen } = await follow(agent, res);
    expect(final).toMatchObject({
      status: 'completed',
      total: AGENT_SHARE,
      done: AGENT_SHARE,
      changed: AGENT_SHARE,
    });
    expect(final.refused).toEqual([]);
    for (let i = 1; i < seen.length; i++) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
    expect(seen.every((p) => p.total === AGENT_SHARE && p.done <= p.total)).toBe(true);
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

  it('refuses a move to lost without a reason over the whole filter, per lead, writing nothing', async () => {
    const before = [await rows('status_history'), await rows('lead_field_changes'), await rows('audit_log')];
    const res = await bulk(admin, { filter: { source: 'bulk' }, action: 'status', status: 'lost' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ matched: N, changed: 0 });
    expect(body.refused).toHaveLength(N);
    expect(body.refused.every((r: { code: string }) => r.code === 'reason_required')).toBe(true);
    expect([await rows('status_history'), await rows('lead_field_changes'), await rows('audit_log')]).toEqual(
      before,
    );
    expect(await total('source=bulk&status=lost')).toBe(0);
  }, 60_000);

  it('a status job writes every status-history row, refuses per lead what fails, and is private', async () => {
    const history = await rows('status_history');
    // The agent's last lead (a job works in id order): it leaves their sight after the job was accepted.
    const first = (
      await t.db.kysely
        .selectFrom('leads')
        .select((eb) => eb.fn.max('id').as('id'))
        .where('org_id', '=', admin.orgId)
        .where('source', '=', 'bulk')
        .where('owner_id', '=', agent.userId)
        .executeTakeFirstOrThrow()
    ).id as number;
    const res = await bulk(agent, { filter: { source: 'bulk' }, action: 'status', status: 'qualified' });
    await t.db.kysely
      .updateTable('leads')
      .set({ owner_id: admin.userId })
      .where('org_id', '=', admin.orgId)
      .where('id', '=', first)
      .execute();
    const { final } = await follow(agent, res);
    // The lead is in the last chunk (of 16 on SQLite, 4 on PostgreSQL), moved milliseconds after the 202: the job finds it out of sight.
    expect(final).toMatchObject({ status: 'completed', done: AGENT_SHARE, changed: AGENT_SHARE - 1 });
    expect(final.refused).toEqual([expect.objectContaining({ id: first, code: 'not_found' })]);
    expect(await rows('status_history')).toBe(history + final.changed);
    expect(await total('source=bulk&status=qualified')).toBe(final.changed);
    // Another agent does not see the job; another organization neither.
    const other = await addMember(t.app, admin, 'agent');
    const url = String(res.headers.location);
    expect((await t.app.inject({ url, headers: other.headers })).statusCode).toBe(404);
    const stranger = await signup(t.app);
    expect((await t.app.inject({ url, headers: stranger.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url, headers: admin.headers })).statusCode).toBe(200);
    await t.db.kysely
      .updateTable('leads')
      .set({ owner_id: agent.userId })
      .where('org_id', '=', admin.orgId)
      .where('id', '=', first)
      .execute();
  }, 180_000);

  it('deletes and restores by filter, and refuses a filter above the limit', async () => {
    const del = await bulk(admin, { filter: { source: 'bulk', tag: 'vip' }, action: 'delete' });
    expect((await follow(admin, del)).final).toMatchObject({ status: 'completed', changed: AGENT_SHARE });
    expect(await total('source=bulk')).toBe(N - AGENT_SHARE);
    const back = await bulk(admin, { filter: { source: 'bulk', tag: 'vip' }, action: 'restore' });
    expect((await follow(admin, back)).final).toMatchObject({ status: 'completed', changed: AGENT_SHARE });
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

  it('a job stopped with its process is carried on by the next one from its last committed chunk', async () => {
    const history = await rows('status_history');
    const a = (await buildApp({ config: t.config, db: t.db, webDir: null })) as unknown as FastifyInstance;
    await a.ready();
    const res = await a.inject({
      method: 'POST',
      url: '/api/v1/leads/bulk',
      headers: admin.headers,
      payload: { filter: { source: 'bulk', owner_id: agent.userId }, action: 'status', status: 'proposal' },
    });
    expect(res.statusCode, res.body).toBe(202);
    // Stop that process once some chunks are committed (t.app's worker may have taken the job already).
    for (;;) {
      const p = (await a.inject({ url: String(res.headers.location), headers: admin.headers })).json();
      if (p.done > 0 || p.status === 'completed') break;
      await new Promise((ok) => setTimeout(ok, 5));
    }
    await a.close();
    const { final } = await follow(admin, res);
    expect(final).toMatchObject({
      status: 'completed',
      total: AGENT_SHARE,
      done: AGENT_SHARE,
      changed: AGENT_SHARE,
    });
    // Nothing twice, nothing lost: one status-history row per lead.
    expect(await rows('status_history')).toBe(history + AGENT_SHARE);
    expect(await total('source=bulk&status=proposal')).toBe(AGENT_SHARE);
  }, 180_000);
});
