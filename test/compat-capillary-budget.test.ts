import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { signup, type Session } from './helpers.js';
import { createCountingTestApp, type QueryCounter, type QueryCount } from './query-counter.js';
import { ADD_LEAD_POST, REASONS_POST, SEARCH_URL } from './compat-capillary.samples.js';

/**
 * What one request costs (issue 11, "Measure"): statements, writes and transactions per request, counted by a
 * Kysely plugin. Budgets: capillary add lead in 1 transaction and at most 20 queries; a search of 10 leads at
 * most 10 queries.
 */
let t: Awaited<ReturnType<typeof createCountingTestApp>>;
let app: FastifyInstance;
let counter: QueryCounter;
let s: Session;
const measured: Record<string, QueryCount> = {};

beforeAll(async () => {
  t = await createCountingTestApp();
  app = t.app;
  counter = t.counter;
  s = await signup(app);
  await app.inject({
    method: 'POST',
    url: '/compat/capillary/v2/leads/reasons',
    headers: s.headers,
    payload: REASONS_POST,
  });
});
afterAll(async () => {
  console.log(`[budget] ${JSON.stringify(measured)}`);
  await t.close();
});

const send = (method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url, headers: s.headers, ...(payload ? { payload } : {}) });

describe('queries per request', () => {
  // Not met yet: until every core write joins the caller's { tx } (branch uow-core), the composite create runs
  // each service in its own transaction. `it.fails` turns red the day the budget is met: make it `it` then.
  it.fails('capillary "Add Lead" sample: 1 transaction, at most 20 queries', async () => {
    await send('POST', '/compat/capillary/v2/leads', ADD_LEAD_POST); // warm: first lead defines trial_status
    const { result, count } = await counter.measure(() =>
      send('POST', '/compat/capillary/v2/leads', { ...ADD_LEAD_POST, identifier: 'huck.finn@example.com' }),
    );
    measured.capillaryAddLead = count;
    expect(result.statusCode, result.body).toBe(200);
    expect(count.transactions).toBe(1);
    expect(count.queries).toBeLessThanOrEqual(20);
  });

  it('capillary search of 10 leads: at most 10 queries', async () => {
    for (let i = 0; i < 10; i++)
      await send('POST', '/compat/capillary/v2/leads', { ...ADD_LEAD_POST, identifier: `p${i}@example.com` });
    const { result, count } = await counter.measure(() => send('GET', `/compat/capillary${SEARCH_URL}`));
    measured.capillarySearch10 = count;
    expect(result.statusCode, result.body).toBe(200);
    expect(result.json().data).toHaveLength(10);
    expect(count.transactions).toBe(0);
    expect(count.queries).toBeLessThanOrEqual(10);
  });

  it('/api/v1 POST /leads (measured for comparison)', async () => {
    const { result, count } = await counter.measure(() =>
      send('POST', '/api/v1/leads', { first_name: 'Ada', email: 'ada@example.com' }),
    );
    measured.apiV1CreateLead = count;
    expect(result.statusCode, result.body).toBe(201);
    expect(count.transactions).toBe(1);
  });
});
