import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { changedTables, countAllTables } from './table-counts.js';
import { crm, crmToken, minimal, setUp, v1 } from './compat-crmcom.helpers.js';
import { CREATE_LEAD } from './compat-django-crm.samples.js';
import { uuidOf } from '../src/compat/django-crm/django.ids.js';

/**
 * What seed 003 needs from the core, checked through /api/v1 and the surface: the lead list's lead type filter
 * (paging and totals in SQL), the customer contact's company (a core rule of lead creation, so every surface
 * has it), and one answer naming every fault of a create (schema, translation and the core's rules together).
 */
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

const post = (url: string, payload: object, who: Session = s) =>
  app.inject({ method: 'POST', url: `/api/v1${url}`, headers: who.headers, payload });
const ids = (xs: Array<{ id: number | string }>) => xs.map((x) => String(x.id));

describe('the lead list by lead type (core)', () => {
  it('/api/v1/leads?lead_type_id= filters in SQL: offset pages and the total count only that type', async () => {
    const o = await signup(app);
    const oc = await setUp(app, o);
    const plain: string[] = [];
    const email: string[] = [];
    // Interleaved, so a filter applied after paging would show on every page.
    for (let i = 0; i < 7; i++) {
      const a = await post('/leads', { first_name: `P${i}`, lead_type_id: oc.plain.id }, o);
      expect(a.statusCode, a.body).toBe(201);
      plain.push(String(a.json().id));
      if (i < 5) {
        const b = await post(
          '/leads',
          { first_name: `E${i}`, email: `e${i}@example.com`, lead_type_id: oc.emailType.id },
          o,
        );
        expect(b.statusCode, b.body).toBe(201);
        email.push(String(b.json().id));
      }
    }
    const list = async (q: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/leads?${q}`, headers: o.headers });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const p2 = await list(`lead_type_id=${oc.emailType.id}&sort=created_at&offset=2&limit=2`);
    expect(ids(p2.data)).toEqual(email.slice(2, 4));
    expect(p2.total).toBe(5);
    const last = await list(`lead_type_id=${oc.plain.id}&sort=created_at&offset=6&limit=5`);
    expect(ids(last.data)).toEqual(plain.slice(6));
    expect(last.total).toBe(7);
    // The cursor walk filters too.
    const first = await list(`lead_type_id=${oc.emailType.id}&sort=created_at&limit=3`);
    expect(ids(first.data)).toEqual(email.slice(0, 3));
    const next = await list(
      `lead_type_id=${oc.emailType.id}&sort=created_at&limit=3&cursor=${encodeURIComponent(first.next_cursor)}`,
    );
    expect(ids(next.data)).toEqual(email.slice(3));
    // Another organization's lead type names none of this organization's leads.
    const foreign = await list(`lead_type_id=${cfg.plain.id}&offset=0`);
    expect(foreign.data).toEqual([]);
    expect(foreign.total).toBe(0);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/leads?lead_type_id=x', headers: o.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('lead_type_id');

    // The surface pages the same way: its page 2 of 2 is the core's offset 2.
    const oc3 = crm(app, await crmToken(app, o));
    const page = (
      await oc3.get('leads/list', {
        type_identifier: 'name=Email follow up',
        page: '2',
        records_per_page: '2',
      })
    ).json().data;
    expect(ids(page)).toEqual(email.slice(2, 4));
    const page4 = (
      await oc3.get('leads/list', { type_identifier: `id=${oc.plain.id}`, page: '4', records_per_page: '2' })
    ).json().data;
    expect(ids(page4)).toEqual(plain.slice(6));
    const past = await oc3.get('leads/list', { type_identifier: 'alternative_code=EM', page: '4' });
    expect(past.statusCode).toBe(200);
    expect(past.json().data).toEqual([]);
  });
});

describe("a customer contact's company (core rule of lead creation)", () => {
  let company: { id: number };
  let other: { id: number };
  let customer: { id: number };
  beforeAll(async () => {
    company = await v1(app, s, 'POST', '/companies', { name: 'Customer Co' });
    other = await v1(app, s, 'POST', '/companies', { name: 'Someone Else Co' });
    customer = await v1(app, s, 'POST', '/contacts', {
      first_name: 'Cora',
      last_name: 'Client',
      company_id: company.id,
      customer_status: 'customer',
    });
  });

  it('/api/v1: a customer contact needs its company, and only its company; nothing written when refused', async () => {
    const before = await countAllTables(t.db);
    const missing = await post('/leads', { first_name: 'Cora', contact_ids: [customer.id] });
    expect(missing.statusCode, missing.body).toBe(422);
    expect(missing.json().errors.map((e: { field: string }) => e.field)).toEqual(['company_id']);
    expect(missing.json().errors[0].message).toContain(`contact ${customer.id} is already a customer`);
    const wrong = await post('/leads', {
      first_name: 'Cora',
      contact_ids: [customer.id],
      company_id: other.id,
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0]).toMatchObject({ field: 'company_id' });
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});

    const ok = await post('/leads', {
      first_name: 'Cora',
      contact_ids: [customer.id],
      company_id: company.id,
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().company.id).toBe(company.id);
  });

  it('/api/v1: a prospect, or a customer of no company, needs no company; a PATCH is not held to it', async () => {
    const prospect = await v1(app, s, 'POST', '/contacts', {
      first_name: 'Pat',
      company_id: company.id,
      customer_status: 'prospect',
    });
    const loose = await v1(app, s, 'POST', '/contacts', { first_name: 'Lou', customer_status: 'customer' });
    for (const id of [prospect.id, loose.id]) {
      const res = await post('/leads', { first_name: 'X', contact_ids: [id] });
      expect(res.statusCode, res.body).toBe(201);
    }
    const lead = await v1(app, s, 'POST', '/leads', { first_name: 'Later' });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${lead.id}`,
      headers: s.headers,
      payload: { contact_ids: [customer.id] },
    });
    expect(patched.statusCode, patched.body).toBe(200);
  });

  it('seed 003 gets the core rule under its own name (accounts_receivable_identifier)', async () => {
    const info = { id: customer.id, first_name: 'Cora' };
    const res = await c.post('leads/create', minimal({ contact_information: info }));
    expect(res.statusCode).toBe(422);
    expect(res.json().status.description).toContain(
      `accounts_receivable_identifier: is required: contact ${customer.id} is already a customer`,
    );
    const wrong = await c.post(
      'leads/create',
      minimal({ contact_information: info, accounts_receivable_identifier: { name: 'Someone Else Co' } }),
    );
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().status.description).toContain(`accounts_receivable_identifier: must be company`);
    const ok = await c.post(
      'leads/create',
      minimal({ contact_information: info, accounts_receivable_identifier: { id: String(company.id) } }),
    );
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data.accounts_receivable).toEqual({ id: String(company.id), name: 'Customer Co' });
  });

  it('another surface (django-crm, seed 004) is held to it too', async () => {
    const headers = { authorization: `Bearer ${s.token}`, 'organization-id': uuidOf('org', s.orgId) };
    const before = await countAllTables(t.db);
    const res = await app.inject({
      method: 'POST',
      url: '/compat/django-crm/api/leads/',
      headers,
      payload: {
        ...CREATE_LEAD,
        assigned_to: [],
        teams: [],
        contacts: [uuidOf('contact', customer.id)],
      },
    });
    // Seed 004 answers every refused write 400 (its own choice), with the core's fault.
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors.company_id[0]).toContain('is already a customer');
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });
});

