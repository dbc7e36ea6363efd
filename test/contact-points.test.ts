import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;

const inject = (method: string, url: string, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: s.headers, ...(payload ? { payload } : {}) });
async function rows(): Promise<number> {
  const r = await t.db.kysely
    .selectFrom('lead_contact_points')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

describe('contact points of a lead', () => {
  it('keeps every email and phone as a row; the primary ones are the lead email, phone and mobile', async () => {
    const lead = await createLead(t.app, s, {
      email: undefined,
      address: { country: 'FR' },
      emails: [
        { address: 'home@example.com', type: 'home' },
        { address: 'Work@Example.com', type: 'work', primary: true, valid: false },
      ],
      phones: [
        { number: '01 23 45 67 89', type: 'work', extension: '204' },
        { number: '06 12 34 56 78', type: 'mobile', primary: true },
      ],
    });
    expect(lead.email).toBe('work@example.com');
    expect(lead.phone).toBe('01 23 45 67 89');
    expect(lead.mobile).toBe('06 12 34 56 78');
    expect(
      lead.emails.map((e: { address: string; primary: boolean; valid: boolean }) => [
        e.address,
        e.primary,
        e.valid,
      ]),
    ).toEqual([
      ['home@example.com', false, true],
      ['work@example.com', true, false],
    ]);
    expect(lead.phones[0]).toMatchObject({
      number: '01 23 45 67 89',
      extension: '204',
      type: 'work',
      primary: true,
    });
    expect(lead.phones.every((p: { id: number | null }) => typeof p.id === 'number')).toBe(true);

    const list = (await inject('GET', `/api/v1/leads/${lead.id}/phones`)).json().data;
    expect(list).toEqual(lead.phones);
    const one = await inject('GET', `/api/v1/leads/${lead.id}/emails/${lead.emails[0].id}`);
    expect(one.json()).toEqual(lead.emails[0]);
  });

  it('adding a primary email makes it the lead email; deleting it hands the role to the next one', async () => {
    const lead = await createLead(t.app, s, { email: 'first@example.com' });
    expect(lead.emails).toMatchObject([{ address: 'first@example.com', primary: true }]);
    const add = await inject('POST', `/api/v1/leads/${lead.id}/emails`, {
      address: 'second@example.com',
      primary: true,
    });
    expect(add.statusCode).toBe(201);
    let now = (await inject('GET', `/api/v1/leads/${lead.id}`)).json();
    expect(now.email).toBe('second@example.com');
    expect(now.version).toBe(lead.version + 1);
    const patched = await inject('PATCH', `/api/v1/leads/${lead.id}/emails/${add.json().id}`, {
      type: 'work',
      valid: false,
    });
    expect(patched.json()).toMatchObject({ type: 'work', valid: false, primary: true });
    expect((await inject('DELETE', `/api/v1/leads/${lead.id}/emails/${add.json().id}`)).statusCode).toBe(204);
    now = (await inject('GET', `/api/v1/leads/${lead.id}`)).json();
    expect(now.email).toBe('first@example.com');
    expect(now.emails).toMatchObject([{ address: 'first@example.com', primary: true }]);
    // PATCH of the lead's own column moves the primary row with it.
    const moved = (
      await inject('PATCH', `/api/v1/leads/${lead.id}`, {
        email: 'third@example.com',
        mobile: '+33 6 11 22 33 44',
      })
    ).json();
    expect(moved.emails).toMatchObject([{ address: 'third@example.com', primary: true }]);
    expect(moved.phones).toMatchObject([{ number: '+33 6 11 22 33 44', type: 'mobile', primary: true }]);
    expect(moved.phones[0].id).not.toBeNull();
  });

  it('refuses a phone that is not a phone, an unknown type and two primaries: 422 naming the field, nothing written', async () => {
    const lead = await createLead(t.app, s, { phone: '+1 415 555 0100' });
    const before = await rows();
    const res = await inject('POST', '/api/v1/leads', {
      first_name: 'Bad',
      phones: [
        { number: 'call me maybe', type: 'work' },
        { number: '+1 415 555 0101', type: 'satellite' },
        { number: '+1 415 555 0102', primary: true },
        { number: '+1 415 555 0103', primary: true },
      ],
      emails: [
        { address: 'a@example.com', primary: true },
        { address: 'b@example.com', primary: true },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['emails.1.primary', 'phones.0.number', 'phones.1.type', 'phones.3.primary']);
    const one = await inject('POST', `/api/v1/leads/${lead.id}/phones`, { number: '12' });
    expect(one.statusCode).toBe(422);
    expect(one.json().errors[0].field).toBe('number');
    const clash = await inject('PATCH', `/api/v1/leads/${lead.id}`, {
      email: 'x@example.com',
      emails: [{ address: 'y@example.com' }],
    });
    expect(clash.statusCode).toBe(422);
    expect(clash.json().errors[0].field).toBe('email');
    expect(await rows()).toBe(before);
    expect((await inject('GET', `/api/v1/leads/${lead.id}`)).json().phone).toBe('+1 415 555 0100');
  });
});
