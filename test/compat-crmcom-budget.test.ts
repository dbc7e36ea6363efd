import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type TestApp } from './helpers.js';
import { createQueryCounter } from './query-counter.js';
import { crm, crmToken, minimal, setUp } from './compat-crmcom.helpers.js';

/** What seed 003's requests cost: statements, writes and transactions (printed; ceilings asserted). */
let t: TestApp;
let app: FastifyInstance;
let c: ReturnType<typeof crm>;
const counter = createQueryCounter();
const measured: Record<string, { queries: number; writes: number; transactions: number }> = {};

beforeAll(async () => {
  t = await createTestApp({}, { wrapDialect: counter.wrapDialect });
  app = t.app;
  const s = await signup(app);
  await setUp(app, s);
  c = crm(app, await crmToken(app, s));
});
afterAll(async () => {
  console.log(`[crmcom budget] ${JSON.stringify(measured)}`);
  await t.close();
});

const measure = async (name: string, fn: () => Promise<{ statusCode: number; body: string }>) => {
  const { result, counts } = await counter.measure(fn);
  measured[name] = { queries: counts.queries, writes: counts.writes, transactions: counts.transactions };
  expect(result.statusCode, result.body).toBe(200);
  return measured[name];
};

describe('queries per request', () => {
  it('leads/create: one transaction; a refused one writes nothing', async () => {
    await c.post('leads/create', minimal());
    const full = await measure('create', () =>
      c.post(
        'leads/create',
        minimal({
          contact_email: 'b@example.com',
          owned_by_group_identifier: { name: 'North' },
          privacy_level_identifier: { name: 'Public' },
          estimated_completion_time: { time_period_value: 2, time_period_uot: 'WEEKS' },
          products_set: [{ product_identifier: { name: 'A' } }],
          udf_string_1: 'x',
        }),
      ),
    );
    expect(full.transactions).toBe(1);
    expect(full.queries).toBeLessThan(60);
    const { result, counts } = await counter.measure(() =>
      c.post('leads/create', minimal({ type_identifier: { name: 'Email follow up' } })),
    );
    expect(result.statusCode).toBe(422);
    expect(counts.writes).toBe(0);
  });

  it('leads/list of 20 and leads/show: a fixed number of queries', async () => {
    for (let i = 0; i < 18; i++) await c.post('leads/create', minimal());
    const list = await measure('list 20', () => c.get('leads/list', { records_per_page: '20' }));
    const show = await measure('show', () => c.get('leads/show', { lead_identifier: 'id=1' }));
    expect(list.queries).toBeLessThan(40);
    expect(show.queries).toBeLessThan(30);
  });
});
