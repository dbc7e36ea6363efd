/**
 * Integer path params of every route refuse what is no plain decimal integer: `Infinity`, `1e400`, `-0`, `1.5`.
 * Walks /openapi.json, so a route added later (or a plugin that adds its own schemas, which once lost the shared
 * validator: GET /leads/bulk/Infinity was a 500 on PostgreSQL) is covered too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { Walker, type Schema } from './openapi-walk.js';
import { changedTables, countAllTables } from './table-counts.js';

let t: TestApp;
let s: Session;
let w: Walker;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  w = await new Walker(t.app).load();
});
afterAll(async () => t.close());

const BAD = ['Infinity', '1e400', '-0', '1.5', '0x1'];

function integerParams(spec: Schema): string[] {
  return (spec.parameters ?? [])
    .filter((p: Schema) => p.in === 'path')
    .filter((p: Schema) => {
      const sc = w.resolve(p.schema) ?? {};
      return sc.type === 'integer' || (sc.anyOf ?? []).some((a: Schema) => a.type === 'integer');
    })
    .map((p: Schema) => p.name as string);
}

describe('integer path params', () => {
  it('every route answers 400 problem+json naming the param, and writes nothing', async () => {
    const walked = new Set<string>();
    const before = await countAllTables(t.db);
    for (const op of w.ops.filter((o) => !o.isPublic)) {
      const ints = integerParams(op.spec);
      if (ints.length === 0) continue;
      for (const p of ints) {
        for (const bad of BAD) {
          // The other params get a plain valid id: the params are validated before the body and the handler.
          const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === p ? bad : '1'));
          const res = await t.app.inject({
            method: op.method as 'GET',
            url,
            headers: s.headers,
          });
          const where = `${op.method} ${op.path} ${p}=${bad}`;
          if (!op.path.startsWith('/api/v1/')) {
            // The compatibility surfaces answer in their vendor's error format, but refuse all the same.
            expect([400, 404, 422], where).toContain(res.statusCode);
            continue;
          }
          expect(res.statusCode, where).toBe(400);
          expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
          expect(res.json().errors?.[0]?.field, where).toBe(p);
        }
      }
      walked.add(`${op.method} ${op.path}`);
    }
    const changed = changedTables(before, await countAllTables(t.db));
    delete changed.audit_log; // refusals may be audited; no data table may change
    expect(changed).toEqual({});
    // The route that escaped the check before, and a fair spread of others.
    expect([...walked].some((k) => k.startsWith('GET ') && k.endsWith('/leads/bulk/{id}'))).toBe(true);
    expect([...walked].some((k) => k.startsWith('GET ') && /\/leads\/\{id\}$/.test(k))).toBe(true);
    expect([...walked].filter((k) => k.includes(' /api/v1/')).length).toBeGreaterThan(20);
  }, 300_000);

  it('a plain decimal id still reaches the route (404 for a job that does not exist)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/leads/bulk/999999', headers: s.headers });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
