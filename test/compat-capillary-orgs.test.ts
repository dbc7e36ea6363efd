import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { ADD_LEAD_POST, REASONS_POST, UPDATE_STATUS_PUT } from './compat-capillary.samples.js';

/**
 * Seed 002 names reasons by small ids (the Add Lead sample sends reasonId 1 and 2). Reason ids are global in
 * the core, so this API shows each reason's number within its organization instead (migration 0062): the
 * verbatim samples work on the second and third organization of a database as on the first.
 */
let t: TestApp;
let app: FastifyInstance;
const orgs: Session[] = [];

const cap = (s: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  app.inject({
    method,
    url: `/compat/capillary${url}`,
    headers: s.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  for (let i = 0; i < 3; i++) orgs.push(await signup(app));
});
afterAll(async () => t.close());

describe('reason numbers per organization', () => {
  it('every organization lists its reasons as 1, 2, 3..., the numbers of its own reasons in /api/v1', async () => {
    const lists = [];
    for (const s of orgs) {
      const res = await cap(s, 'GET', '/v2/leads/reasons');
      expect(res.statusCode).toBe(200);
      const data = res.json().data as Array<{ id: number; reason: string }>;
      expect(data.map((r) => r.id)).toEqual(data.map((_, i) => i + 1));
      const core = (await app.inject({ method: 'GET', url: '/api/v1/reasons', headers: s.headers })).json()
        .data as Array<{ id: number; number: number; text: string }>;
      expect(core.map((r) => [r.number, r.text])).toEqual(data.map((r) => [r.id, r.reason]));
      lists.push({ data, core });
    }
    // The same numbers, different reasons underneath: the core ids of org 2 and 3 are not 1, 2.
    expect(lists[1].core[0].id).not.toBe(lists[0].core[0].id);
    expect(lists[2].data).toEqual(lists[0].data);
  });

  it('the verbatim Add Lead and Update Lead Status samples work on the second and third organization', async () => {
    for (const s of orgs.slice(1)) {
      const texts = (await cap(s, 'GET', '/v2/leads/reasons')).json().data.map((r: any) => r.reason);
      const add = await cap(s, 'POST', '/v2/leads', ADD_LEAD_POST);
      expect(add.statusCode, add.body).toBe(200);
      expect(add.json().statusLogDetails.map((e: any) => [e.status, e.reasonId, e.reason])).toEqual([
        ['OPEN', 1, texts[0]],
        ['ON_HOLD', 2, texts[1]],
      ]);
      const status = await cap(s, 'PUT', `/v2/leads/${add.json().id}/status`, {
        ...UPDATE_STATUS_PUT,
        subStatus: undefined,
        status: 'OPEN',
      });
      expect(status.statusCode, status.body).toBe(200);
      expect(status.json().statusLogDetails.at(-1)).toMatchObject({
        status: 'OPEN',
        reasonId: 2,
        reason: texts[1],
      });
      // Read back (the batched view): the numbers again, not the core ids.
      const got = await cap(s, 'GET', `/v2/leads/${add.json().id}`);
      expect(got.json().statusLogDetails.map((e: any) => e.reasonId)).toEqual([1, 2, 2]);
    }
  });

  it('configured reasons take the next numbers of their organization, and a number outside it is refused', async () => {
    const before = (await cap(orgs[2], 'GET', '/v2/leads/reasons')).json().data.length;
    const res = await cap(orgs[2], 'POST', '/v2/leads/reasons', REASONS_POST);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.map((r: any) => r.id)).toEqual([before + 1, before + 2, before + 3]);
    const wrong = await cap(orgs[1], 'POST', '/v2/leads', {
      ...ADD_LEAD_POST,
      identifier: 'n@example.com',
      statusLogDetails: [{ status: 'OPEN', createdBy: 1, reasonId: before + 3 }],
    });
    expect(wrong.statusCode).toBe(422);
    expect(JSON.stringify(wrong.json())).toContain('statusLogDetails.0.reasonId');
  });

  it('reasons added in parallel in one organization get distinct numbers', async () => {
    const s = orgs[0];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/reasons',
          headers: s.headers,
          payload: { text: `parallel ${i}` },
        }),
      ),
    );
    for (const r of results) expect(r.statusCode, r.body).toBe(201);
    const numbers = results.map((r) => r.json().number as number);
    expect(new Set(numbers).size).toBe(10);
  });
});
