import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: s.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

async function leadCount(): Promise<number> {
  const r = await t.db.kysely
    .selectFrom('leads')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('custom field types datetime and int_enum', () => {
  it('keeps a datetime exactly as sent, with its offset, and refuses one without a zone while the org has none', async () => {
    expect(
      (await call('POST', '/custom-fields', { key: 'visit_at', label: 'Visit', type: 'datetime' }))
        .statusCode,
    ).toBe(201);
    const seeds = ['2026-05-04T09:30:00+02:00', '2026-05-04T07:30:00.123Z', '2019-11-30T23:59:59-05:00'];
    for (const v of seeds) {
      const lead = await createLead(t.app, s, { custom_fields: { visit_at: v } });
      expect((await call('GET', `/leads/${lead.id}`)).json().custom_fields.visit_at).toBe(v);
    }
    const before = await leadCount();
    const naive = await call('POST', '/leads', {
      first_name: 'N',
      custom_fields: { visit_at: '2026-05-04T09:30:00' },
    });
    expect(naive.statusCode).toBe(422);
    expect(naive.json().errors[0].field).toBe('custom_fields.visit_at');
    const garbage = await call('POST', '/leads', {
      first_name: 'N',
      custom_fields: { visit_at: 'tomorrow' },
    });
    expect(garbage.statusCode).toBe(422);
    expect(await leadCount()).toBe(before);
  });

  it('reads a local datetime in the organization time zone once one is set', async () => {
    expect((await call('GET', '/organization/time-zone')).json()).toEqual({ time_zone: null });
    const bad = await call('PUT', '/organization/time-zone', { time_zone: 'Mars/Olympus' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('time_zone');
    expect((await call('PUT', '/organization/time-zone', { time_zone: 'Europe/Paris' })).json()).toEqual({
      time_zone: 'Europe/Paris',
    });
    expect((await call('GET', '/organization/time-zone')).json().time_zone).toBe('Europe/Paris');
    const summer = await createLead(t.app, s, { custom_fields: { visit_at: '2026-07-01T10:00:00' } });
    expect(summer.custom_fields.visit_at).toBe('2026-07-01T10:00:00+02:00');
    const winter = await createLead(t.app, s, { custom_fields: { visit_at: '2026-01-15T10:00' } });
    expect(winter.custom_fields.visit_at).toBe('2026-01-15T10:00+01:00');
  });

  it('stores integer enum values as integers from its options', async () => {
    const def = await call('POST', '/custom-fields', {
      key: 'doors',
      label: 'Doors',
      type: 'int_enum',
      options: ['2', '3', '5'],
    });
    expect(def.statusCode).toBe(201);
    const lead = await createLead(t.app, s, { custom_fields: { doors: 5 } });
    expect(lead.custom_fields.doors).toBe(5);
    const bad = await call('POST', '/leads', { first_name: 'D', custom_fields: { doors: 4 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('custom_fields.doors');
    const badDef = await call('POST', '/custom-fields', {
      key: 'gears',
      label: 'Gears',
      type: 'int_enum',
      options: ['5', 'six'],
    });
    expect(badDef.statusCode).toBe(422);
    expect(badDef.json().errors[0].field).toBe('options.1');
  });
});

describe('estimated completion', () => {
  const addDays = (n: number) => {
    const d = new Date();
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + n))
      .toISOString()
      .slice(0, 10);
  };

  it('stores { value, unit } and computes the expected completion date from it, and back', async () => {
    await call('PUT', '/organization/time-zone', { time_zone: 'UTC' });
    const lead = await createLead(t.app, s, { estimated_completion: { value: 2, unit: 'weeks' } });
    expect(lead.estimated_completion).toEqual({ value: 2, unit: 'weeks' });
    expect(lead.expected_close_date).toBe(addDays(14));
    const back = await createLead(t.app, s, { expected_close_date: addDays(3) });
    expect(back.estimated_completion).toBeNull();
    const patched = await call('PATCH', `/leads/${back.id}`, { expected_close_date: addDays(21) });
    expect(patched.json().estimated_completion).toEqual({ value: 3, unit: 'weeks' });
    const bad = await call('POST', '/leads', {
      first_name: 'E',
      estimated_completion: { value: 2, unit: 'fortnights' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toContain('estimated_completion');
  });
});