describe('one answer for every fault of leads/create', () => {
  it("the surface's faults, the lead type's and the lost reason's (a core status rule) in one 422", async () => {
    const before = await countAllTables(t.db);
    const res = await c.post(
      'leads/create',
      minimal({
        type_identifier: { name: 'Email follow up' },
        status_identifier: { alternative_code: 'lost' },
        privacy_level_identifier: { name: 'Secret' },
        udf_date_2: '2026-13-01',
      }),
    );
    expect(res.statusCode, res.body).toBe(422);
    const desc = res.json().status.description;
    for (const f of ['privacy_level_identifier:', 'udf_date_2:', 'contact_email:', 'lost_reason_identifier:'])
      expect(desc).toContain(f);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });

  it('a lost status without reason and a customer contact without company: both named at once', async () => {
    const company = await v1(app, s, 'POST', '/companies', { name: 'Both At Once Co' });
    const cust = await v1(app, s, 'POST', '/contacts', {
      first_name: 'Bo',
      company_id: company.id,
      customer_status: 'customer',
    });
    const res = await c.post(
      'leads/create',
      minimal({ status_identifier: { id: 'lost' }, contact_information: { id: cust.id } }),
    );
    expect(res.statusCode).toBe(422);
    const desc = res.json().status.description;
    expect(desc).toContain('accounts_receivable_identifier:');
    expect(desc).toContain('lost_reason_identifier:');
  });

  it('a malformed parameter is named with the rest in one 400 (not also as missing); nothing written', async () => {
    const before = await countAllTables(t.db);
    const res = await c.post('leads/create', {
      ...minimal({
        type_identifier: { name: 'Email follow up' },
        status_identifier: { alternative_code: 'lost' },
        category_identifier: { name: 'Nope' },
        probability_to_win: 150,
        colour: 'red',
      }),
      priority: { high: true },
    });
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json();
    expect(body.status.code).toBe('INVALID_PARAMETERS');
    expect(body.data).toBeNull();
    const desc: string = body.status.description;
    for (const f of [
      'probability_to_win:',
      'colour: is not a known field',
      'priority:',
      'category_identifier: no',
      'contact_email:',
      'lost_reason_identifier:',
    ])
      expect(desc).toContain(f);
    expect(desc).not.toContain('priority: is mandatory');
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
    // A body that is not an object is refused as such.
    const arr = await app.inject({
      method: 'POST',
      url: '/compat/crmcom/crmapi/rest/v2/leads/create',
      headers: { authorization: `Bearer ${s.token}` },
      payload: [1, 2],
    });
    expect([400, 401]).toContain(arr.statusCode);
  });
});

