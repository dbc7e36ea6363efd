import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;

const inject = (method: string, url: string, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: s.headers, ...(payload ? { payload } : {}) });
async function rows(table: 'lead_items' | 'leads'): Promise<number> {
  const r = await t.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Every vehicle field of seed 000, with a value of its type. */
const VEHICLE = {
  intent: 'exchange',
  make: 'Toyota',
  model: 'Corolla',
  trim: 'LE',
  year: 2019,
  vin: '2t1bURHE0KC123456',
  stock: 'ST-88',
  license_plate: 'ABC 123',
  engine: '1.8L I4',
  driving_wheels: 'FWD',
  color_exterior: 'Blue',
  color_interior: 'Black',
  odometer: 65000,
  allowed_odometer: 80000,
  end_contract_date: '2027-06-30',
  end_warranty_date: '2026-12-31',
  purchase_date: '2019-05-02',
  recorded_date: '2026-11-30',
  sold_date: null,
  accessories: '450.00',
  actual_value: '14500.00',
  balance: '3200.50',
  cash_down: '2000',
  payment: '389.99',
  preparation: '150.00',
  price: '17999.00',
  profit: '1200.00',
  rate: '4.99',
  residual: '8000.00',
  security_deposit: '500.00',
  value: '15000.00',
  certified: true,
  client_number: 'C-1',
  comment: 'Minor scratch',
  extended_warranty: false,
  offer_number: 'OF-9',
  order_number: 'OR-7',
  option: 'Winter tires',
  recall: false,
  sleeping: false,
  sold: false,
  sold_by: 'Ann',
  term: 60,
  tire: true,
  warranty: true,
  category: 'car',
  condition: 'extra_clean',
  fuel: 'gas',
  modality: 'leasing',
};

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

describe('lead items', () => {
  it('round-trips a vehicle with every field, a service from the catalog and a competitor', async () => {
    const lead = await createLead(t.app, s, {
      items: [
        { type: 'vehicle', vehicle: VEHICLE },
        {
          type: 'service',
          name: 'Oil change',
          catalog_ref: 'SRV-OIL',
          quantity: 2,
          price: '49.90',
          currency: 'cad',
        },
        { type: 'competitor', name: 'Rival Motors', comment: 'offered 3% less' },
      ],
    });
    expect(lead.items).toHaveLength(3);
    const [vehicle, service, competitor] = lead.items;
    expect(vehicle.vehicle).toEqual({ ...VEHICLE, vin: '2T1BURHE0KC123456', cash_down: '2000.00' });
    expect(service).toMatchObject({
      type: 'service',
      catalog_ref: 'SRV-OIL',
      quantity: '2',
      price: '49.90',
      currency: 'CAD',
      vehicle: null,
    });
    expect(competitor).toMatchObject({ type: 'competitor', name: 'Rival Motors' });
    const list = await inject('GET', `/api/v1/leads/${lead.id}/items`);
    expect(list.json().data).toEqual(lead.items);
    expect((await inject('GET', `/api/v1/leads/${lead.id}/items/${vehicle.id}`)).json()).toEqual(vehicle);
  });

  it('adds, changes (vehicle fields merge) and removes one item', async () => {
    const lead = await createLead(t.app, s);
    const add = await inject('POST', `/api/v1/leads/${lead.id}/items`, {
      type: 'vehicle',
      vehicle: { intent: 'wanted', make: 'Honda', model: 'Civic', year: 2025 },
    });
    expect(add.statusCode).toBe(201);
    const patched = await inject('PATCH', `/api/v1/leads/${lead.id}/items/${add.json().id}`, {
      vehicle: { trim: 'Sport', price: '31000' },
    });
    expect(patched.json().vehicle).toMatchObject({
      make: 'Honda',
      model: 'Civic',
      trim: 'Sport',
      price: '31000.00',
    });
    const sub = await inject('POST', `/api/v1/leads/${lead.id}/items`, {
      type: 'subscription',
      catalog_ref: 'PKG-GOLD',
      quantity: '1.5',
      price: 19.99,
    });
    expect(sub.json()).toMatchObject({ quantity: '1.5', price: '19.99' });
    const now = (await inject('GET', `/api/v1/leads/${lead.id}`)).json();
    expect(now.items.map((i: { type: string }) => i.type)).toEqual(['vehicle', 'subscription']);
    expect(now.version).toBe(lead.version + 3);
    expect((await inject('DELETE', `/api/v1/leads/${lead.id}/items/${add.json().id}`)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/leads/${lead.id}/items/${add.json().id}`)).statusCode).toBe(404);
  });

  it('refuses a VIN not 17 characters, an unknown item type and bad enums: 422 naming the field, nothing written', async () => {
    const lead = await createLead(t.app, s);
    const before = [await rows('leads'), await rows('lead_items')];
    const res = await inject('POST', '/api/v1/leads', {
      first_name: 'Refused',
      items: [
        { type: 'vehicle', vehicle: { vin: '1HGCM82633A00435' } },
        { type: 'spaceship', name: 'X' },
        { type: 'vehicle', vehicle: { condition: 'mint', modality: 'barter', price: '1.234' } },
        { type: 'product', quantity: 0, vehicle: { make: 'Ford' } },
        { type: 'competitor' },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual([
      'items.0.vehicle.vin',
      'items.1.type',
      'items.2.vehicle.condition',
      'items.2.vehicle.modality',
      'items.2.vehicle.price',
      'items.3.quantity',
      'items.3.vehicle',
      'items.4.name',
    ]);
    const one = await inject('POST', `/api/v1/leads/${lead.id}/items`, {
      type: 'vehicle',
      vehicle: { vin: 'SHORT' },
    });
    expect(one.statusCode).toBe(422);
    expect(one.json().errors[0].field).toBe('vehicle.vin');
    expect([await rows('leads'), await rows('lead_items')]).toEqual(before);
  });
});
