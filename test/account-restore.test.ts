import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { changedTables, countAllTables } from './table-counts.js';

/**
 * Undo for account deletes (the web app's "Deleted. Undo" toast): DELETE hides a company, contact or
 * opportunity from lists and from the leads it is linked to; POST /{kind}/{id}/restore brings it back with
 * those links. A restore that cannot happen is a problem+json error and writes nothing.
 */
let t: TestApp;
let s: Session;
let other: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  other = await signup(t.app);
});
afterAll(async () => t?.close());

const req = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, sess = s) =>
  t.app.inject({
    method,
    url,
    headers: sess.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const ids = (res: { json(): { data: Array<{ id: number }> } }) => res.json().data.map((r) => r.id);

/** A refused request: the status, a problem+json body, and no row added or removed anywhere. */
async function refused(method: 'POST', url: string, status: number, sess = s) {
  const before = await countAllTables(t.db);
  const res = await req(method, url, undefined, sess);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  return res.json();
}

describe('restore a deleted company, contact or opportunity', () => {
  let companyId: number;
  let contactId: number;
  let oppId: number;
  let leadId: number;

  beforeAll(async () => {
    const c = await req('POST', '/api/v1/companies', { name: 'Undo Ltd', website: 'https://undo.test' });
    expect(c.statusCode, c.body).toBe(201);
    companyId = c.json().id;
    const p = await req('POST', '/api/v1/contacts', {
      first_name: 'Una',
      last_name: 'Doe',
      emails: [{ email: 'una@undo.test' }],
      company_id: companyId,
    });
    expect(p.statusCode, p.body).toBe(201);
    contactId = p.json().id;
    leadId = (await createLead(t.app, s, { company_id: companyId, contact_ids: [contactId] })).id;
    const o = await req('POST', '/api/v1/opportunities', {
      name: 'Undo deal',
      amount: 500,
      company_id: companyId,
      contact_id: contactId,
      lead_id: leadId,
    });
    expect(o.statusCode, o.body).toBe(201);
    oppId = o.json().id;
  });

  it('a deleted company leaves lists and its lead; restore brings both back', async () => {
    expect((await req('GET', `/api/v1/leads/${leadId}`)).json().company?.id).toBe(companyId);
    expect((await req('DELETE', `/api/v1/companies/${companyId}`)).statusCode).toBe(204);
    expect((await req('GET', `/api/v1/companies/${companyId}`)).statusCode).toBe(404);
    expect(ids(await req('GET', '/api/v1/companies'))).not.toContain(companyId);
    expect((await req('GET', `/api/v1/leads/${leadId}`)).json().company).toBeNull();

    const r = await req('POST', `/api/v1/companies/${companyId}/restore`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      id: companyId,
      name: 'Undo Ltd',
      domain: 'undo.test',
    });
    expect(r.headers.etag).toBeTruthy();
    expect((await req('GET', `/api/v1/companies/${companyId}`)).statusCode).toBe(200);
    expect(ids(await req('GET', '/api/v1/companies'))).toContain(companyId);
    expect(ids(await req('GET', '/api/v1/companies?q=undo'))).toEqual([companyId]);
    expect((await req('GET', `/api/v1/leads/${leadId}`)).json().company).toMatchObject({
      id: companyId,
      name: 'Undo Ltd',
    });
    // Its contact and opportunity still point at it.
    expect((await req('GET', `/api/v1/contacts/${contactId}`)).json().company_id).toBe(companyId);
    expect(ids(await req('GET', `/api/v1/opportunities?company_id=${companyId}`))).toEqual([oppId]);
  });

  it('a deleted contact leaves lists and its lead; restore brings both back', async () => {
    const contactsOf = async () =>
      (await req('GET', `/api/v1/leads/${leadId}`)).json().contacts.map((c: { id: number }) => c.id);
    expect(await contactsOf()).toEqual([contactId]);
    expect((await req('DELETE', `/api/v1/contacts/${contactId}`)).statusCode).toBe(204);
    expect(ids(await req('GET', '/api/v1/contacts'))).not.toContain(contactId);
    expect(await contactsOf()).toEqual([]);

    const r = await req('POST', `/api/v1/contacts/${contactId}/restore`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: contactId, first_name: 'Una', company_id: companyId });
    expect(ids(await req('GET', '/api/v1/contacts?email=una@undo.test'))).toEqual([contactId]);
    expect(await contactsOf()).toEqual([contactId]);
  });

  it('a deleted opportunity leaves the list; restore brings it back as it was', async () => {
    expect((await req('DELETE', `/api/v1/opportunities/${oppId}`)).statusCode).toBe(204);
    expect(ids(await req('GET', '/api/v1/opportunities'))).not.toContain(oppId);
    const r = await req('POST', `/api/v1/opportunities/${oppId}/restore`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: oppId, name: 'Undo deal', amount: '500.00', lead_id: leadId });
    expect(ids(await req('GET', '/api/v1/opportunities'))).toContain(oppId);
    expect((await req('GET', `/api/v1/opportunities/${oppId}`)).statusCode).toBe(200);
  });

  it('refuses to restore what is not deleted (409) or unknown (404), writing nothing', async () => {
    for (const [plural, id] of [
      ['companies', companyId],
      ['contacts', contactId],
      ['opportunities', oppId],
    ] as const) {
      const live = await refused('POST', `/api/v1/${plural}/${id}/restore`, 409);
      expect(live.detail ?? live.title).toMatch(/not deleted/);
      await refused('POST', `/api/v1/${plural}/999999/restore`, 404);
    }
  });

  it("another organization's deleted company is a 404, and stays deleted", async () => {
    const c = await req('POST', '/api/v1/companies', { name: 'Theirs' }, other);
    expect((await req('DELETE', `/api/v1/companies/${c.json().id}`, undefined, other)).statusCode).toBe(204);
    await refused('POST', `/api/v1/companies/${c.json().id}/restore`, 404);
    expect((await req('GET', `/api/v1/companies/${c.json().id}`, undefined, other)).statusCode).toBe(404);
  });

  it('an opportunity whose lead became another opportunity meanwhile is a 409 naming lead_id', async () => {
    const lead = await createLead(t.app, s);
    const first = await req('POST', '/api/v1/opportunities', { name: 'First', lead_id: lead.id });
    expect(first.statusCode, first.body).toBe(201);
    expect((await req('DELETE', `/api/v1/opportunities/${first.json().id}`)).statusCode).toBe(204);
    const second = await req('POST', '/api/v1/opportunities', { name: 'Second', lead_id: lead.id });
    expect(second.statusCode, second.body).toBe(201);
    const body = await refused('POST', `/api/v1/opportunities/${first.json().id}/restore`, 409);
    expect(JSON.stringify(body)).toContain('lead_id');
    expect((await req('GET', `/api/v1/opportunities/${first.json().id}`)).statusCode).toBe(404);
  });
});
