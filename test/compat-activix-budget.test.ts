import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { createQueryCounter } from './query-counter.js';

/** Queries per request of seed 000 (docs/compat/activix.md, "Measured"): one transaction per write. */
const counter = createQueryCounter();
let t: TestApp;
let app: FastifyInstance;
let s: Session;

beforeAll(async () => {
  t = await createTestApp({}, { wrapDialect: counter.wrapDialect });
  app = t.app;
  s = await signup(app, { name: 'Jane Advisor' });
});
afterAll(async () => t.close());

const ax = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  app.inject({
    method,
    url: `/compat/activix${url}`,
    headers: s.headers,
    ...(payload ? { payload: payload as object } : {}),
  });

describe('activix query budget', () => {
  it('creates the documented example in one transaction and lists a page without N+1', async () => {
    const body = {
      first_name: 'John',
      last_name: 'Doe',
      type: 'email',
      advisor: { first_name: 'Jane', last_name: 'Advisor' },
      emails: [{ type: 'home', address: 'john.doe@example.com' }],
      phones: [{ type: 'mobile', number: '+15144321214' }],
      vehicles: [
        { type: 'wanted', make: 'Aston Martin', model: 'DB11', year: 2018 },
        { type: 'exchange', make: 'Aston Martin', model: 'DB9', year: 2012 },
      ],
    };
    const created = await counter.measure(() => ax('POST', '/v2/leads', body));
    expect(created.result.statusCode).toBe(201);
    console.log(
      `POST /v2/leads (example): ${created.counts.queries} queries, ${created.counts.writes} writes, ${created.counts.transactions} transactions`,
    );
    expect(created.counts.transactions).toBe(1);
    for (let i = 0; i < 24; i++)
      await ax('POST', '/v2/leads', { ...body, emails: [{ address: `j${i}@example.com` }], phones: [] });
    const list = await counter.measure(() =>
      ax('GET', '/v2/leads?include[]=emails&include[]=phones&include[]=vehicles&include[]=advisor'),
    );
    expect(list.result.json().data).toHaveLength(25);
    console.log(`GET /v2/leads (25, four includes): ${list.counts.queries} queries`);
    const small = await counter.measure(() => ax('GET', '/v2/leads?per_page=5&include[]=emails'));
    expect(small.result.json().data).toHaveLength(5);
    // The page's parts are batched by the core: a longer page costs no more queries per lead.
    const big = await counter.measure(() => ax('GET', '/v2/leads?per_page=25&include[]=emails'));
    // (20 more leads would be 20+ more queries with an N+1; PostgreSQL plans one more count step for the long page.)
    expect(big.counts.queries).toBeLessThanOrEqual(small.counts.queries + 1);
  });
});
