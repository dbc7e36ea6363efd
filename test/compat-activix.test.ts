import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;

export const ax = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  who: Session = s,
) =>
  app.inject({
    method,
    url: `/compat/activix${url}`,
    headers: who.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

/** The public documentation's create example: an advisor, emails, phones and two vehicles. */
const CREATE_EXAMPLE = (advisor: { first_name: string; last_name: string }) => ({
  first_name: 'John',
  last_name: 'Doe',
  type: 'email',
  division: 'new',
  source: 'Website',
  advisor,
  emails: [{ type: 'home', address: 'john.doe@example.com' }],
  phones: [{ type: 'mobile', number: '+15144321214' }],
  vehicles: [
    { type: 'wanted', make: 'Aston Martin', model: 'DB11', year: 2018 },
    { type: 'exchange', make: 'Aston Martin', model: 'DB9', year: 2012, vin: '1HGCM82633A004352' },
  ],
});

const DATES = {
  appointment_date: '2024-03-01T14:30:00+00:00',
  available_date: '2024-03-02T09:00:00-05:00',
  be_back_date: '2024-03-03T10:15:00Z',
  call_date: '2024-03-04T11:00:00+02:00',
  csi_date: '2024-03-05T12:00:00Z',
  delivered_date: '2024-03-06T13:00:00Z',
  delivery_date: '2024-03-07T14:00:00Z',
  paperwork_date: '2024-03-08T15:00:00Z',
  presented_date: '2024-03-09T16:00:00Z',
  promised_date: '2024-03-10T17:00:00Z',
  refinanced_date: '2024-03-11T18:00:00Z',
  road_test_date: '2024-03-12T19:00:00Z',
  sale_date: '2024-03-13T20:00:00Z',
  take_over_date: '2024-03-14T21:00:00Z',
  unsubscribe_all_date: '2024-03-15T08:00:00Z',
  unsubscribe_call_date: '2024-03-16T08:01:02Z',
  unsubscribe_email_date: '2024-03-17T08:02:03Z',
  unsubscribe_sms_date: '2024-03-18T08:03:04Z',
};
const utc = (v: string) => `${new Date(v).toISOString().slice(0, 19)}+00:00`;

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app, { name: 'Jane Advisor' });
});
afterAll(async () => t.close());

