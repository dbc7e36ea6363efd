import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { createQueryCounter } from './query-counter.js';
import { efRequest, leadXml, xml } from './compat-entreprise-facile.helpers.js';

/**
 * What one seed 001 request costs, counted at the driver: a list page is a fixed number of queries whatever
 * its size (no N+1), and a write is one transaction (the lead and its customer's flag together).
 */
let t: TestApp;
let app: FastifyInstance;
let s: Session;
let ef: ReturnType<typeof efRequest>;
const counter = createQueryCounter();
const measured: Record<string, { queries: number; writes: number; transactions: number }> = {};
const cost = async (name: string, fn: () => ReturnType<ReturnType<typeof efRequest>>) => {
  const { result, counts } = await counter.measure(fn);
  measured[name] = { queries: counts.queries, writes: counts.writes, transactions: counts.transactions };
  return { result, counts };
};

beforeAll(async () => {
  t = await createTestApp({}, { wrapDialect: counter.wrapDialect });
  app = t.app;
  s = await signup(app);
  ef = efRequest(app, s);
});
afterAll(async () => {
  console.log(`[budget entreprise-facile] ${JSON.stringify(measured)}`);
  await t.close();
});

describe('queries per request', () => {
  it('a list page costs the same for 5 and for 25 leads, each with a firm and a contact', async () => {
    const firm = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/companies',
        headers: s.headers,
        payload: { name: 'F' },
      })
    ).json().id;
    const contact = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/contacts',
        headers: s.headers,
        payload: { first_name: 'C' },
      })
    ).json().id;
    for (let i = 0; i < 5; i++) await createLead(app, s, { company_id: firm, contact_ids: [contact] });
    // Unmeasured first: the settings cache (src/db/org-cache.ts) fills on an organization's first reads, and the
    // comparison is about the leads, not a cold cache.
    await ef('GET', '/leads.xml');
    const five = await cost('list of 5', () => ef('GET', '/leads.xml'));
    for (let i = 0; i < 25; i++) await createLead(app, s, { company_id: firm, contact_ids: [contact] });
    const full = await cost('list of 25', () => ef('GET', '/leads.xml'));
    expect([xml(full.result.body).leads.lead].flat().length).toBe(25);
    // The job worker and the digest clock poll in the background: their statements are not the request's.
    const own = (sql: string[]) =>
      sql.filter((q) => !/from "?jobs"?|"?time_zone"? from "?organizations"? order by/.test(q));
    expect(own(full.counts.sql)).toHaveLength(own(five.counts.sql).length);
    expect(full.counts.writes).toBe(0);
  });

  it('a create with a firm and is_engaged is one transaction; so is a PUT', async () => {
    const firm = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/companies',
        headers: s.headers,
        payload: { name: 'G' },
      })
    ).json().id;
    const created = await cost('POST with firm + is_engaged', () =>
      ef(
        'POST',
        '/leads.xml',
        leadXml({ client_name: 'X', topic: 'T', firm_id: firm, is_engaged: 1, progress_id: 461 }),
      ),
    );
    expect(created.result.statusCode, created.result.body).toBe(201);
    expect(created.counts.transactions).toBe(1);
    const id = xml(created.result.body).lead.id;
    const put = await cost('PUT topic + step', () =>
      ef('PUT', `/leads/${id}.xml`, leadXml({ topic: 'U', progress_id: 470 })),
    );
    expect(put.result.statusCode, put.result.body).toBe(200);
    expect(put.counts.transactions).toBe(1);
    const refused = await cost('refused PUT (importance 9)', () =>
      ef('PUT', `/leads/${id}.xml`, leadXml({ importance: 9 })),
    );
    expect(refused.result.statusCode).toBe(422);
    expect(refused.counts.writes).toBe(0);
  });
});
