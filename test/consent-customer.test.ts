import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
const inject = (method: string, url: string, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: s.headers, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

describe('consent with dates, and the customer flag', () => {
  it('keeps the dates a client writes on the lead; "all" covers every channel', async () => {
    const lead = await createLead(t.app, s, {
      consent: { do_not_email_at: '2025-03-01T10:00:00Z', do_not_sms: true },
    });
    expect(lead.consent).toMatchObject({
      do_not_email: true,
      do_not_email_at: '2025-03-01T10:00:00.000Z',
      do_not_sms: true,
      do_not_call: false,
      do_not_call_at: null,
      do_not_contact: false,
    });
    expect(lead.consent.do_not_sms_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const all = await inject('PATCH', `/api/v1/leads/${lead.id}/consent`, {
      do_not_contact_at: '2025-04-01T00:00:00.000Z',
      do_not_email: false,
    });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({
      do_not_contact: true,
      do_not_contact_at: '2025-04-01T00:00:00.000Z',
      do_not_call: true,
      do_not_call_at: null,
      do_not_email_at: null,
    });
    const again = (await inject('GET', `/api/v1/leads/${lead.id}`)).json();
    expect(again.consent).toEqual(all.json());
    expect(again.version).toBe(lead.version + 1);
    expect((await inject('DELETE', `/api/v1/leads/${lead.id}/consent`)).statusCode).toBe(204);
    const cleared = (await inject('GET', `/api/v1/leads/${lead.id}/consent`)).json();
    expect(Object.entries(cleared).filter(([, v]) => v !== false && v !== null)).toEqual([]);
    const bad = await inject('PATCH', `/api/v1/leads/${lead.id}/consent`, { do_not_call_at: 'yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('do_not_call_at');
  });

  it('keeps consent dates and "all" on the contact, and the customer flag on contacts and companies', async () => {
    const company = await inject('POST', '/api/v1/companies', { name: 'Acme', customer_status: 'customer' });
    expect(company.json().customer_status).toBe('customer');
    const prospect = await inject('POST', '/api/v1/companies', { name: 'Globex' });
    expect(prospect.json().customer_status).toBe('prospect');
    const contact = await inject('POST', '/api/v1/contacts', {
      first_name: 'Ann',
      do_not_call_at: '2024-12-24T08:00:00Z',
      do_not_contact: true,
      customer_status: 'customer',
    });
    expect(contact.statusCode).toBe(201);
    expect(contact.json()).toMatchObject({
      do_not_call: true,
      do_not_call_at: '2024-12-24T08:00:00.000Z',
      do_not_contact: true,
      customer_status: 'customer',
    });
    const patched = await inject('PATCH', `/api/v1/contacts/${contact.json().id}`, {
      do_not_call_at: null,
      customer_status: 'prospect',
    });
    expect(patched.json()).toMatchObject({
      do_not_call: false,
      do_not_call_at: null,
      customer_status: 'prospect',
    });
    const c2 = await inject('PATCH', `/api/v1/companies/${prospect.json().id}`, {
      customer_status: 'customer',
    });
    expect(c2.json().customer_status).toBe('customer');
    const bad = await inject('PATCH', `/api/v1/companies/${prospect.json().id}`, { customer_status: 'vip' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('customer_status');
  });

  it("shows the customer flag of the lead's company and contacts with the link (seed 001 is_engaged)", async () => {
    const company = (
      await inject('POST', '/api/v1/companies', { name: 'Initech', customer_status: 'customer' })
    ).json();
    const contact = (await inject('POST', '/api/v1/contacts', { first_name: 'Bob' })).json();
    const lead = await createLead(t.app, s, { company_id: company.id, contact_ids: [contact.id] });
    expect(lead.company).toMatchObject({ id: company.id, customer_status: 'customer' });
    expect(lead.contacts).toEqual([expect.objectContaining({ id: contact.id, customer_status: 'prospect' })]);
    await inject('PATCH', `/api/v1/contacts/${contact.id}`, { customer_status: 'customer' });
    const again = (await inject('GET', `/api/v1/leads/${lead.id}`)).json();
    expect(again.contacts[0].customer_status).toBe('customer');
  });
});
