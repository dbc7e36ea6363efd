import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type CompiledQuery, type DatabaseConnection, type Dialect, type QueryResult } from 'kysely';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { withDriver } from '../src/db/unit-of-work.js';
import { refreshLeadSearch } from '../src/leads/lead-search.js';
import { createLeadRepository } from '../src/leads/lead.repository.js';

/**
 * The create path writes what the lead parts would set right after the INSERT (search_extra, the score) with
 * the INSERT itself (docs/decisions.md, "The create path inside the write lock"): the stored row must be the
 * same as before, and the search part's UPDATE must then find nothing to change.
 */
const searchUpdates: number[] = [];
const wrapDialect = (d: Dialect) =>
  withDriver(d, (driver) => {
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => {
      const c = await acquire();
      return {
        async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
          const r = await c.executeQuery<R>(q);
          if (/^UPDATE leads SET search_extra/.test(q.sql))
            searchUpdates.push(Number(r.numAffectedRows ?? 0));
          return r;
        },
        streamQuery: <R>(q: CompiledQuery, chunkSize?: number) => c.streamQuery<R>(q, chunkSize),
        __inner: c,
      } as DatabaseConnection;
    };
    const release = driver.releaseConnection.bind(driver);
    driver.releaseConnection = (c) => release((c as unknown as { __inner: DatabaseConnection }).__inner);
    const begin = driver.beginTransaction.bind(driver);
    driver.beginTransaction = (c, s) => begin((c as unknown as { __inner: DatabaseConnection }).__inner, s);
    const commit = driver.commitTransaction.bind(driver);
    driver.commitTransaction = (c) => commit((c as unknown as { __inner: DatabaseConnection }).__inner);
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = (c) => rollback((c as unknown as { __inner: DatabaseConnection }).__inner);
    return driver;
  });

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp({}, { wrapDialect });
  s = await signup(t.app);
});
afterAll(async () => t.close());

async function stored(id: number): Promise<string | null> {
  const r = await sql<{
    search_extra: string | null;
  }>`SELECT search_extra FROM leads WHERE id = ${id}`.execute(t.db.kysely);
  return r.rows[0].search_extra;
}

/** search_extra as the search part computes it from the lead's rows (what every other write leaves). */
async function recomputed(id: number): Promise<string | null> {
  const leads = createLeadRepository(t.db.kysely, t.db.dialect);
  const row = (await leads.findById(s.orgId, id))!;
  await sql`UPDATE leads SET search_extra = 'stale' WHERE id = ${id}`.execute(t.db.kysely);
  await refreshLeadSearch(t.db.kysely, s.orgId, row);
  return stored(id);
}

describe('POST /api/v1/leads writes search_extra with the lead', () => {
  const bodies: Array<[string, Record<string, unknown>, number]> = [
    ['an email', { first_name: 'Ada', email: 'Ada@Example.com' }, 0],
    ['no contact point', { company_name: 'Nothing Ltd' }, 0],
    [
      'email, phone and mobile with a country',
      {
        last_name: 'Phones',
        email: 'p@example.com',
        phone: '+1 819 555 0199',
        mobile: '06 12 34 56 78',
        address: { country: 'FR' },
      },
      0,
    ],
    // Lists: the part's own rules (primary, types) decide; no guess, the UPDATE writes it as before.
    [
      'lists of emails and phones',
      {
        first_name: 'Lists',
        emails: [{ address: 'b@example.com' }, { address: 'a@example.com', primary: true }],
        phones: [{ number: '+33 6 12 34 56 78', type: 'mobile' }],
      },
      1,
    ],
  ];
  for (const [what, body, updated] of bodies)
    it(`${what}: the stored text is the search part's, ${updated ? 'updated after' : 'not rewritten'}`, async () => {
      searchUpdates.length = 0;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/leads',
        headers: s.headers,
        payload: body,
      });
      expect(res.statusCode).toBe(201);
      expect(searchUpdates).toEqual([updated]);
      const id = res.json().id as number;
      const text = await stored(id);
      expect(text).toBe(await recomputed(id));
      if (body.phone) expect(text).toContain('8195550199');
    });
});