describe('identifiers of every kind by id, name and alternative code', () => {
  it('type, status, category, source, privacy level, importance and group', async () => {
    const lists = {
      types: (await c.get('leads/configuration/types/list')).json().data,
      categories: (await c.get('leads/configuration/categories/list')).json().data,
      sources: (await c.get('leads/configuration/sources/list')).json().data,
      importance: (await c.get('leads/configuration/importance_levels/list')).json().data,
    };
    const em = lists.types.find((x: { alternative_code: string }) => x.alternative_code === 'PL');
    const who = lists.categories.find((x: { alternative_code: string }) => x.alternative_code === 'WHO');
    const web = lists.sources[0];
    const ways = (x: { id: string; name: string; alternative_code: string | null }) => [
      { id: x.id },
      { name: x.name.toUpperCase() },
      ...(x.alternative_code ? [{ alternative_code: x.alternative_code.toLowerCase() }] : []),
    ];
    for (const [i, type] of ways(em).entries()) {
      const cat = ways(who)[i];
      const src = ways(web)[i];
      const res = await c.post(
        'leads/create',
        minimal({
          type_identifier: type,
          category_identifier: cat,
          lead_source: { source_identifier: src },
          status_identifier: [{ id: 'proposal' }, { name: 'Proposal' }, { alternative_code: 'PROPOSAL' }][i],
          owned_by_group_identifier: [{ id: cfg.team.id }, { name: 'north' }, { name: 'North' }][i],
          fields_set: 'type,category,lead_source,status,owned_by_group',
        }),
      );
      expect(res.statusCode, `${JSON.stringify(type)} ${res.body}`).toBe(200);
      const d = res.json().data;
      expect(d.type.id).toBe(String(cfg.plain.id));
      expect(d.category.alternative_code).toBe('WHO');
      expect(d.lead_source.source.id).toBe(String(cfg.source.id));
      expect(d.status.id).toBe('proposal');
      expect(d.owned_by_group.id).toBe(String(cfg.team.id));
    }
    const imp = lists.importance.find((x: { alternative_code: string }) => x.alternative_code === 'CUSTOM1');
    const d = (await c.post('leads/create', minimal({ importance: imp.alternative_code }))).json().data;
    expect(d.importance).toBe('CUSTOM1');
    // A key the kind does not have, and an unknown value, are named.
    const bad = await c.post(
      'leads/create',
      minimal({ type_identifier: { username: 'x' }, lead_source: { source_identifier: { id: 999999 } } }),
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json().status.description).toContain('type_identifier:');
    expect(bad.json().status.description).toContain('lead_source.source_identifier:');
  });
});

describe('list answers', () => {
  it('fields_set on leads/list; created date filters', async () => {
    const o = await signup(app);
    await setUp(app, o);
    const oc = crm(app, await crmToken(app, o));
    const a = (
      await oc.post('leads/create', minimal({ description: 'old', start_date: '2025-01-10T10:00:00Z' }))
    ).json().data;
    const b = (await oc.post('leads/create', minimal({ description: 'new' }))).json().data;
    const all = (await oc.get('leads/list', { fields_set: 'description' })).json().data;
    expect(all).toEqual([
      { id: a.id, description: 'old' },
      { id: b.id, description: 'new' },
    ]);
    const recent = (
      await oc.get('leads/list', { created_date_from: '2025-06-01', fields_set: 'description' })
    ).json().data;
    expect(recent).toEqual([{ id: b.id, description: 'new' }]);
    const early = (await oc.get('leads/list', { created_date_to: '2025-06-01T00:00:00Z' })).json().data;
    expect(ids(early)).toEqual([a.id]);
    // A page of 0, a page size over 200 and a date that is not one are named.
    for (const [q, field] of [
      [{ page: '0' }, 'page'],
      [{ records_per_page: '201' }, 'records_per_page'],
      [{ created_date_from: 'yesterday' }, 'created_date_from'],
    ] as const) {
      const res = await oc.get('leads/list', q);
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().status.code).toBe('INVALID_PARAMETERS');
      expect(res.json().status.description).toContain(`${field}`);
    }
  });
});
