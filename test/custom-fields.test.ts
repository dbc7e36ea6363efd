import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  for (const def of [
    { key: 'trial_status', label: 'Trial status', type: 'enum', options: ['Not Done', 'Booked', 'Done'] },
    { key: 'budget', label: 'Budget', type: 'number' },
    { key: 'decision_date', label: 'Decision date', type: 'date' },
    { key: 'newsletter', label: 'Newsletter', type: 'boolean' },
    { key: 'udf_string_1', label: 'Reference', type: 'string' },
  ]) {
    const r = await call('POST', '/custom-fields', def);
    if (r.statusCode !== 201) throw new Error(r.body);
  }
});
afterAll(async () => t.close());

function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  session: Session = s,
) {
  return t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: session.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

describe('custom field definitions', () => {
  it('lists, updates and refuses bad definitions', async () => {
    const list = (await call('GET', '/custom-fields')).json().data;
    expect(list.map((d: { key: string }) => d.key)).toEqual([
      'trial_status',
      'budget',
      'decision_date',
      'newsletter',
      'udf_string_1',
    ]);
    expect(list[0]).toMatchObject({ type: 'enum', options: ['Not Done', 'Booked', 'Done'], required: false });
    expect(
      (await call('POST', '/custom-fields', { key: 'budget', label: 'x', type: 'number' })).statusCode,
    ).toBe(409);
    const noOptions = await call('POST', '/custom-fields', { key: 'level', label: 'Level', type: 'enum' });
    expect(noOptions.statusCode).toBe(422);
    expect(noOptions.json().errors[0].field).toBe('options');
    expect(
      (await call('POST', '/custom-fields', { key: 'budget', label: 'x', type: 'money' })).statusCode,
    ).toBe(400);
    expect(
      (await call('POST', '/custom-fields', { key: 'has space', label: 'x', type: 'string' })).statusCode,
    ).toBe(400);
    const upd = await call('PATCH', '/custom-fields/trial_status', {
      options: ['Not Done', 'Booked', 'Done', 'Cancelled'],
    });
    expect(upd.json().options).toHaveLength(4);
    expect((await call('PATCH', '/custom-fields/nope', { label: 'x' })).statusCode).toBe(404);
  });
});

describe('custom field values on leads', () => {
  it('validates values by type on create (422 naming custom_fields.<key>) and stores nothing on error', async () => {
    const bad = await call('POST', '/leads', {
      last_name: 'Sawyer',
      custom_fields: {
        trial_status: 'Maybe',
        budget: '1200',
        decision_date: '2026-02-30',
        newsletter: 'yes',
        udf_string_1: 5,
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual([
      'custom_fields.budget',
      'custom_fields.decision_date',
      'custom_fields.newsletter',
      'custom_fields.trial_status',
      'custom_fields.udf_string_1',
    ]);
    expect((await call('GET', '/leads?include_total=true')).json().total).toBe(0);
    const ok = await call('POST', '/leads', {
      last_name: 'Sawyer',
      custom_fields: {
        trial_status: 'Not Done',
        budget: 1200.5,
        decision_date: '2026-03-01',
        newsletter: true,
        free_form: 'kept',
      },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().custom_fields).toEqual({
      trial_status: 'Not Done',
      budget: 1200.5,
      decision_date: '2026-03-01',
      newsletter: true,
      free_form: 'kept',
    });
  });

  it('merges values on PATCH (null removes one), validates them, and logs each change', async () => {
    const lead = await createLead(t.app, s, { custom_fields: { trial_status: 'Not Done', budget: 10 } });
    const bad = await call('PATCH', `/leads/${lead.id}`, {
      custom_fields: { budget: 'ten' },
      first_name: 'Changed',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('custom_fields.budget');
    expect((await call('GET', `/leads/${lead.id}`)).json()).toMatchObject({
      first_name: lead.first_name,
      version: lead.version,
    });
    const ok = await call('PATCH', `/leads/${lead.id}`, {
      custom_fields: { trial_status: 'Booked', budget: null },
    });
    expect(ok.json().custom_fields).toEqual({ trial_status: 'Booked' });
    const changes = (await call('GET', `/leads/${lead.id}/timeline?types=field_change`))
      .json()
      .data.map((e: { data: object }) => e.data);
    expect(changes).toEqual(
      expect.arrayContaining([
        { field: 'custom_fields.trial_status', from: 'Not Done', to: 'Booked' },
        { field: 'custom_fields.budget', from: 10, to: null },
      ]),
    );
  });

  it('enforces required fields on create and refuses clearing them', async () => {
    await call('POST', '/custom-fields', { key: 'region', label: 'Region', type: 'string', required: true });
    const missing = await call('POST', '/leads', { last_name: 'NoRegion' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0]).toMatchObject({ field: 'custom_fields.region' });
    const lead = await createLead(t.app, s, { custom_fields: { region: 'North' } });
    const clear = await call('PATCH', `/leads/${lead.id}`, { custom_fields: { region: null } });
    expect(clear.json().errors[0].field).toBe('custom_fields.region');
    await call('DELETE', '/custom-fields/region');
    expect((await call('POST', '/leads', { last_name: 'NoRegion' })).statusCode).toBe(201);
  });

  it('filters the list by custom field values of every type (cf.<key>=value)', async () => {
    const o = await signup(t.app);
    await call('POST', '/custom-fields', { key: 'vip', label: 'VIP', type: 'boolean' }, o);
    await call('POST', '/custom-fields', { key: 'seats', label: 'Seats', type: 'number' }, o);
    const a = await createLead(t.app, o, { custom_fields: { vip: true, seats: 12, color: 'blue' } });
    const b = await createLead(t.app, o, { custom_fields: { vip: false, seats: 3.5 } });
    const ids = async (q: string) =>
      (await call('GET', `/leads?${q}`, undefined, o)).json().data.map((l: { id: number }) => l.id);
    expect(await ids('cf.vip=true')).toEqual([a.id]);
    expect(await ids('cf.vip=false')).toEqual([b.id]);
    expect(await ids('cf.seats=12')).toEqual([a.id]);
    expect(await ids('cf.seats=3.5')).toEqual([b.id]);
    expect(await ids('cf.seats=12.0')).toEqual([a.id]);
    const bad = await call('GET', '/leads?cf.seats=many', undefined, o);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('cf.seats');
    expect(await ids('cf.color=blue')).toEqual([a.id]);
  });

  it('keeps definitions per organization', async () => {
    const o = await signup(t.app);
    expect((await call('GET', '/custom-fields', undefined, o)).json().data).toEqual([]);
    const r = await call('POST', '/leads', { last_name: 'Free', custom_fields: { budget: 'anything' } }, o);
    expect(r.statusCode).toBe(201);
  });
});
