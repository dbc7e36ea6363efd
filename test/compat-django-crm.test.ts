import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { countAllTables, changedTables } from './table-counts.js';
import {
  ADD_COMMENT,
  CREATE_COMPANY,
  CREATE_FROM_SITE,
  CREATE_LEAD,
  DETAIL_KEYS,
  LEAD_OBJ_KEYS,
  LIST_KEYS,
  LIST_LEAD_KEYS,
  LIST_URL,
  UPDATE_LEAD,
} from './compat-django-crm.samples.js';
import { uuidOf } from '../src/compat/django-crm/django.ids.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;
let other: Session;
let agentId: number;
let teamId: number;
let contactId: number;

const headersOf = (who: Session) => ({
  authorization: `Bearer ${who.token}`,
  'organization-id': uuidOf('org', who.orgId),
});
const dj = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  who: Session = s,
) =>
  app.inject({
    method,
    url: `/compat/django-crm${url}`,
    headers: headersOf(who),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

/** The document's create body with its placeholder ids replaced by this organization's. */
const createBody = (over: Record<string, unknown> = {}) => ({
  ...CREATE_LEAD,
  contacts: [uuidOf('contact', contactId)],
  assigned_to: [uuidOf('user', agentId)],
  teams: [uuidOf('team', teamId)],
  ...over,
});

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  other = await signup(app);
  agentId = (await addMember(app, s, 'agent')).userId;
  const team = await app.inject({
    method: 'POST',
    url: '/api/v1/teams',
    headers: s.headers,
    payload: { name: 'Sales' },
  });
  teamId = team.json().id;
  const contact = await app.inject({
    method: 'POST',
    url: '/api/v1/contacts',
    headers: s.headers,
    payload: { first_name: 'Carla', last_name: 'Contact', emails: [{ email: 'carla@bigcorp.com' }] },
  });
  expect(contact.statusCode).toBe(201);
  contactId = contact.json().id;
});
afterAll(async () => t.close());

