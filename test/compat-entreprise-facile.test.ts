import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { basicOf, efRequest, leadXml, MOUNT, xml } from './compat-entreprise-facile.helpers.js';
import { STEPS } from '../src/compat/entreprise-facile/ef.mapping.js';

/**
 * Seed 001 (the XML leads API) at /compat/entreprise-facile: every field through XML and back, partial and
 * whole PUTs, paging, the step mapping, and the same lead seen from /api/v1 and the capillary surface.
 */
let t: TestApp;
let app: FastifyInstance;
let s: Session;
let other: Session;
let ef: ReturnType<typeof efRequest>;
const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object, who = s) =>
  app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  other = await signup(app);
  ef = efRequest(app, s);
  expect((await api('PUT', '/api/v1/organization/time-zone', { time_zone: 'Europe/Paris' })).statusCode).toBe(
    200,
  );
  ids.firm = (await api('POST', '/api/v1/companies', { name: 'Dupont SARL' })).json().id;
  ids.firm2 = (await api('POST', '/api/v1/companies', { name: 'Martin SA' })).json().id;
  ids.contact = (
    await api('POST', '/api/v1/contacts', { first_name: 'Jeanne', last_name: 'Dupont' })
  ).json().id;
  ids.category = (await api('POST', '/api/v1/product-categories', { name: 'Machines' })).json().id;
  ids.project = (await api('POST', '/api/v1/projects', { name: 'Usine 2027' })).json().id;
});
afterAll(async () => t.close());

