import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';

let t: TestApp;
let s: Session;
let other: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  other = await signup(t.app);
});
afterAll(async () => t.close());

const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, sess = s) =>
  t.app.inject({
    method,
    url,
    headers: sess.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const convert = (id: number, body: unknown = {}, sess = s) =>
  req('POST', `/api/v1/leads/${id}/convert`, body, sess);
/** Everything conversion can write, as a user sees it through the API. */
async function snapshot(leadId: number) {
  const [companies, contacts, opportunities, lead, history] = await Promise.all([
    req('GET', '/api/v1/companies?limit=200'),
    req('GET', '/api/v1/contacts?limit=200'),
    req('GET', '/api/v1/opportunities?limit=200'),
    req('GET', `/api/v1/leads/${leadId}`),
    req('GET', `/api/v1/leads/${leadId}/status-history`),
  ]);
  return {
    companies: companies.json().data.map((c: { id: number }) => c.id),
    contacts: contacts.json().data.map((c: { id: number }) => c.id),
    opportunities: opportunities.json().data.map((o: { id: number }) => o.id),
    lead: lead.json(),
    history: history.json().data.map((h: { to: string }) => h.to),
  };
}

describe('POST /leads/:id/convert', () => {
  it('creates company, contact and opportunity from the lead in one go and links them', async () => {
    const lead = await createLead(t.app, s, {
      first_name: 'Robert',
      last_name: 'Johnson',
      title: 'Enterprise Software Inquiry',
      email: 'Robert@BigCorp.example',
      phone: '+1555987654',
      company_name: 'Big Corp Industries',
      website: 'https://www.bigcorp.example/contact',
      value: '75000.00',
      currency: 'USD',
      owner_id: s.userId,
      tags: ['enterprise', 'qualified'],
      address: {
        line1: '789 Corporate Blvd',
        city: 'Dallas',
        state: 'TX',
        postal_code: '75201',
        country: 'US',
      },
    });
    const res = await convert(lead.id, {
      create_opportunity: { stage: 'proposal', probability: 60 },
      note: 'Signed NDA',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.created).toEqual({ company: true, contact: true, opportunity: true });
    expect(body.company).toMatchObject({
      name: 'Big Corp Industries',
      domain: 'bigcorp.example',
      owner_id: s.userId,
      tags: ['enterprise', 'qualified'],
      created_from_lead_id: lead.id,
      address: { line1: '789 Corporate Blvd', city: 'Dallas', country: 'US' },
    });
    expect(body.contact).toMatchObject({
      first_name: 'Robert',
      last_name: 'Johnson',
      company_id: body.company.id,
      emails: [{ email: 'robert@bigcorp.example', label: null }],
      phones: [{ phone: '+1555987654', label: 'work' }],
      tags: ['enterprise', 'qualified'],
      owner_id: s.userId,
      created_from_lead_id: lead.id,
    });
    expect(body.opportunity).toMatchObject({
      name: 'Enterprise Software Inquiry',
      amount: '75000.00',
      currency: 'USD',
      stage: 'proposal',
      probability: 60,
      company_id: body.company.id,
      contact_id: body.contact.id,
      owner_id: s.userId,
      lead_id: lead.id,
    });
    expect(body.lead).toMatchObject({
      status: 'converted',
      status_category: 'converted',
      company_id: body.company.id,
      company: { id: body.company.id, name: 'Big Corp Industries', domain: 'bigcorp.example' },
      contacts: [
        { id: body.contact.id, first_name: 'Robert', last_name: 'Johnson', email: 'robert@bigcorp.example' },
      ],
      converted: {
        by: s.userId,
        company_id: body.company.id,
        contact_id: body.contact.id,
        opportunity_id: body.opportunity.id,
      },
      tags: ['enterprise', 'qualified'],
    });

    // The lead stays readable with what it became; the new records point back to it.
    const again = (await req('GET', `/api/v1/leads/${lead.id}`)).json();
    expect(again.converted).toEqual(body.lead.converted);
    expect(
      (await req('GET', `/api/v1/opportunities?lead_id=${lead.id}`))
        .json()
        .data.map((o: { id: number }) => o.id),
    ).toEqual([body.opportunity.id]);
    expect(
      (await req('GET', `/api/v1/contacts?company_id=${body.company.id}`))
        .json()
        .data.map((c: { id: number }) => c.id),
    ).toEqual([body.contact.id]);

    // The move to "converted" is in the status history, with the note.
    const history = await req('GET', `/api/v1/leads/${lead.id}/status-history`);
    expect(history.statusCode).toBe(200);
    expect(history.json().data.map((h: { to: string }) => h.to)).toEqual(['new', 'converted']);
    expect(history.json().data.at(-1)).toMatchObject({
      to: 'converted',
      from: 'new',
      note: 'Signed NDA',
      by: s.userId,
    });
  });

  it("the lead's comments stay reachable from the opportunity and company it became", async () => {
    const lead = await createLead(t.app, s, {
      title: 'Kept notes',
      company_name: 'Notes Inc',
      email: 'n@notes.example',
    });
    const comment = await req('POST', `/api/v1/leads/${lead.id}/comments`, { body: 'Called, wants a quote' });
    expect(comment.statusCode).toBe(201);
    const res = (await convert(lead.id, { create_opportunity: {} })).json();
    expect(res.opportunity).toMatchObject({ name: 'Kept notes', lead_id: lead.id });
    expect(res.company.created_from_lead_id).toBe(lead.id);
    const comments = await req('GET', `/api/v1/leads/${res.opportunity.lead_id}/comments`);
    expect(comments.statusCode).toBe(200);
    expect(comments.json().data.map((c: { body: string }) => c.body)).toEqual(['Called, wants a quote']);
  });

  it('a second conversion is a 409 and changes nothing', async () => {
    const lead = await createLead(t.app, s, { company_name: 'Twice Ltd' });
    expect((await convert(lead.id)).statusCode).toBe(200);
    const before = await snapshot(lead.id);
    const res = await convert(lead.id, { create_opportunity: { name: 'Again' } });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toMatch(/already converted/);
    expect(await snapshot(lead.id)).toEqual(before);
  });

  it('two conversions racing: exactly one wins, the other is a 409, one set of records exists', async () => {
    const sess = await signup(t.app);
    const lead = await createLead(t.app, sess, {
      first_name: 'Race',
      email: 'race@racing.example',
      company_name: 'Racing Co',
    });
    const results = await Promise.all([
      convert(lead.id, { create_opportunity: { name: 'A' } }, sess),
      convert(lead.id, { create_opportunity: { name: 'B' } }, sess),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const list = async (what: string) => (await req('GET', `/api/v1/${what}`, undefined, sess)).json().data;
    expect(await list('companies')).toHaveLength(1);
    expect(await list('contacts')).toHaveLength(1);
    expect(await list('opportunities')).toHaveLength(1);
    const winner = results.find((r) => r.statusCode === 200)!.json();
    expect(
      (await req('GET', `/api/v1/leads/${lead.id}`, undefined, sess)).json().converted.opportunity_id,
    ).toBe(winner.opportunity.id);
  });

  it('no body at all converts with what the lead holds', async () => {
    const lead = await createLead(t.app, s, { company_name: 'Bodyless Ltd', email: 'ceo@bodyless.example' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/convert`,
      headers: s.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ company: { name: 'Bodyless Ltd' }, lead: { status: 'converted' } });
  });

  it("converting a deleted lead, or another organization's lead, is a 404", async () => {
    const lead = await createLead(t.app, s, { company_name: 'Gone Inc' });
    expect((await req('DELETE', `/api/v1/leads/${lead.id}`)).statusCode).toBe(204);
    expect((await convert(lead.id)).statusCode).toBe(404);
    const mine = await createLead(t.app, s, { company_name: 'Mine Inc' });
    const res = await convert(mine.id, {}, other);
    expect(res.statusCode).toBe(404);
    expect((await req('GET', `/api/v1/leads/${mine.id}`)).json().converted).toBeNull();
    expect((await req('GET', '/api/v1/companies', undefined, other)).json().data).toEqual([]);
  });

  it("linking another organization's company or contact is a 422 naming the field, never a 403", async () => {
    const theirs = (await req('POST', '/api/v1/companies', { name: 'Their Co' }, other)).json();
    const theirContact = (await req('POST', '/api/v1/contacts', { first_name: 'Eve' }, other)).json();
    const lead = await createLead(t.app, s, { company_name: 'Mine' });
    const before = await snapshot(lead.id);
    const res = await convert(lead.id, { company_id: theirs.id, contact_id: theirContact.id });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'company_id', message: `company ${theirs.id} does not exist in this organization` },
      { field: 'contact_id', message: `contact ${theirContact.id} does not exist in this organization` },
    ]);
    expect(await snapshot(lead.id)).toEqual(before);
  });

  it('a contact email that is not an email is a 400 naming the field, and nothing is written', async () => {
    const lead = await createLead(t.app, s, { company_name: 'Typo GmbH' });
    const before = await snapshot(lead.id);
    const res = await convert(lead.id, {
      create_contact: { first_name: 'Tom', emails: [{ email: 'not-an-email' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'create_contact.emails.0.email', message: 'must be a valid email' },
    ]);
    expect(await snapshot(lead.id)).toEqual(before);
  });

  it('a failure in the middle (the opportunity) leaves no company, contact or status change behind', async () => {
    // The lead already has an opportunity, so the database refuses a second one: that happens after the
    // company and the contact were inserted in the same transaction.
    const lead = await createLead(t.app, s, {
      first_name: 'Mid',
      last_name: 'Way',
      email: 'mid@midway.example',
      company_name: 'Midway Ltd',
    });
    const first = await req('POST', '/api/v1/opportunities', { name: 'Hand-made', lead_id: lead.id });
    expect(first.statusCode).toBe(201);
    const before = await snapshot(lead.id);
    const res = await convert(lead.id, {
      create_company: { name: 'Midway Holdings', industry: 'Shipping' },
      create_contact: { first_name: 'Mid', emails: [{ email: 'mid@midway.example' }] },
      create_opportunity: { name: 'Fleet', amount: '1000.00' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([{ field: 'lead_id', message: 'already has an opportunity' }]);
    const after = await snapshot(lead.id);
    expect(after).toEqual(before);
    expect(after.lead).toMatchObject({ status: 'new', converted: null, company_id: null, contacts: [] });
    expect(after.history).toEqual(['new']);
    expect((await req('GET', '/api/v1/companies?q=midway')).json().data).toEqual([]);
    expect((await req('GET', '/api/v1/contacts?email=mid@midway.example')).json().data).toEqual([]);

    // Once the hand-made opportunity is gone, the same conversion goes through.
    expect((await req('DELETE', `/api/v1/opportunities/${first.json().id}`)).statusCode).toBe(204);
    const ok = await convert(lead.id, {
      create_company: { name: 'Midway Holdings' },
      create_opportunity: { name: 'Fleet' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().company.name).toBe('Midway Holdings');
  });

  it('links an existing company and contact instead of creating them', async () => {
    const company = (
      await req('POST', '/api/v1/companies', { name: 'Acme', website: 'acme.example' })
    ).json();
    const contact = (
      await req('POST', '/api/v1/contacts', {
        first_name: 'Wile',
        emails: [{ email: 'wile@acme.example' }],
        company_id: company.id,
      })
    ).json();
    const lead = await createLead(t.app, s, { first_name: 'Wile E.', email: 'other@elsewhere.example' });
    const res = await convert(lead.id, { company_id: company.id, contact_id: contact.id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      created: { company: false, contact: false, opportunity: false },
      company: { id: company.id },
      contact: { id: contact.id },
      opportunity: null,
    });
    expect(res.json().lead.converted).toMatchObject({
      company_id: company.id,
      contact_id: contact.id,
      opportunity_id: null,
    });
  });

  it('with an empty body, matches an existing company by email domain and contact by email', async () => {
    const company = (
      await req('POST', '/api/v1/companies', {
        name: 'Globex Corporation',
        website: 'https://globex.example',
      })
    ).json();
    const contact = (
      await req('POST', '/api/v1/contacts', {
        last_name: 'Scorpio',
        emails: [{ email: 'hank@globex.example' }],
      })
    ).json();
    const lead = await createLead(t.app, s, {
      first_name: 'Hank',
      email: 'HANK@globex.example',
      company_name: 'Globex',
    });
    const res = await convert(lead.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      created: { company: false, contact: false },
      company: { id: company.id },
      contact: { id: contact.id },
    });
  });

  it('create_company takes its name from the lead, or needs one (422, nothing written)', async () => {
    const nameless = await createLead(t.app, s, {
      first_name: 'Solo',
      email: 'solo@solo.example',
      tags: ['t1'],
    });
    const before = await snapshot(nameless.id);
    const res = await convert(nameless.id, { create_company: { industry: 'Retail' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'create_company.name', message: 'is required: the lead has no company_name to take it from' },
    ]);
    expect(await snapshot(nameless.id)).toEqual(before);
    const ok = await convert(nameless.id, {
      create_company: { name: 'Solo Trading', tags: ['own'] },
      create_contact: { job_title: 'Owner' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().company).toMatchObject({ name: 'Solo Trading', tags: ['own'], domain: 'solo.example' });
    expect(ok.json().contact).toMatchObject({
      first_name: 'Solo',
      job_title: 'Owner',
      tags: ['t1'],
      company_id: ok.json().company.id,
    });
  });

  it('send company_id or create_company, not both', async () => {
    const company = (await req('POST', '/api/v1/companies', { name: 'Both Co' })).json();
    const lead = await createLead(t.app, s);
    const res = await convert(lead.id, { company_id: company.id, create_company: { name: 'X' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'create_company', message: 'send company_id or create_company, not both' },
    ]);
  });
});

describe('who may convert', () => {
  it('a viewer may read companies but not convert (403); an agent converts only leads they can see', async () => {
    const admin = await signup(t.app);
    const viewer = await addMember(t.app, admin, 'viewer');
    const agent = await addMember(t.app, admin, 'agent');
    const lead = await createLead(t.app, admin, { company_name: 'Roles Inc', email: 'x@roles.example' });
    expect((await req('GET', '/api/v1/companies', undefined, viewer)).statusCode).toBe(200);
    expect((await req('POST', '/api/v1/companies', { name: 'Nope' }, viewer)).statusCode).toBe(403);
    expect((await convert(lead.id, {}, viewer)).statusCode).toBe(403);
    // Not the agent's lead (no owner, no team): it does not exist for them.
    expect((await convert(lead.id, {}, agent)).statusCode).toBe(404);
    const own = await createLead(t.app, agent, {
      company_name: 'Agent Deals',
      email: 'y@agentdeals.example',
    });
    const res = await convert(own.id, {}, agent);
    expect(res.statusCode).toBe(200);
    expect(res.json().company).toMatchObject({ name: 'Agent Deals', owner_id: agent.userId });
    expect((await req('GET', `/api/v1/leads/${lead.id}`, undefined, admin)).json().converted).toBeNull();
  });
});

describe('when the converted status requires a reason (a failure after company and contact were written)', () => {
  it('POST /convert without reason_id is a 422 and leaves nothing; with one, it converts and logs it', async () => {
    const sess = await signup(t.app);
    expect(
      (await req('PATCH', '/api/v1/statuses/converted', { reason_required: true }, sess)).statusCode,
    ).toBe(200);
    const lead = await createLead(t.app, sess, {
      first_name: 'Rea',
      email: 'rea@reasons.example',
      company_name: 'Reasons Ltd',
    });
    const res = await convert(lead.id, { create_opportunity: { name: 'Deal' } }, sess);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['reason_id']);
    const list = async (what: string) => (await req('GET', `/api/v1/${what}`, undefined, sess)).json().data;
    expect(await list('companies')).toEqual([]);
    expect(await list('contacts')).toEqual([]);
    expect(await list('opportunities')).toEqual([]);
    expect((await req('GET', `/api/v1/leads/${lead.id}`, undefined, sess)).json()).toMatchObject({
      status: 'new',
      converted: null,
    });

    const reason = await req('POST', '/api/v1/reasons', { text: 'Signed the contract' }, sess);
    expect(reason.statusCode).toBe(201);
    const ok = await convert(lead.id, { reason_id: reason.json().id }, sess);
    expect(ok.statusCode).toBe(200);
    const history = (await req('GET', `/api/v1/leads/${lead.id}/status-history`, undefined, sess)).json()
      .data;
    expect(history.at(-1)).toMatchObject({
      to: 'converted',
      reason: { id: reason.json().id, text: 'Signed the contract' },
    });
  });

  it('auto_convert that fails rolls back the lead too: no lead, company or contact', async () => {
    const sess = await signup(t.app);
    expect(
      (await req('PATCH', '/api/v1/statuses/converted', { reason_required: true }, sess)).statusCode,
    ).toBe(200);
    const res = await req(
      'POST',
      '/api/v1/leads',
      {
        first_name: 'Roll',
        email: 'roll@back.example',
        company_name: 'Rollback Co',
        link: 'create',
        auto_convert: true,
      },
      sess,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['reason_id']);
    for (const what of ['leads?include_converted=true', 'companies', 'contacts']) {
      expect((await req('GET', `/api/v1/${what}`, undefined, sess)).json().data).toEqual([]);
    }
  });
});

describe('converted leads in the list, and auto_convert', () => {
  it('hides converted leads from the default list; include_converted=true or a status filter shows them', async () => {
    const sess = await signup(t.app);
    const open = await createLead(t.app, sess, { company_name: 'Open Co' });
    const done = await createLead(t.app, sess, { company_name: 'Done Co' });
    expect((await convert(done.id, {}, sess)).statusCode).toBe(200);
    const ids = async (qs: string) =>
      (await req('GET', `/api/v1/leads${qs}`, undefined, sess)).json().data.map((l: { id: number }) => l.id);
    expect(await ids('')).toEqual([open.id]);
    expect(await ids('?include_converted=true')).toEqual([done.id, open.id]);
    expect(await ids('?status=converted')).toEqual([done.id]);
    expect((await req('GET', '/api/v1/leads?include_total=true', undefined, sess)).json().total).toBe(1);
  });

  it('auto_convert: true converts at once, in the same transaction as the create', async () => {
    const sess = await signup(t.app);
    const res = await req(
      'POST',
      '/api/v1/leads',
      {
        first_name: 'Auto',
        last_name: 'Matic',
        email: 'auto@autocorp.example',
        company_name: 'AutoCorp',
        auto_convert: true,
      },
      sess,
    );
    expect(res.statusCode).toBe(201);
    const lead = res.json();
    expect(lead).toMatchObject({
      status: 'converted',
      company: { name: 'AutoCorp', domain: 'autocorp.example' },
      contacts: [{ first_name: 'Auto', email: 'auto@autocorp.example' }],
    });
    expect(lead.converted).toMatchObject({
      company_id: lead.company_id,
      contact_id: lead.contacts[0].id,
      opportunity_id: null,
    });
    expect((await req('GET', '/api/v1/leads', undefined, sess)).json().data).toEqual([]);
  });
});
