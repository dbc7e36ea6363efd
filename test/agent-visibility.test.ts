import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { countAllTables } from './table-counts.js';

/**
 * Agent visibility through the one policy (src/access/policy.ts, docs/security.md "Agents"): an agent sees a
 * company, contact or opportunity only when it is linked to a lead they see, or they own or created it; a
 * hidden one is a 404 on read and write, absent from lists, and "does not exist" when named in a field.
 * An admin of the same organization sees everything.
 */
let t: TestApp;
let app: FastifyInstance;
let admin: Session;
let agent: Session;
const ids = {} as Record<string, number>;

const call = (s: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers: s.headers, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  admin = await signup(app);
  agent = await addMember(app, admin, 'agent');
  const mk = async (s: Session, url: string, body: object) => {
    const r = await call(s, 'POST', url, body);
    if (r.statusCode !== 201) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return r.json().id as number;
  };
  // Hidden from the agent: the admin's lead, with its company, contact and opportunity (with an amount).
  ids.hiddenCompany = await mk(admin, '/companies', { name: 'Hidden Corp' });
  ids.hiddenContact = await mk(admin, '/contacts', { first_name: 'Hidden', last_name: 'Person' });
  ids.hiddenLead = await mk(admin, '/leads', {
    first_name: 'Secret',
    company_id: ids.hiddenCompany,
    contact_ids: [ids.hiddenContact],
    tags: ['shared-tag'],
  });
  ids.hiddenOpp = await mk(admin, '/opportunities', {
    name: 'Big deal',
    amount: '90000.00',
    lead_id: ids.hiddenLead,
  });
  // Seen by the agent: a lead they own, linked to a company and a contact the admin created.
  ids.seenCompany = await mk(admin, '/companies', { name: 'Seen Corp' });
  ids.seenContact = await mk(admin, '/contacts', { first_name: 'Seen', last_name: 'Person' });
  ids.seenLead = await mk(admin, '/leads', {
    first_name: 'Visible',
    owner_id: agent.userId,
    company_id: ids.seenCompany,
    contact_ids: [ids.seenContact],
    tags: ['shared-tag'],
  });
  ids.seenOpp = await mk(admin, '/opportunities', {
    name: 'Small deal',
    amount: '10.00',
    lead_id: ids.seenLead,
  });
  // The agent's own records, linked to no lead.
  ids.ownCompany = await mk(agent, '/companies', { name: 'Mine Ltd' });
  ids.ownOpp = await mk(agent, '/opportunities', { name: 'My deal' });
});
afterAll(() => t.close());

describe('agent visibility of companies, contacts, opportunities', () => {
  const kinds = [
    ['companies', 'Company'],
    ['contacts', 'Contact'],
    ['opportunities', 'Opportunity'],
  ] as const;
  const hidden = {
    companies: 'hiddenCompany',
    contacts: 'hiddenContact',
    opportunities: 'hiddenOpp',
  } as const;
  const seen = { companies: 'seenCompany', contacts: 'seenContact', opportunities: 'seenOpp' } as const;

  for (const [path] of kinds) {
    it(`${path}: the agent lists only what is linked to their leads or theirs; the admin lists all`, async () => {
      const agentIds = (await call(agent, 'GET', `/${path}?limit=100`))
        .json()
        .data.map((r: { id: number }) => r.id);
      const adminIds = (await call(admin, 'GET', `/${path}?limit=100`))
        .json()
        .data.map((r: { id: number }) => r.id);
      expect(agentIds).toContain(ids[seen[path]]);
      expect(agentIds).not.toContain(ids[hidden[path]]);
      expect(adminIds).toContain(ids[hidden[path]]);
      expect(adminIds).toContain(ids[seen[path]]);
    });

    it(`${path}: a hidden one is 404 for the agent on GET, PATCH and DELETE, and nothing changes`, async () => {
      const id = ids[hidden[path]];
      const before = await countAllTables(t.db);
      expect((await call(agent, 'GET', `/${path}/${id}`)).statusCode).toBe(404);
      const patch = path === 'contacts' ? { first_name: 'Pwned' } : { name: 'Pwned' };
      expect((await call(agent, 'PATCH', `/${path}/${id}`, patch)).statusCode).toBe(404);
      expect((await call(agent, 'DELETE', `/${path}/${id}`)).statusCode).toBe(404);
      expect(await countAllTables(t.db)).toEqual(before);
      expect((await call(admin, 'GET', `/${path}/${id}`)).statusCode).toBe(200);
      // What the agent sees is readable.
      expect((await call(agent, 'GET', `/${path}/${ids[seen[path]]}`)).statusCode).toBe(200);
    });
  }

  it('the opportunity of a hidden lead, with its amount, is not shown to the agent', async () => {
    const r = await call(agent, 'GET', `/opportunities?lead_id=${ids.hiddenLead}`);
    expect(r.statusCode).toBe(200);
    expect(r.json().data).toEqual([]);
    expect(r.body).not.toContain('90000');
  });

  it('the agent sees what they created, linked to no lead', async () => {
    expect((await call(agent, 'GET', `/companies/${ids.ownCompany}`)).statusCode).toBe(200);
    expect((await call(agent, 'GET', `/opportunities/${ids.ownOpp}`)).statusCode).toBe(200);
  });

  it('attaching an opportunity to a hidden lead reads as an unknown lead (422, same as a missing one)', async () => {
    const before = await countAllTables(t.db);
    const hiddenRes = await call(agent, 'POST', '/opportunities', { name: 'Probe', lead_id: ids.hiddenLead });
    const missingRes = await call(agent, 'POST', '/opportunities', { name: 'Probe', lead_id: 999999 });
    expect(hiddenRes.statusCode).toBe(422);
    expect(missingRes.statusCode).toBe(422);
    const msg = (r: typeof hiddenRes, id: number) =>
      r.json().errors.map((e: { message: string }) => e.message.replace(String(id), 'N'));
    expect(msg(hiddenRes, ids.hiddenLead)).toEqual(msg(missingRes, 999999));
    const patch = await call(agent, 'PATCH', `/opportunities/${ids.ownOpp}`, { lead_id: ids.hiddenLead });
    expect(patch.statusCode).toBe(422);
    const company = await call(agent, 'POST', '/contacts', {
      first_name: 'X',
      company_id: ids.hiddenCompany,
    });
    expect(company.statusCode).toBe(422);
    expect(await countAllTables(t.db)).toEqual(before);
    // The admin may attach (another lead, since the hidden one already has its opportunity).
    const other = await call(admin, 'POST', '/leads', { first_name: 'Other' });
    expect(
      (await call(admin, 'POST', '/opportunities', { name: 'Ok', lead_id: other.json().id })).statusCode,
    ).toBe(201);
  });

  it("an agent's GET /tags counts only the leads they see", async () => {
    const count = async (s: Session) =>
      ((await call(s, 'GET', '/tags')).json().data as Array<{ tag: string; count: number }>).find(
        (x) => x.tag === 'shared-tag',
      )?.count;
    expect(await count(admin)).toBe(2);
    expect(await count(agent)).toBe(1);
  });
});