/** Every element of the document, with values that exercise escaping and non-ASCII text. */
const full = () => ({
  manager_id: s.userId,
  client_name: 'Dupont & Fils <SARL>',
  topic: 'Équipement — ligne 2027',
  contact_id: ids.contact,
  firm_id: ids.firm,
  is_engaged: 1,
  importance: 4,
  product_category_id: ids.category,
  value: '12500.50',
  value_date: '15-03-2027',
  confidence_pct: 60,
  project_id: ids.project,
  description: 'Deux lignes\n"citée" \'aussi\'',
  learning_on_customer: 'Budget voté en janvier',
  learning_on_sales_tools: 'La brochure & le site',
  learning_on_products: 'Trop cher <pour eux>',
  progress_id: 461,
});
const asWire = (o: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

/** The Paris wall-clock time of an instant, as dd-mm-yyyy-HH-MM. */
function parisStamp(iso: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  return `${p.day}-${p.month}-${p.year}-${p.hour}-${p.minute}`;
}

describe('every field through XML', () => {
  let leadId: number;

  it('POST /leads.xml answers 201 with the lead: every element as sent, the new id first', async () => {
    const res = await ef('POST', '/leads.xml', leadXml(full()));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<lead>\n  <id>')).toBe(true);
    expect(res.body).toContain('<client_name>Dupont &amp; Fils &lt;SARL&gt;</client_name>');
    const lead = xml(res.body).lead;
    leadId = Number(lead.id);
    expect(leadId).toBeGreaterThan(0);
    expect(lead).toMatchObject(asWire(full()));
    const got = xml((await ef('GET', `/leads/${leadId}.xml`)).body).lead;
    expect(got).toEqual(lead);
  });

  it('answers created_at/updated_at as dd-mm-yyyy-HH-MM in the organization time zone', async () => {
    const core = (await api('GET', `/api/v1/leads/${leadId}`)).json();
    const lead = xml((await ef('GET', `/leads/${leadId}.xml`)).body).lead;
    expect(lead.created_at).toMatch(/^\d{2}-\d{2}-\d{4}-\d{2}-\d{2}$/);
    expect(lead.created_at).toBe(parisStamp(core.created_at));
    expect(lead.updated_at).toBe(parisStamp(core.updated_at));
  });

  it('is the same lead in /api/v1: every element on its core field', async () => {
    const core = (await api('GET', `/api/v1/leads/${leadId}`)).json();
    expect(core).toMatchObject({
      owner_id: s.userId,
      company_name: 'Dupont & Fils <SARL>',
      title: 'Équipement — ligne 2027',
      company_id: ids.firm,
      company: { id: ids.firm, customer_status: 'customer' },
      contacts: [expect.objectContaining({ id: ids.contact })],
      importance: 4,
      product_category_id: ids.category,
      project_id: ids.project,
      value: '12500.50',
      expected_close_date: '2027-03-15',
      probability: 60,
      description: 'Deux lignes\n"citée" \'aussi\'',
      status: 'proposal',
      custom_fields: {
        entreprisefacile__learning_on_customer: 'Budget voté en janvier',
        entreprisefacile__learning_on_sales_tools: 'La brochure & le site',
        entreprisefacile__learning_on_products: 'Trop cher <pour eux>',
      },
    });
    expect((await api('GET', `/api/v1/companies/${ids.firm}`)).json().customer_status).toBe('customer');
  });

  it('and in the capillary surface (topic is leadFor, the contact is the customer)', async () => {
    const cap = await app.inject({
      method: 'GET',
      url: `/compat/capillary/v2/leads/${leadId}`,
      headers: s.headers,
    });
    expect(cap.statusCode, cap.body).toBe(200);
    expect(cap.json()).toMatchObject({
      id: leadId,
      leadFor: 'Équipement — ligne 2027',
      status: 'OPEN',
      userId: ids.contact,
    });
  });

  it('PUT with some elements changes only those', async () => {
    const before = xml((await ef('GET', `/leads/${leadId}.xml`)).body).lead;
    const res = await ef(
      'PUT',
      `/leads/${leadId}.xml`,
      leadXml({ topic: 'Nouveau sujet', confidence_pct: 80 }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const after = xml(res.body).lead;
    expect(after).toEqual({
      ...before,
      topic: 'Nouveau sujet',
      confidence_pct: '80',
      updated_at: after.updated_at,
    });
    expect((await api('GET', `/api/v1/leads/${leadId}`)).json()).toMatchObject({
      title: 'Nouveau sujet',
      probability: 80,
      company_name: 'Dupont & Fils <SARL>',
    });
  });

  it('PUT of the fetched object sent back whole is accepted and changes nothing', async () => {
    const fetched = await ef('GET', `/leads/${leadId}.xml`);
    const version = (await api('GET', `/api/v1/leads/${leadId}`)).json().version;
    const res = await ef('PUT', `/leads/${leadId}.xml`, fetched.body);
    expect(res.statusCode, res.body).toBe(200);
    expect(xml(res.body)).toEqual(xml(fetched.body));
    expect((await api('GET', `/api/v1/leads/${leadId}`)).json().version).toBe(version);
  });

  it('empty elements and 0 clear: no firm, no contact, no manager, no value', async () => {
    const res = await ef(
      'PUT',
      `/leads/${leadId}.xml`,
      leadXml({
        firm_id: 0,
        contact_id: 0,
        manager_id: 0,
        value: '',
        value_date: '',
        importance: '',
        project_id: 0,
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(xml(res.body).lead).toMatchObject({
      firm_id: '0',
      contact_id: '0',
      manager_id: '0',
      value: '',
      value_date: '',
      importance: '',
      project_id: '0',
    });
    const core = (await api('GET', `/api/v1/leads/${leadId}`)).json();
    expect(core).toMatchObject({
      company_id: null,
      contacts: [],
      owner_id: null,
      value: null,
      importance: null,
    });
  });

  it('is_engaged lives on the firm, else on the contact, else on the lead itself', async () => {
    // No firm nor contact now: kept on the lead (owned field).
    let res = await ef('PUT', `/leads/${leadId}.xml`, leadXml({ is_engaged: 1 }));
    expect(xml(res.body).lead.is_engaged).toBe('1');
    expect(
      (await api('GET', `/api/v1/leads/${leadId}`)).json().custom_fields.entreprisefacile__is_engaged,
    ).toBe(true);
    // A contact and is_engaged 0: the contact becomes a prospect, the lead's own flag goes.
    res = await ef('PUT', `/leads/${leadId}.xml`, leadXml({ contact_id: ids.contact, is_engaged: 0 }));
    expect(xml(res.body).lead).toMatchObject({ contact_id: String(ids.contact), is_engaged: '0' });
    const core = (await api('GET', `/api/v1/leads/${leadId}`)).json();
    expect(core.custom_fields.entreprisefacile__is_engaged).toBeUndefined();
    expect((await api('GET', `/api/v1/contacts/${ids.contact}`)).json().customer_status).toBe('prospect');
    // A firm: the flag is the firm's.
    res = await ef('PUT', `/leads/${leadId}.xml`, leadXml({ firm_id: ids.firm2, is_engaged: 1 }));
    expect(xml(res.body).lead).toMatchObject({ firm_id: String(ids.firm2), is_engaged: '1' });
    expect((await api('GET', `/api/v1/companies/${ids.firm2}`)).json().customer_status).toBe('customer');
    // Changed in /api/v1, it shows here.
    await api('PATCH', `/api/v1/companies/${ids.firm2}`, { customer_status: 'prospect' });
    expect(xml((await ef('GET', `/leads/${leadId}.xml`)).body).lead.is_engaged).toBe('0');
  });

  it('every step writes its status and reads back the same (progress_id, or step_id)', async () => {
    for (const [step, { key }] of Object.entries(STEPS)) {
      const res = await ef('PUT', `/leads/${leadId}.xml`, leadXml({ progress_id: step }));
      expect(res.statusCode, `${step} ${res.body}`).toBe(200);
      expect(xml(res.body).lead.progress_id).toBe(step);
      const core = (await api('GET', `/api/v1/leads/${leadId}`)).json();
      expect(core.status, step).toBe(key);
    }
    const res = await ef('PUT', `/leads/${leadId}.xml`, leadXml({ step_id: 460 }));
    expect(xml(res.body).lead.progress_id).toBe('460');
    const history = (await api('GET', `/api/v1/leads/${leadId}/status-history`)).json();
    const lost = (history.data ?? history).find((h: { to: string }) => h.to === 'lost');
    expect(lost?.reason?.text).toBe('Other');
  });

  it('DELETE answers 200; the lead is gone here and in /api/v1', async () => {
    const res = await ef('DELETE', `/leads/${leadId}.xml`);
    expect(res.statusCode).toBe(200);
    expect((await ef('GET', `/leads/${leadId}.xml`)).statusCode).toBe(404);
    expect((await api('GET', `/api/v1/leads/${leadId}`)).statusCode).toBe(404);
  });
});

describe('leads written elsewhere read here', () => {
  it('a lead of /api/v1, each status read as its step (by key, else by category)', async () => {
    const lead = await createLead(app, s, {
      title: 'Depuis l’API',
      company_name: 'Globex',
      value: '99.90',
      probability: 30,
      importance: 2,
      expected_close_date: '2027-01-05',
      description: 'x < y',
      status: 'negotiation',
    });
    const got = xml((await ef('GET', `/leads/${lead.id}.xml`)).body).lead;
    expect(got).toMatchObject({
      id: String(lead.id),
      topic: 'Depuis l’API',
      client_name: 'Globex',
      value: '99.90',
      confidence_pct: '30',
      importance: '2',
      value_date: '05-01-2027',
      description: 'x < y',
      progress_id: '462',
      manager_id: '0',
      firm_id: '0',
      contact_id: '0',
      is_engaged: '0',
    });
    for (const [status, step] of [
      ['assigned', '459'],
      ['converted', '469'],
      ['duplicate', '470'],
      ['on_hold', '535'],
    ]) {
      const r = await api('PATCH', `/api/v1/leads/${lead.id}`, { status });
      expect(r.statusCode, r.body).toBe(200);
      expect(xml((await ef('GET', `/leads/${lead.id}.xml`)).body).lead.progress_id, status).toBe(step);
    }
  });

  it('a lead of the capillary surface', async () => {
    const cap = await app.inject({
      method: 'POST',
      url: '/compat/capillary/v2/leads',
      headers: s.headers,
      payload: {
        leadFor: 'Vu par capillary',
        idType: 'EMAIL',
        identifier: 'cap@example.com',
        status: 'OPEN',
      },
    });
    expect(cap.statusCode, cap.body).toBe(200);
    const got = xml((await ef('GET', `/leads/${cap.json().id}.xml`)).body).lead;
    expect(got.topic).toBe('Vu par capillary');
    expect(got.progress_id).toBe('459');
    expect(Number(got.contact_id)).toBe(cap.json().userId);
  });
});

describe('paging', () => {
  it('pages of 25, newest first, with total_pages; the per-account path gives the same', async () => {
    const p = await signup(app);
    const mine = efRequest(app, p);
    const made: number[] = [];
    for (let i = 0; i < 55; i++) made.push((await createLead(app, p, { last_name: `L${i}` })).id);
    const seen: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await mine('GET', `/leads.xml?page=${page}`);
      expect(res.statusCode).toBe(200);
      const body = xml(res.body).leads;
      expect(body.pagination).toEqual({ current_page: String(page), total_pages: '3' });
      const leads = [body.lead].flat().filter(Boolean);
      expect(leads.length).toBe(page < 3 ? 25 : 5);
      seen.push(...leads.map((l: { id: string }) => Number(l.id)));
    }
    expect(seen).toEqual([...made].reverse());
    const beyond = xml((await mine('GET', '/leads.xml?page=4')).body).leads;
    expect(beyond.pagination).toEqual({ current_page: '4', total_pages: '3' });
    expect(beyond.lead).toBeUndefined();
    const perAccount = await mine('GET', `/${p.orgId}/leads.xml?page=2`);
    expect(perAccount.statusCode).toBe(200);
    expect(perAccount.body).toBe((await mine('GET', '/leads.xml?page=2')).body);
    expect((await mine('GET', '/leads.xml?page=0')).statusCode).toBe(400);
  });
});

describe('per-account path, authentication and isolation', () => {
  it('works under /{account}/ for every verb', async () => {
    const base = `/${s.orgId}`;
    const created = await ef('POST', `${base}/leads.xml`, leadXml({ client_name: 'Par compte', topic: 'T' }));
    expect(created.statusCode, created.body).toBe(201);
    const id = xml(created.body).lead.id;
    expect((await ef('GET', `${base}/leads/${id}.xml`)).statusCode).toBe(200);
    const put = await ef('PUT', `${base}/leads/${id}.xml`, leadXml({ topic: 'U' }));
    expect(xml(put.body).lead.topic).toBe('U');
    expect((await ef('DELETE', `${base}/leads/${id}.xml`)).statusCode).toBe(200);
  });

  it('text/xml in and out', async () => {
    const res = await ef('POST', '/leads.xml', leadXml({ client_name: 'Texte' }), {
      'content-type': 'text/xml',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
  });

  it('401 without or with wrong credentials, asking for Basic', async () => {
    const none = await app.inject({ method: 'GET', url: `${MOUNT}/leads.xml` });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic /);
    expect(none.headers['content-type']).toMatch(/^application\/xml/);
    const wrong = await app.inject({
      method: 'GET',
      url: `${MOUNT}/leads.xml`,
      headers: basicOf(s, 'nope nope'),
    });
    expect(wrong.statusCode).toBe(401);
  });

  it("404 for another organization's lead; 403 for another organization's account path", async () => {
    const theirs = await createLead(app, other, { last_name: 'Autre' });
    expect((await ef('GET', `/leads/${theirs.id}.xml`)).statusCode).toBe(404);
    expect((await ef('PUT', `/leads/${theirs.id}.xml`, leadXml({ topic: 'x' }))).statusCode).toBe(404);
    expect((await ef('DELETE', `/leads/${theirs.id}.xml`)).statusCode).toBe(404);
    expect((await api('GET', `/api/v1/leads/${theirs.id}`, undefined, other)).json().title).toBeNull();
    expect((await ef('GET', `/${other.orgId}/leads.xml`)).statusCode).toBe(403);
  });
});
