import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
let other: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  other = await signup(t.app);
});
afterAll(async () => t.close());

const req = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  sess = s,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method,
    url,
    headers: { ...sess.headers, ...headers },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const ids = (res: { json(): { data: Array<{ id: number }> } }) => res.json().data.map((r) => r.id);

describe('companies', () => {
  it('creates, reads, updates and deletes a company; the domain follows the website', async () => {
    const res = await req('POST', '/api/v1/companies', {
      name: '  Tech Corp ',
      industry: 'Technology',
      website: 'https://www.TechCorp.example/about',
      phone: '+1 555 0100',
      email: 'Sales@TechCorp.example',
      address: { line1: '1 Loop', city: 'Cupertino', country: 'us' },
      owner_id: s.userId,
      tags: ['b2b', 'B2B', 'saas'],
      custom_fields: { employees: 500 },
    });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(res.headers.location).toBe(`/api/v1/companies/${c.id}`);
    expect(c).toMatchObject({
      name: 'Tech Corp',
      domain: 'techcorp.example',
      email: 'sales@techcorp.example',
      address: { line1: '1 Loop', line2: null, city: 'Cupertino', country: 'US' },
      tags: ['b2b', 'saas'],
      custom_fields: { employees: 500 },
      created_from_lead_id: null,
      version: 1,
    });
    expect((await req('GET', `/api/v1/companies/${c.id}`)).json()).toEqual(c);

    const stale = await req('PATCH', `/api/v1/companies/${c.id}`, { industry: 'Software' }, s, {
      'if-match': `"${c.id}-99"`,
    });
    expect(stale.statusCode).toBe(412);
    const upd = await req(
      'PATCH',
      `/api/v1/companies/${c.id}`,
      { industry: 'Software', website: 'newtech.example', tags: [] },
      s,
      { 'if-match': res.headers.etag as string },
    );
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toMatchObject({
      industry: 'Software',
      website: 'newtech.example',
      domain: 'newtech.example',
      tags: [],
      version: 2,
    });

    expect((await req('DELETE', `/api/v1/companies/${c.id}`)).statusCode).toBe(204);
    expect((await req('GET', `/api/v1/companies/${c.id}`)).statusCode).toBe(404);
  });

  it('bad input is a clear error naming the field and writes nothing', async () => {
    const before = ids(await req('GET', '/api/v1/companies?limit=200'));
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'name'],
      [{ name: 'X', colour: 'red' }, 400, 'colour'],
      [{ name: 'X', email: 'nope' }, 400, 'email'],
      [{ name: '   ' }, 422, 'name'],
      [{ name: 'X', domain: 'not a domain' }, 422, 'domain'],
      [{ name: 'X', address: { country: 'Atlantis' } }, 400, 'address.country'],
      [{ name: 'X', address: { country: 'ZZ' } }, 422, 'address.country'],
      [{ name: 'X', owner_id: other.userId }, 422, 'owner_id'],
    ];
    for (const [body, status, field] of cases) {
      const res = await req('POST', '/api/v1/companies', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(ids(await req('GET', '/api/v1/companies?limit=200'))).toEqual(before);
  });

  it("another organization's company is a 404 for read, update and delete", async () => {
    const theirs = (await req('POST', '/api/v1/companies', { name: 'Private Co' }, other)).json();
    expect((await req('GET', `/api/v1/companies/${theirs.id}`)).statusCode).toBe(404);
    expect((await req('PATCH', `/api/v1/companies/${theirs.id}`, { name: 'Mine now' })).statusCode).toBe(404);
    expect((await req('DELETE', `/api/v1/companies/${theirs.id}`)).statusCode).toBe(404);
    expect((await req('GET', `/api/v1/companies/${theirs.id}`, undefined, other)).json().name).toBe(
      'Private Co',
    );
  });

  it('lists with q, filters and keyset pagination', async () => {
    const sess = await signup(t.app);
    const made: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await req(
        'POST',
        '/api/v1/companies',
        {
          name: `Zeta ${i} Widgets`,
          industry: i % 2 ? 'Retail' : 'Energy',
          website: `zeta${i}.example`,
          tags: i < 2 ? ['vip'] : [],
        },
        sess,
      );
      made.push(r.json().id);
    }
    await req('POST', '/api/v1/companies', { name: 'Omega 100%_Widgets' }, sess);
    const all: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await req(
        'GET',
        `/api/v1/companies?q=zeta&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        sess,
      );
      expect(res.statusCode).toBe(200);
      all.push(...ids(res));
      cursor = res.json().next_cursor;
    } while (cursor);
    expect(all).toEqual([...made].reverse());
    expect(ids(await req('GET', '/api/v1/companies?q=widgets%20ZETA%203', undefined, sess))).toEqual([
      made[3],
    ]);
    expect(ids(await req('GET', '/api/v1/companies?q=100%25_', undefined, sess))).toHaveLength(1);
    expect(ids(await req('GET', '/api/v1/companies?q=_', undefined, sess))).toHaveLength(1);
    expect(
      ids(await req('GET', '/api/v1/companies?industry=Retail&sort=created_at', undefined, sess)),
    ).toEqual([made[1], made[3], made[5]]);
    expect(ids(await req('GET', '/api/v1/companies?tag=vip&sort=created_at', undefined, sess))).toEqual([
      made[0],
      made[1],
    ]);
    expect(ids(await req('GET', '/api/v1/companies?domain=WWW.zeta4.example', undefined, sess))).toEqual([
      made[4],
    ]);
    const byName = await req('GET', '/api/v1/companies?sort=name&limit=2', undefined, sess);
    expect(byName.json().data.map((c: { name: string }) => c.name)).toEqual([
      'Omega 100%_Widgets',
      'Zeta 0 Widgets',
    ]);
    const page2 = await req(
      'GET',
      `/api/v1/companies?sort=name&limit=2&cursor=${byName.json().next_cursor}`,
      undefined,
      sess,
    );
    expect(page2.json().data.map((c: { name: string }) => c.name)).toEqual([
      'Zeta 1 Widgets',
      'Zeta 2 Widgets',
    ]);
    const wrongSort = await req(
      'GET',
      `/api/v1/companies?sort=-name&cursor=${byName.json().next_cursor}`,
      undefined,
      sess,
    );
    expect(wrongSort.statusCode).toBe(400);
    expect(wrongSort.json().errors[0].field).toBe('cursor');
    expect((await req('GET', '/api/v1/companies?limit=500', undefined, sess)).statusCode).toBe(400);
  });
});

describe('contacts', () => {
  it('creates a contact with emails, phones, a company and consent flags dated when set', async () => {
    const company = (await req('POST', '/api/v1/companies', { name: 'Consent Co' })).json();
    const res = await req('POST', '/api/v1/contacts', {
      first_name: 'Jane',
      last_name: 'Prospect',
      job_title: 'CTO',
      company_id: company.id,
      emails: [
        { email: 'Jane@Prospect.example', label: 'work' },
        { email: 'jane@prospect.example' },
        { email: 'jane@home.example' },
      ],
      phones: [{ phone: '+1 987 654 321', label: 'mobile' }],
      do_not_email: true,
      do_not_sms: false,
    });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({
      company_id: company.id,
      emails: [
        { email: 'jane@prospect.example', label: 'work' },
        { email: 'jane@home.example', label: null },
      ],
      phones: [{ phone: '+1 987 654 321', label: 'mobile' }],
      do_not_email: true,
      do_not_call: false,
      do_not_call_at: null,
      do_not_sms: false,
      do_not_sms_at: null,
    });
    expect(Date.parse(c.do_not_email_at)).toBeGreaterThan(Date.now() - 60_000);

    // Setting a flag again keeps its date; turning it off clears it; turning another on dates it.
    const upd = (
      await req('PATCH', `/api/v1/contacts/${c.id}`, { do_not_email: true, do_not_call: true })
    ).json();
    expect(upd.do_not_email_at).toBe(c.do_not_email_at);
    expect(upd.do_not_call_at).not.toBeNull();
    const off = (await req('PATCH', `/api/v1/contacts/${c.id}`, { do_not_email: false })).json();
    expect(off).toMatchObject({ do_not_email: false, do_not_email_at: null, do_not_call: true });
  });

  it('refuses a bad email, an unknown company and a contact with no name or email', async () => {
    const theirs = (await req('POST', '/api/v1/companies', { name: 'Elsewhere' }, other)).json();
    const before = ids(await req('GET', '/api/v1/contacts?limit=200'));
    const bad = await req('POST', '/api/v1/contacts', { first_name: 'A', emails: [{ email: 'a@' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'emails.0.email', message: 'must be a valid email' }]);
    const foreign = await req('POST', '/api/v1/contacts', { first_name: 'A', company_id: theirs.id });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors).toEqual([
      { field: 'company_id', message: `company ${theirs.id} does not exist in this organization` },
    ]);
    const empty = await req('POST', '/api/v1/contacts', { job_title: 'Ghost' });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors[0].field).toBe('first_name');
    expect(ids(await req('GET', '/api/v1/contacts?limit=200'))).toEqual(before);
  });

  it('lists by exact email, company and q, with keyset pagination; other orgs see nothing', async () => {
    const sess = await signup(t.app);
    const co = (await req('POST', '/api/v1/companies', { name: 'Listing Co' }, sess)).json();
    const made: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await req(
        'POST',
        '/api/v1/contacts',
        {
          first_name: `Ann${i}`,
          last_name: 'Smithers',
          emails: [{ email: `ann${i}@list.example` }],
          company_id: i < 2 ? co.id : null,
        },
        sess,
      );
      made.push(r.json().id);
    }
    expect(ids(await req('GET', '/api/v1/contacts?email=ANN3@list.example', undefined, sess))).toEqual([
      made[3],
    ]);
    expect(
      ids(await req('GET', `/api/v1/contacts?company_id=${co.id}&sort=created_at`, undefined, sess)),
    ).toEqual([made[0], made[1]]);
    expect(ids(await req('GET', '/api/v1/contacts?q=smithers%20ann2', undefined, sess))).toEqual([made[2]]);
    const phoned = (
      await req(
        'POST',
        '/api/v1/contacts',
        { first_name: 'Dial', phones: [{ phone: '+1 (555) 010-0999', label: 'mobile' }] },
        sess,
      )
    ).json();
    expect(ids(await req('GET', '/api/v1/contacts?q=5550100999', undefined, sess))).toEqual([phoned.id]);
    expect(ids(await req('GET', '/api/v1/contacts?q=(555)', undefined, sess))).toEqual([phoned.id]);
    expect(ids(await req('GET', '/api/v1/contacts?phone=15550100999', undefined, sess))).toEqual([phoned.id]);
    expect(
      ids(
        await req('GET', `/api/v1/contacts?phone=${encodeURIComponent('+1-555-010-0999')}`, undefined, sess),
      ),
    ).toEqual([phoned.id]);
    expect(ids(await req('GET', '/api/v1/contacts?phone=0100999', undefined, sess))).toEqual([]);
    await req('PATCH', `/api/v1/contacts/${phoned.id}`, { phones: [{ phone: '+33 1 23 45 67 89' }] }, sess);
    expect(ids(await req('GET', '/api/v1/contacts?phone=15550100999', undefined, sess))).toEqual([]);
    expect(ids(await req('GET', '/api/v1/contacts?phone=33123456789', undefined, sess))).toEqual([phoned.id]);
    await req('DELETE', `/api/v1/contacts/${phoned.id}`, undefined, sess);
    expect(
      ids(await req('GET', '/api/v1/contacts?q=list.example&sort=created_at&limit=2', undefined, sess)),
    ).toEqual([made[0], made[1]]);
    const p1 = await req('GET', '/api/v1/contacts?limit=2&sort=created_at', undefined, sess);
    const p2 = await req(
      'GET',
      `/api/v1/contacts?limit=2&sort=created_at&cursor=${p1.json().next_cursor}`,
      undefined,
      sess,
    );
    const p3 = await req(
      'GET',
      `/api/v1/contacts?limit=2&sort=created_at&cursor=${p2.json().next_cursor}`,
      undefined,
      sess,
    );
    expect([...ids(p1), ...ids(p2), ...ids(p3)]).toEqual(made);
    expect(p3.json().next_cursor).toBeNull();
    expect(ids(await req('GET', '/api/v1/contacts?q=smithers', undefined, other))).toEqual([]);
    expect((await req('GET', `/api/v1/contacts/${made[0]}`, undefined, other)).statusCode).toBe(404);
  });
});

describe('opportunities', () => {
  it('CRUD with money as decimal strings, stages and links', async () => {
    const company = (await req('POST', '/api/v1/companies', { name: 'Deal Co' })).json();
    const lead = await createLead(t.app, s);
    const res = await req('POST', '/api/v1/opportunities', {
      name: 'Big deal',
      amount: 1234.5,
      currency: 'eur',
      company_id: company.id,
      lead_id: lead.id,
      close_date: '2027-03-31',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'Big deal',
      amount: '1234.50',
      currency: 'EUR',
      stage: 'qualification',
      company_id: company.id,
      lead_id: lead.id,
      close_date: '2027-03-31',
    });
    const id = res.json().id;
    const upd = await req('PATCH', `/api/v1/opportunities/${id}`, { stage: 'closed_won', probability: 100 });
    expect(upd.json()).toMatchObject({
      stage: 'closed_won',
      probability: 100,
      amount: '1234.50',
      version: 2,
    });
    expect(ids(await req('GET', '/api/v1/opportunities?stage=closed_won,proposal'))).toContain(id);
    const badStage = await req('GET', '/api/v1/opportunities?stage=won');
    expect(badStage.statusCode).toBe(422);
    expect(badStage.json().errors[0].field).toBe('stage');
    const badStage2 = await req('POST', '/api/v1/opportunities', { name: 'X', stage: 'won' });
    expect(badStage2.statusCode).toBe(422);
    expect(badStage2.json().errors).toEqual([
      {
        field: 'stage',
        message:
          'must be one of: qualification, needs_analysis, proposal, negotiation, closed_won, closed_lost',
      },
    ]);
    const badAmount = await req('POST', '/api/v1/opportunities', { name: 'X', amount: '12.345' });
    expect(badAmount.statusCode).toBe(422);
    expect(badAmount.json().errors[0].field).toBe('amount');
    const second = await req('POST', '/api/v1/opportunities', { name: 'Same lead', lead_id: lead.id });
    expect(second.statusCode).toBe(409);
    const theirLead = await createLead(t.app, other);
    const foreign = await req('POST', '/api/v1/opportunities', { name: 'X', lead_id: theirLead.id });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors).toEqual([
      { field: 'lead_id', message: `lead ${theirLead.id} does not exist in this organization` },
    ]);
    expect((await req('GET', `/api/v1/opportunities/${id}`, undefined, other)).statusCode).toBe(404);
  });
});

describe('leads linked to companies and contacts', () => {
  it("company_id and contact_ids on create and PATCH show in the lead; another org's ids are a 422", async () => {
    const company = (
      await req('POST', '/api/v1/companies', { name: 'Linked Co', website: 'linked.example' })
    ).json();
    const c1 = (
      await req('POST', '/api/v1/contacts', { first_name: 'One', emails: [{ email: 'one@linked.example' }] })
    ).json();
    const c2 = (await req('POST', '/api/v1/contacts', { first_name: 'Two' })).json();
    const lead = await createLead(t.app, s, { company_id: company.id, contact_ids: [c1.id, c2.id] });
    expect(lead).toMatchObject({
      company_id: company.id,
      company: { id: company.id, name: 'Linked Co', domain: 'linked.example' },
      contacts: [
        { id: c1.id, first_name: 'One', last_name: null, email: 'one@linked.example' },
        { id: c2.id, first_name: 'Two', last_name: null, email: null },
      ],
      converted: null,
    });
    const upd = await req('PATCH', `/api/v1/leads/${lead.id}`, { contact_ids: [c2.id], company_id: null });
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toMatchObject({
      company_id: null,
      company: null,
      contacts: [{ id: c2.id }],
      version: lead.version + 1,
    });

    const theirCo = (await req('POST', '/api/v1/companies', { name: 'Theirs' }, other)).json();
    const theirContact = (await req('POST', '/api/v1/contacts', { first_name: 'Them' }, other)).json();
    const bad = await req('PATCH', `/api/v1/leads/${lead.id}`, {
      company_id: theirCo.id,
      contact_ids: [theirContact.id, c1.id],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      { field: 'company_id', message: `company ${theirCo.id} does not exist in this organization` },
      { field: 'contact_ids', message: `contact ${theirContact.id} does not exist in this organization` },
    ]);
    expect((await req('GET', `/api/v1/leads/${lead.id}`)).json()).toMatchObject({
      company_id: null,
      contacts: [{ id: c2.id }],
    });
    const created = await req('POST', '/api/v1/leads', { first_name: 'X', company_id: theirCo.id });
    expect(created.statusCode).toBe(422);
    expect(created.json().errors[0].field).toBe('company_id');
  });

  it('lists the leads of a company or a contact', async () => {
    const sess = await signup(t.app);
    const co = (await req('POST', '/api/v1/companies', { name: 'Many Leads Co' }, sess)).json();
    const person = (await req('POST', '/api/v1/contacts', { first_name: 'Pat' }, sess)).json();
    const a = await createLead(t.app, sess, { company_id: co.id });
    const b = await createLead(t.app, sess, { company_id: co.id, contact_ids: [person.id] });
    await createLead(t.app, sess, { contact_ids: [] });
    const leadIds = async (qs: string) =>
      ids(await req('GET', `/api/v1/leads?${qs}&sort=created_at`, undefined, sess));
    expect(await leadIds(`company_id=${co.id}`)).toEqual([a.id, b.id]);
    expect(await leadIds(`contact_id=${person.id}`)).toEqual([b.id]);
    expect(await leadIds(`company_id=${co.id}&contact_id=${person.id}`)).toEqual([b.id]);
  });

  it('link: "match" links what exists (by email domain, website or name; contact by email) and creates nothing', async () => {
    const sess = await signup(t.app);
    const co = (
      await req('POST', '/api/v1/companies', { name: 'Initech', website: 'https://initech.example' }, sess)
    ).json();
    const named = (await req('POST', '/api/v1/companies', { name: 'Penetrode  Inc' }, sess)).json();
    const peter = (
      await req(
        'POST',
        '/api/v1/contacts',
        { first_name: 'Peter', emails: [{ email: 'peter@initech.example' }] },
        sess,
      )
    ).json();
    const byDomain = await createLead(t.app, sess, {
      first_name: 'P',
      email: 'Peter@Initech.example',
      link: 'match',
    });
    expect(byDomain).toMatchObject({ company: { id: co.id }, contacts: [{ id: peter.id }] });
    const byName = await createLead(t.app, sess, {
      first_name: 'Q',
      email: 'q@gmail.com',
      company_name: 'penetrode inc',
      link: 'match',
    });
    expect(byName).toMatchObject({ company: { id: named.id }, contacts: [] });
    const nothing = await createLead(t.app, sess, {
      first_name: 'R',
      email: 'r@gmail.com',
      company_name: 'Unknown',
      link: 'match',
    });
    expect(nothing).toMatchObject({ company: null, contacts: [] });
    expect(ids(await req('GET', '/api/v1/companies', undefined, sess))).toHaveLength(2);
    expect(ids(await req('GET', '/api/v1/contacts', undefined, sess))).toHaveLength(1);
    // Without `link`, nothing is linked.
    expect(await createLead(t.app, sess, { email: 'peter@initech.example' })).toMatchObject({
      company: null,
      contacts: [],
    });
  });

  it('link: "create" matches first and creates what is missing, once', async () => {
    const sess = await signup(t.app);
    const a = await createLead(t.app, sess, {
      first_name: 'Tom',
      last_name: 'Sawyer',
      email: 'tom.sawyer@river.example',
      company_name: 'River Co',
      mobile: '+15550001',
      tags: ['fair'],
      link: 'create',
    });
    expect(a.company).toMatchObject({ name: 'River Co', domain: 'river.example' });
    expect(a.contacts).toEqual([
      {
        id: expect.any(Number),
        first_name: 'Tom',
        last_name: 'Sawyer',
        email: 'tom.sawyer@river.example',
        customer_status: 'prospect',
      },
    ]);
    const contact = (await req('GET', `/api/v1/contacts/${a.contacts[0].id}`, undefined, sess)).json();
    expect(contact).toMatchObject({
      company_id: a.company_id,
      phones: [{ phone: '+15550001', label: 'mobile' }],
      tags: ['fair'],
      created_from_lead_id: a.id,
    });
    const b = await createLead(t.app, sess, {
      first_name: 'Huck',
      email: 'huck@river.example',
      company_name: 'River Company',
      link: 'create',
    });
    expect(b.company.id).toBe(a.company.id);
    expect(b.contacts[0].id).not.toBe(a.contacts[0].id);
    expect(ids(await req('GET', '/api/v1/companies', undefined, sess))).toHaveLength(1);
    const bad = await req('POST', '/api/v1/leads', { first_name: 'X', link: 'always' }, sess);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([
      { field: 'link', message: 'must be equal to one of the allowed values' },
    ]);
  });
});
