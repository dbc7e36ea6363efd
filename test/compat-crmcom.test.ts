import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { CRM, crm, crmToken, minimal, setUp, v1 } from './compat-crmcom.helpers.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;
let c: ReturnType<typeof crm>;
let cfg: Awaited<ReturnType<typeof setUp>>;

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  cfg = await setUp(app, s);
  c = crm(app, await crmToken(app, s));
});
afterAll(async () => t.close());

describe('leads/create', () => {
  it('creates a lead with defaults from the type and answers the envelope', async () => {
    const res = await c.post('leads/create', minimal());
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.status).toEqual({ code: 'OK', message: '', description: '' });
    expect(body.data.type).toMatchObject({ name: 'Plain', alternative_code: 'PL' });
    expect(body.data.category).toMatchObject({ alternative_code: 'RET' });
    expect(body.data.status).toMatchObject({ id: 'qualified', life_cycle_state: 'IN_PROGRESS' });
    expect(body.data.importance).toBe('IMPORTANCE3');
    expect(body.data.priority).toBe('2');
    expect(body.data.lead_source.source).toMatchObject({ name: 'Web site' });
  });
});
