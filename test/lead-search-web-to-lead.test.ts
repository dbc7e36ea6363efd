import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
const inject = (method: string, url: string, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: s.headers, ...(payload ? { payload } : {}) });
const found = async (q: string) =>
  (await inject('GET', `/api/v1/leads?q=${encodeURIComponent(q)}`))
    .json()
    .data.map((l: { id: number }) => l.id);

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  const def = await inject('POST', '/api/v1/custom-fields', {
    key: 'second_contact',
    label: 'Second contact',
    type: 'string',
  });
  expect(def.statusCode).toBe(201);
});
afterAll(async () => t.close());

describe('lead search and web-to-lead contacts', () => {
  it('finds a lead by its second contact, postal code, city and any of its emails and phones', async () => {
    const lead = await createLead(t.app, s, {
      first_name: 'Searchable',
      email: undefined,
      address: { city: 'Trois-Rivières', postal_code: 'G9A 5H7', country: 'CA' },
      custom_fields: { second_contact: 'Bernadette Quimby' },
      emails: [{ address: 'main@searchable.example' }, { address: 'spare@otherdomain.example' }],
      phones: [
        { number: '+1 819 555 0142', type: 'work' },
        { number: '+1 819 555 0199', type: 'home' },
      ],
    });
    const noise = await createLead(t.app, s, { first_name: 'Noise' });
    for (const q of ['Quimby', 'G9A', 'Trois Rivi', 'otherdomain', '8195550199', '555 0199']) {
      const ids = await found(q);
      expect(ids, q).toContain(lead.id);
      expect(ids, q).not.toContain(noise.id);
    }
    // A phone added later through its own route is searchable too; a removed one is not.
    const added = await inject('POST', `/api/v1/leads/${lead.id}/phones`, { number: '+1 819 555 0777' });
    expect(await found('8195550777')).toContain(lead.id);
    await inject('DELETE', `/api/v1/leads/${lead.id}/phones/${added.json().id}`);
    expect(await found('8195550777')).not.toContain(lead.id);
    await inject('PATCH', `/api/v1/leads/${lead.id}`, { custom_fields: { second_contact: 'Horatio Zweig' } });
    expect(await found('Zweig')).toContain(lead.id);
    expect(await found('Quimby')).not.toContain(lead.id);
  });

  it('a web-to-lead post creates the contact of the lead, or links the one with that email', async () => {
    const key = (await inject('POST', '/api/v1/web-to-lead-keys', { name: 'Form' })).json().key;
    const post = (payload: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: `/api/v1/web-to-lead?key=${key}`, payload });
    expect(
      (
        await post({
          first_name: 'Wanda',
          last_name: 'Formfill',
          email: 'wanda@example.org',
          company: 'Acme',
        })
      ).statusCode,
    ).toBe(201);
    const [lead] = (await inject('GET', '/api/v1/leads?q=Formfill')).json().data;
    expect(lead.contacts).toHaveLength(1);
    const contact = (await inject('GET', `/api/v1/contacts/${lead.contacts[0].id}`)).json();
    expect(contact).toMatchObject({ first_name: 'Wanda', last_name: 'Formfill' });
    expect(contact.emails[0].email).toBe('wanda@example.org');
    // Only the person is created from a form, not a company.
    expect((await inject('GET', '/api/v1/companies')).json().data).toEqual([]);

    expect(
      (await post({ first_name: 'Wanda', email: 'WANDA@example.org', message: 'again' })).statusCode,
    ).toBe(201);
    const both = (await inject('GET', '/api/v1/leads?q=wanda')).json().data;
    expect(both).toHaveLength(2);
    expect(both.map((l: { contacts: Array<{ id: number }> }) => l.contacts[0]?.id)).toEqual([
      contact.id,
      contact.id,
    ]);
    const contacts = (await inject('GET', '/api/v1/contacts?email=wanda@example.org')).json().data;
    expect(contacts).toHaveLength(1);
  });
});