describe('authentication and organization (seed 004)', () => {
  it('needs a Bearer token: 401 { detail }', async () => {
    const res = await app.inject({ method: 'GET', url: '/compat/django-crm/api/leads/' });
    expect(res.statusCode).toBe(401);
    expect(Object.keys(res.json())).toEqual(['detail']);
  });

  it('a user who is not a member of the organization named in organization-id (or org) gets 403', async () => {
    for (const header of ['organization-id', 'org']) {
      const res = await app.inject({
        method: 'GET',
        url: '/compat/django-crm/api/leads/',
        headers: { authorization: `Bearer ${s.token}`, [header]: uuidOf('org', other.orgId) },
      });
      expect(res.statusCode).toBe(403);
      expect(typeof res.json().detail).toBe('string');
    }
    const ok = await app.inject({
      method: 'GET',
      url: '/compat/django-crm/api/leads/',
      headers: { authorization: `Bearer ${s.token}`, org: String(s.orgId) },
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe('the document examples, sent as written', () => {
  let leadId: string;

  it('POST /api/leads/ creates the example lead with every field, several assignees and teams', async () => {
    const res = await dj('POST', '/api/leads/', createBody());
    expect(res.statusCode).toBe(201);
    const body = res.json();
    leadId = body.id;
    expect(body.id).toMatch(/^1ead0000-0000-4000-8000-[0-9a-f]{12}$/);
    expect(body).toMatchObject({
      title: 'Enterprise Software Inquiry',
      first_name: 'Robert',
      last_name: 'Johnson',
      email: 'robert@bigcorp.com',
      phone: '+1555987654',
      status: 'assigned',
      source: 'Cold Call',
      account_name: 'Big Corp Industries',
      website: 'https://bigcorp.com',
      opportunity_amount: '75000.00',
      address_line: '789 Corporate Blvd',
      city: 'Dallas',
      state: 'TX',
      postcode: '75201',
      country: 'USA',
      contacts: [uuidOf('contact', contactId)],
      assigned_to: [uuidOf('user', agentId)],
      teams: [uuidOf('team', teamId)],
      tags: ['enterprise', 'qualified'],
      converted_account: null,
    });
    // The same lead in /api/v1: the core's vocabulary.
    const core = await app.inject({
      method: 'GET',
      url: `/api/v1/leads/${parseInt(leadId.slice(-12), 16)}`,
      headers: s.headers,
    });
    expect(core.statusCode).toBe(200);
    expect(core.json()).toMatchObject({
      status: 'assigned',
      source: 'cold call',
      company_name: 'Big Corp Industries',
      value: '75000.00',
      address: { line1: '789 Corporate Blvd', country: 'US', postal_code: '75201' },
      team_ids: [teamId],
    });
    expect(core.json().users).toContainEqual(expect.objectContaining({ user_id: agentId, role: 'assignee' }));
  });

  it('GET /api/leads/{id}/ answers the document keys, by UUID and by integer', async () => {
    for (const id of [leadId, String(parseInt(leadId.slice(-12), 16))]) {
      const res = await dj('GET', `/api/leads/${id}/`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      for (const k of DETAIL_KEYS) expect(body).toHaveProperty(k);
      for (const k of LEAD_OBJ_KEYS) expect(body.lead_obj).toHaveProperty(k);
      expect(body.lead_obj.id).toBe(leadId);
      expect(body.lead_obj.created_on).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(body.lead_obj.created_by).toBe(uuidOf('user', s.userId));
      expect(body.address_obj).toMatchObject({ city: 'Dallas', country: 'USA' });
      expect(body.assigned_to.map((u: { id: string }) => u.id)).toEqual([uuidOf('user', agentId)]);
      expect(body.teams).toEqual([{ id: uuidOf('team', teamId), name: 'Sales' }]);
      expect(body.contacts.map((c: { id: string }) => c.id)).toEqual([uuidOf('contact', contactId)]);
      expect(body.tags).toEqual(['enterprise', 'qualified']);
    }
  });

  it('GET /api/leads/?status=assigned&source=website&limit=5 answers the document shape', async () => {
    const site = await dj(
      'POST',
      '/api/leads/',
      createBody({ source: 'Website Form', email: 'web@bigcorp.com' }),
    );
    expect(site.statusCode).toBe(201);
    const res = await dj('GET', LIST_URL);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    for (const k of LIST_KEYS) expect(body).toHaveProperty(k);
    expect(body.open_leads.map((l: { id: string }) => l.id)).toEqual([site.json().id]);
    for (const k of LIST_LEAD_KEYS) expect(body.open_leads[0]).toHaveProperty(k);
    expect(body.open_leads[0].source).toBe('Website Form');
    expect(body.open_leads_count).toBe(1);
    expect(body.closed_leads).toEqual([]);
    expect(body.closed_leads_count).toBe(0);
    expect(body.source_list).toEqual(
      expect.arrayContaining(['Website Form', 'Cold Call', 'Referral', 'Trade Show']),
    );
    expect(body.status.map((x: string[]) => x[0])).toEqual([
      'assigned',
      'in process',
      'converted',
      'recycled',
      'closed',
    ]);
    expect(body.tags).toEqual(expect.arrayContaining(['enterprise', 'qualified']));
    expect(body.users.map((u: { id: string }) => u.id)).toContain(uuidOf('user', agentId));
    expect(body.contacts.map((c: { id: string }) => c.id)).toContain(uuidOf('contact', contactId));
  });

  it('PUT /api/leads/{id}/ with the document body updates status, amount and description', async () => {
    const res = await dj('PUT', `/api/leads/${leadId}/`, UPDATE_LEAD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'in process',
      opportunity_amount: '60000.00',
      description: 'Updated after discovery call',
      first_name: 'Robert',
    });
  });

  it('POST /api/leads/{id}/ adds the example comment; comment/{id}/ edits and deletes it', async () => {
    const res = await dj('POST', `/api/leads/${leadId}/`, ADD_COMMENT);
    expect(res.statusCode).toBe(200);
    const comments = res.json().comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({
      comment: ADD_COMMENT.comment,
      commented_by: uuidOf('user', s.userId),
    });
    const edited = await dj('PUT', `/api/leads/comment/${comments[0].id}/`, {
      comment: 'Moved to Wednesday',
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().comment).toBe('Moved to Wednesday');
    const core = await app.inject({
      method: 'GET',
      url: `/api/v1/leads/${parseInt(leadId.slice(-12), 16)}/comments`,
      headers: s.headers,
    });
    expect(core.json().data[0].body).toBe('Moved to Wednesday');
    expect((await dj('DELETE', `/api/leads/comment/${comments[0].id}/`)).statusCode).toBe(204);
    expect((await dj('GET', `/api/leads/${leadId}/`)).json().comments).toEqual([]);
  });

  it('companies: the document examples, with and without the trailing slash', async () => {
    const created = await dj('POST', '/api/leads/companies/', CREATE_COMPANY);
    expect(created.statusCode).toBe(201);
    const c = created.json();
    expect(c).toMatchObject({ ...CREATE_COMPANY });
    expect(c.id).toMatch(/^c0a90000-/);
    for (const url of ['/api/leads/companies/', '/api/leads/companies']) {
      const list = await dj('GET', url);
      expect(list.statusCode).toBe(200);
      expect(list.json().companies.map((x: { id: string }) => x.id)).toContain(c.id);
    }
    for (const url of [`/api/leads/company/${c.id}/`, `/api/leads/company/${c.id}`])
      expect((await dj('GET', url)).json().name).toBe('New Tech Startup');
    const put = await dj('PUT', `/api/leads/company/${c.id}`, { industry: 'Hardware' });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'New Tech Startup', industry: 'Hardware' });
    expect((await dj('DELETE', `/api/leads/company/${c.id}/`)).statusCode).toBe(204);
    expect((await dj('GET', `/api/leads/company/${c.id}/`)).statusCode).toBe(404);
  });

  it('DELETE /api/leads/{id}/ is 204, then 404 { detail }', async () => {
    const lead = (await dj('POST', '/api/leads/', createBody({ email: 'gone@bigcorp.com' }))).json();
    expect((await dj('DELETE', `/api/leads/${lead.id}/`)).statusCode).toBe(204);
    const res = await dj('GET', `/api/leads/${lead.id}/`);
    expect(res.statusCode).toBe(404);
    expect(Object.keys(res.json())).toEqual(['detail']);
  });

  it('an id past the 32-bit range names no record: 404 { detail }, never a server error', async () => {
    for (const path of ['/api/leads/2147483648/', '/api/leads/company/99999999999/']) {
      const res = await dj('GET', path);
      expect(res.statusCode).toBe(404);
      expect(Object.keys(res.json())).toEqual(['detail']);
    }
  });
});

describe('create-from-site (web-to-lead key)', () => {
  let key: string;
  beforeAll(async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/web-to-lead-keys',
      headers: s.headers,
      payload: { name: 'Site' },
    });
    if (res.statusCode !== 201) throw new Error(res.body);
    key = res.json().key;
  });

  it('the document example creates the lead (assigned, source from the key) and its contact', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/compat/django-crm/api/leads/create-from-site/?apikey=${key}`,
      payload: CREATE_FROM_SITE,
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      first_name: 'John',
      last_name: 'Prospect',
      email: 'john@prospect.com',
      status: 'assigned',
      source: 'Website Form',
      account_name: 'Prospect Company',
    });
    expect(body.contacts).toHaveLength(1);
    const contact = await app.inject({
      method: 'GET',
      url: `/api/v1/contacts/${parseInt(body.contacts[0].slice(-12), 16)}`,
      headers: s.headers,
    });
    expect(contact.json().emails[0].email).toBe('john@prospect.com');
  });

  it('takes the apikey in the body too; a bad key is 403; missing fields are 400', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/compat/django-crm/api/leads/create-from-site/',
      payload: { ...CREATE_FROM_SITE, email: 'body@prospect.com', apikey: key },
    });
    expect(ok.statusCode).toBe(201);
    const before = await countAllTables(t.db);
    const bad = await app.inject({
      method: 'POST',
      url: '/compat/django-crm/api/leads/create-from-site/?apikey=nope',
      payload: CREATE_FROM_SITE,
    });
    expect(bad.statusCode).toBe(403);
    expect(typeof bad.json().detail).toBe('string');
    const missing = await app.inject({
      method: 'POST',
      url: `/compat/django-crm/api/leads/create-from-site/?apikey=${key}`,
      payload: { title: 'No name' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({
      error: true,
      errors: {
        first_name: ['This field is required.'],
        last_name: ['This field is required.'],
        email: ['This field is required.'],
      },
    });
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });
});

describe('conversion', () => {
  it('auto_convert converts in the same transaction and answers converted_account; the lead leaves the list', async () => {
    const res = await dj(
      'POST',
      '/api/leads/',
      createBody({ email: 'auto@bigcorp.com', account_name: 'Auto Corp', auto_convert: true }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.status).toBe('converted');
    expect(body.converted_account).toMatchObject({ name: 'Auto Corp', created_from_lead: body.id });
    expect(body.converted_account.opportunity).not.toBeNull();
    const list = (await dj('GET', '/api/leads/?limit=100')).json();
    expect([...list.open_leads, ...list.closed_leads].map((l: { id: string }) => l.id)).not.toContain(
      body.id,
    );
    // A second conversion is refused and writes nothing.
    const before = await countAllTables(t.db);
    const again = await dj('PATCH', `/api/leads/${body.id}/`, { status: 'converted' });
    expect(again.statusCode).toBe(400);
    expect(again.json().errors.status).toEqual(['This lead is already converted.']);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });

  it('status "converted" on PATCH runs the core conversion', async () => {
    const lead = (
      await dj(
        'POST',
        '/api/leads/',
        createBody({ email: 'later@later.example', website: null, account_name: 'Later Inc' }),
      )
    ).json();
    const res = await dj('PATCH', `/api/leads/${lead.id}/`, { status: 'converted' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('converted');
    expect(res.json().converted_account.name).toBe('Later Inc');
    const core = await app.inject({
      method: 'GET',
      url: `/api/v1/leads/${parseInt(lead.id.slice(-12), 16)}`,
      headers: s.headers,
    });
    expect(core.json().converted).not.toBeNull();
  });
});

describe('PUT replaces relations, PATCH keeps them', () => {
  it('PATCH without relations keeps contacts, assignees, teams and tags; PUT clears them', async () => {
    const lead = (await dj('POST', '/api/leads/', createBody({ email: 'rel@bigcorp.com' }))).json();
    const patched = await dj('PATCH', `/api/leads/${lead.id}/`, { city: 'Austin' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      city: 'Austin',
      contacts: lead.contacts,
      assigned_to: lead.assigned_to,
      teams: lead.teams,
      tags: lead.tags,
    });
    const put = await dj('PUT', `/api/leads/${lead.id}/`, { city: 'Houston', tags: ['vip'] });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      city: 'Houston',
      contacts: [],
      assigned_to: [],
      teams: [],
      tags: ['vip'],
      first_name: 'Robert',
    });
  });
});

describe('refused writes leave nothing behind', () => {
  it('every fault of a create is listed in one 400, nothing written', async () => {
    const before = await countAllTables(t.db);
    const res = await dj('POST', '/api/leads/', {
      ...createBody(),
      first_name: '',
      status: 'won',
      opportunity_amount: 'lots',
      country: 'Atlantis',
      assigned_to: ['not-a-uuid'],
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe(true);
    expect(Object.keys(body.errors).sort()).toEqual([
      'assigned_to',
      'country',
      'first_name',
      'opportunity_amount',
      'status',
    ]);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });

  it('a refusal by the core (a user of another organization) is a 400 naming the field, nothing written', async () => {
    const before = await countAllTables(t.db);
    const res = await dj('POST', '/api/leads/', createBody({ assigned_to: [uuidOf('user', other.userId)] }));
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors)).toEqual(['assigned_to']);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });

  it('unknown fields are refused', async () => {
    const res = await dj('POST', '/api/leads/', { ...createBody(), shoe_size: 44 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe(true);
  });
});

describe('another organization', () => {
  it("another organization's lead, comment and company ids are 404 { detail }", async () => {
    const mine = (await dj('POST', '/api/leads/', createBody({ email: 'mine@bigcorp.com' }))).json();
    const comment = (await dj('POST', `/api/leads/${mine.id}/`, { comment: 'private' })).json().comments[0];
    for (const [m, url] of [
      ['GET', `/api/leads/${mine.id}/`],
      ['PATCH', `/api/leads/${mine.id}/`],
      ['DELETE', `/api/leads/${mine.id}/`],
      ['PUT', `/api/leads/comment/${comment.id}/`],
      ['DELETE', `/api/leads/comment/${comment.id}/`],
    ] as const) {
      const res = await dj(
        m,
        url,
        m === 'GET' || m === 'DELETE'
          ? undefined
          : url.includes('comment')
            ? { comment: 'x' }
            : { city: 'x' },
        other,
      );
      expect(res.statusCode, `${m} ${url}`).toBe(404);
      expect(Object.keys(res.json())).toEqual(['detail']);
    }
    const list = (await dj('GET', '/api/leads/?limit=100', undefined, other)).json();
    expect(list.open_leads_count).toBe(0);
  });
});