describe('POST /v2/leads (seed 000)', () => {
  it('round-trips the documented create example (advisor, emails, phones, two vehicles)', async () => {
    const res = await ax('POST', '/v2/leads', CREATE_EXAMPLE({ first_name: 'Jane', last_name: 'Advisor' }));
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().data;
    const got = await ax(
      'GET',
      `/v2/leads/${created.id}?include[]=advisor&include[]=emails&include[]=phones&include[]=vehicles`,
    );
    expect(got.statusCode).toBe(200);
    const d = got.json().data;
    expect(d).toMatchObject({
      id: created.id,
      account_id: s.orgId,
      first_name: 'John',
      last_name: 'Doe',
      type: 'email',
      division: 'new',
      source: 'Website',
      created_method: 'api',
      status: null,
      result: null,
    });
    expect(d.advisor).toMatchObject({
      id: s.userId,
      first_name: 'Jane',
      last_name: 'Advisor',
      email: s.email,
    });
    expect(d.emails).toEqual([
      expect.objectContaining({ lead_id: created.id, address: 'john.doe@example.com', type: 'home' }),
    ]);
    expect(d.phones).toEqual([
      expect.objectContaining({ lead_id: created.id, number: '+15144321214', type: 'mobile' }),
    ]);
    expect(
      d.vehicles.map((v: { type: string; make: string; model: string; year: number }) => [
        v.type,
        v.model,
        v.year,
      ]),
    ).toEqual([
      ['wanted', 'DB11', 2018],
      ['exchange', 'DB9', 2012],
    ]);
    expect(d.vehicles[1].vin).toBe('1HGCM82633A004352');
    // Blank attributes are present as null, never omitted.
    for (const k of [
      'customer_id',
      'source_id',
      'appointment_date',
      'birth_date',
      'civility',
      'gender',
      'segment',
      'repair_order',
    ])
      expect(d).toHaveProperty(k, null);
    expect(d.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    // Without include[], no nested objects.
    const bare = (await ax('GET', `/v2/leads/${created.id}`)).json().data;
    expect(bare).not.toHaveProperty('emails');
    expect(bare).not.toHaveProperty('advisor');
  });

  it('keeps every date exactly (the instant, to the second), and the birth date as a date', async () => {
    const res = await ax('POST', '/v2/leads', {
      type: 'walk_in',
      first_name: 'Dates',
      birth_date: '1980-07-14',
      created_at: '2023-12-31T23:59:59-05:00',
      ...DATES,
    });
    expect(res.statusCode, res.body).toBe(201);
    const d = (await ax('GET', `/v2/leads/${res.json().data.id}`)).json().data;
    for (const [k, v] of Object.entries(DATES)) expect(d[k], k).toBe(utc(v));
    expect(d.birth_date).toBe('1980-07-14');
    expect(d.created_at).toBe('2024-01-01T04:59:59+00:00');
  });

  it('round-trips a service lead with every service attribute', async () => {
    const service = {
      end_service_date: '2024-05-01T10:00:00Z',
      last_visit_date: '2024-04-01T10:00:00Z',
      next_visit_date: '2024-06-01T10:00:00Z',
      open_work_order_date: '2024-05-02T10:00:00Z',
      planned_pick_up_date: '2024-05-03T16:30:00Z',
      repair_date: '2024-05-03T12:00:00Z',
      average_spending: 450,
      business: true,
      code: 'OIL-01',
      invoiced: false,
      loyalty: true,
      odometer_last_visit: 48210,
      prepaid: true,
      reached_client: false,
      repair_order: 'RO-5521',
      service_cleaned: true,
      service_interval_km: 8000,
      service_monthly_km: 1500,
      storage: 'Lot B, row 3',
      work_order: 'WO-0042',
    };
    const res = await ax('POST', '/v2/leads', {
      type: 'phone',
      division: 'service',
      segment: 'service',
      first_name: 'Sam',
      last_name: 'Service',
      civility: 'mr',
      gender: 1,
      rating: 4,
      result: 'reached',
      locale: 'fr',
      country: 'CA',
      province: 'QC',
      city: 'Montréal',
      postal_code: 'H2X 1Y4',
      address_line1: '1 rue Principale',
      address_line2: 'App. 2',
      second_contact: 'Garage Dupont',
      second_contact_civility: 'me',
      customer_id: 77,
      source_id: 12,
      service_advisor: { email: s.email },
      service_agent: { id: s.userId },
      ...service,
    });
    expect(res.statusCode, res.body).toBe(201);
    const d = (
      await ax('GET', `/v2/leads/${res.json().data.id}?include[]=service_advisor&include[]=service_agent`)
    ).json().data;
    for (const [k, v] of Object.entries(service))
      expect(d[k], k).toEqual(typeof v === 'string' && k.endsWith('_date') ? utc(v) : v);
    expect(d).toMatchObject({
      division: 'service',
      civility: 'mr',
      gender: 1,
      rating: 4,
      result: 'reached',
      locale: 'fr',
      country: 'CA',
      province: 'QC',
      city: 'Montréal',
      postal_code: 'H2X 1Y4',
      address_line1: '1 rue Principale',
      address_line2: 'App. 2',
      second_contact: 'Garage Dupont',
      second_contact_civility: 'me',
      customer_id: 77,
      source_id: 12,
    });
    expect(d.service_advisor.id).toBe(s.userId);
    expect(d.service_agent.id).toBe(s.userId);
  });
});

describe('PUT /v2/leads/{id}', () => {
  it('is partial, appends emails, phones and vehicles, and maps status (null = back to an active lead)', async () => {
    const c = (
      await ax('POST', '/v2/leads', CREATE_EXAMPLE({ first_name: 'Jane', last_name: 'Advisor' }))
    ).json().data;
    const res = await ax('PUT', `/v2/leads/${c.id}`, {
      rating: 5,
      status: 'lost',
      emails: [{ type: 'work', address: 'john@work.example.com' }],
      phones: [{ type: 'work', number: '+15145550000' }],
      vehicles: [{ type: 'wanted', make: 'Porsche', model: '911', year: 2024 }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json().data;
    expect(d).toMatchObject({ rating: 5, status: 'lost', first_name: 'John', type: 'email' });
    expect(d.emails.map((e: { address: string }) => e.address).sort()).toEqual([
      'john.doe@example.com',
      'john@work.example.com',
    ]);
    expect(d.phones).toHaveLength(2);
    expect(d.vehicles).toHaveLength(3);
    expect(d.advisor.id).toBe(s.userId);
    const back = await ax('PUT', `/v2/leads/${c.id}`, { status: null });
    expect(back.json().data.status).toBeNull();
    const v1 = await app.inject({ method: 'GET', url: `/api/v1/leads/${c.id}`, headers: s.headers });
    expect(v1.json().status_category).toBe('open');
    const dupPhone = await ax('PUT', `/v2/leads/${c.id}`, {
      phones: [{ type: 'fax', number: '+15145550000' }],
    });
    expect(dupPhone.statusCode).toBe(403);
    expect(dupPhone.json()).toEqual({ message: 'Duplicate phone.' });
  });

  it('answers 404 in Laravel form for another lead id', async () => {
    const res = await ax('GET', '/v2/leads/999999');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toHaveProperty('message');
  });
});
