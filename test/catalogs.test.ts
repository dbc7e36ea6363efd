import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  session: Session = s,
) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: session.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

async function countRows(table: 'leads' | 'catalog_entries' | 'lead_types'): Promise<number> {
  const r = await t.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const PATHS = [
  'lead-categories',
  'lead-sources',
  'privacy-levels',
  'importance-levels',
  'priorities',
  'product-categories',
  'projects',
];

describe('simple catalogs', () => {
  it('starts with importance levels IMPORTANCE1-5, CUSTOM1-3 and priorities 1-6', async () => {
    const imp = (await call('GET', '/importance-levels')).json().data;
    expect(imp.map((x: { alternative_code: string }) => x.alternative_code)).toEqual([
      'IMPORTANCE1',
      'IMPORTANCE2',
      'IMPORTANCE3',
      'IMPORTANCE4',
      'IMPORTANCE5',
      'CUSTOM1',
      'CUSTOM2',
      'CUSTOM3',
    ]);
    const pri = (await call('GET', '/priorities')).json().data;
    expect(pri.map((x: { alternative_code: string }) => x.alternative_code)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
  });

  it.each(PATHS)('%s: create, read, rename, list and delete with integer ids', async (path) => {
    const created = await call('POST', `/${path}`, { name: 'Web form', alternative_code: `WEB-${path}` });
    expect(created.statusCode).toBe(201);
    const e = created.json();
    expect(Number.isInteger(e.id)).toBe(true);
    expect(e).toMatchObject({ name: 'Web form', alternative_code: `WEB-${path}` });
    expect((await call('GET', `/${path}/${e.id}`)).json().name).toBe('Web form');
    const renamed = await call('PATCH', `/${path}/${e.id}`, { name: 'Website form' });
    expect(renamed.json()).toMatchObject({ id: e.id, name: 'Website form', alternative_code: `WEB-${path}` });
    const list = (await call('GET', `/${path}`)).json().data;
    expect(list.some((x: { id: number; name: string }) => x.id === e.id && x.name === 'Website form')).toBe(
      true,
    );
    expect((await call('DELETE', `/${path}/${e.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/${path}/${e.id}`)).statusCode).toBe(404);
  });

  it('refuses an alternative code used twice in one catalog with a 422 naming it, and writes nothing', async () => {
    expect((await call('POST', '/lead-sources', { name: 'Fair', alternative_code: 'FAIR' })).statusCode).toBe(
      201,
    );
    const before = await countRows('catalog_entries');
    const dup = await call('POST', '/lead-sources', { name: 'Trade fair', alternative_code: 'FAIR' });
    expect(dup.statusCode).toBe(422);
    expect(dup.headers['content-type']).toContain('application/problem+json');
    expect(dup.json().errors[0].field).toBe('alternative_code');
    expect(await countRows('catalog_entries')).toBe(before);
    // Another catalog may use the same code.
    expect(
      (await call('POST', '/projects', { name: 'Fair 2027', alternative_code: 'FAIR' })).statusCode,
    ).toBe(201);
  });

  it('keeps another organization out (404)', async () => {
    const other = await signup(t.app);
    const mine = (await call('POST', '/projects', { name: 'Secret' })).json();
    expect((await call('GET', `/projects/${mine.id}`, undefined, other)).statusCode).toBe(404);
    expect((await call('PATCH', `/projects/${mine.id}`, { name: 'x' }, other)).statusCode).toBe(404);
    expect((await call('DELETE', `/projects/${mine.id}`, undefined, other)).statusCode).toBe(404);
    expect((await call('GET', '/projects', undefined, other)).json().data).toEqual([]);
  });

  it('refuses to delete an entry leads use (409)', async () => {
    const src = (await call('POST', '/lead-sources', { name: 'Partner' })).json();
    const lead = await createLead(t.app, s, { source_id: src.id });
    expect(lead.source_id).toBe(src.id);
    expect((await call('DELETE', `/lead-sources/${src.id}`)).statusCode).toBe(409);
  });
});

describe('lead types', () => {
  it('applies the default status and category and stores every catalog reference on create', async () => {
    const cat = (await call('POST', '/lead-categories', { name: 'Retail', alternative_code: 'RET' })).json();
    const prod = (await call('POST', '/product-categories', { name: 'Cars' })).json();
    const proj = (await call('POST', '/projects', { name: 'Spring launch' })).json();
    const imp = (await call('GET', '/importance-levels')).json().data[2];
    const type = await call('POST', '/lead-types', {
      name: 'Test drive',
      alternative_code: 'TD',
      default_status: 'qualified',
      default_category_id: cat.id,
      allowed_statuses: ['qualified', 'won', 'lost'],
    });
    expect(type.statusCode).toBe(201);
    expect(type.json()).toMatchObject({
      default_status: 'qualified',
      default_category_id: cat.id,
      allowed_statuses: ['qualified', 'won', 'lost'],
      communication: { email_required: false, phone_required: false },
      lock_when_closed: false,
    });
    const lead = await createLead(t.app, s, {
      lead_type_id: type.json().id,
      product_category_id: prod.id,
      project_id: proj.id,
      importance_level_id: imp.id,
    });
    expect(lead).toMatchObject({
      status: 'qualified',
      category_id: cat.id,
      lead_type_id: type.json().id,
      product_category_id: prod.id,
      project_id: proj.id,
      importance_level_id: imp.id,
    });
    const read = (await call('GET', `/leads/${lead.id}`)).json();
    expect(read.category_id).toBe(cat.id);
    // A status outside the allowed list is refused, naming the field.
    const before = await countRows('leads');
    const bad = await call('POST', '/leads', {
      first_name: 'X',
      lead_type_id: type.json().id,
      status: 'new',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('status');
    expect(await countRows('leads')).toBe(before);
  });

  it('makes email and phone mandatory on create when its communication settings say so', async () => {
    const type = (
      await call('POST', '/lead-types', {
        name: 'Callback',
        communication: { email_required: true, phone_required: true },
      })
    ).json();
    const before = await countRows('leads');
    const res = await call('POST', '/leads', { first_name: 'Ann', lead_type_id: type.id });
    expect(res.statusCode).toBe(422);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['email', 'phone']);
    expect(await countRows('leads')).toBe(before);
    const ok = await call('POST', '/leads', {
      first_name: 'Ann',
      email: 'ann@example.com',
      mobile: '+33612345678',
      lead_type_id: type.id,
    });
    expect(ok.statusCode).toBe(201);
  });

  it('refuses a default status the type does not allow, and unknown references, writing nothing', async () => {
    const before = await countRows('lead_types');
    const res = await call('POST', '/lead-types', {
      name: 'Bad',
      default_status: 'new',
      allowed_statuses: ['won', 'nope'],
      default_category_id: 999999,
    });
    expect(res.statusCode).toBe(422);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['default_status', 'allowed_statuses.1', 'default_category_id']),
    );
    expect(await countRows('lead_types')).toBe(before);
    const lead = await call('POST', '/leads', { first_name: 'Y', lead_type_id: 999999, project_id: 999998 });
    expect(lead.statusCode).toBe(422);
    expect(
      lead
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['lead_type_id', 'project_id']);
    // PATCH on a lead type: making the current default status disallowed is refused too.
    const ok = (await call('POST', '/lead-types', { name: 'Fine', default_status: 'new' })).json();
    const patch = await call('PATCH', `/lead-types/${ok.id}`, { allowed_statuses: ['won'] });
    expect(patch.statusCode).toBe(422);
    expect(patch.json().errors[0].field).toBe('default_status');
    expect((await call('GET', `/lead-types/${ok.id}`)).json().allowed_statuses).toBeNull();
  });

  it('locks a won lead of a type with lock_when_closed', async () => {
    const type = (await call('POST', '/lead-types', { name: 'Locked', lock_when_closed: true })).json();
    const lead = await createLead(t.app, s, { lead_type_id: type.id });
    const won = await call('PATCH', `/leads/${lead.id}`, { status: 'won' });
    expect(won.statusCode).toBe(200);
    const after = await call('PATCH', `/leads/${lead.id}`, { first_name: 'Changed' });
    expect(after.statusCode).toBe(409);
    expect((await call('GET', `/leads/${lead.id}`)).json().first_name).toBe('Ada');
    // A lead type in use cannot be deleted.
    expect((await call('DELETE', `/lead-types/${type.id}`)).statusCode).toBe(409);
  });
});

describe('status lifecycle, order and default', () => {
  it('gives every status a life-cycle state beside its category, settable on create and patch', async () => {
    const list = (await call('GET', '/statuses')).json().data as Array<{ key: string; lifecycle: string }>;
    const of = (k: string) => list.find((x) => x.key === k)!.lifecycle;
    expect([of('new'), of('qualified'), of('won'), of('lost'), of('on_hold')]).toEqual([
      'PENDING',
      'IN_PROGRESS',
      'WON',
      'LOST',
      'ON_HOLD',
    ]);
    const c = await call('POST', '/statuses', { key: 'withdrawn', label: 'Withdrawn', category: 'closed' });
    expect(c.json().lifecycle).toBe('CANCELLED');
    const p = await call('PATCH', '/statuses/withdrawn', { lifecycle: 'LOST' });
    expect(p.json()).toMatchObject({ category: 'closed', lifecycle: 'LOST' });
    const bad = await call('PATCH', '/statuses/withdrawn', { lifecycle: 'DONE' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toContain('lifecycle');
  });

  it('reorders the pipeline from a full list of keys, refusing a partial or unknown list', async () => {
    const keys = ((await call('GET', '/statuses')).json().data as Array<{ key: string }>).map((x) => x.key);
    const reversed = [...keys].reverse();
    const res = await call('PUT', '/statuses/order', { keys: reversed });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((x: { key: string }) => x.key)).toEqual(reversed);
    expect(
      ((await call('GET', '/statuses')).json().data as Array<{ key: string }>).map((x) => x.key),
    ).toEqual(reversed);
    const bad = await call('PUT', '/statuses/order', { keys: ['nope', ...keys.slice(1)] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['keys.0', 'keys']);
    expect(
      ((await call('GET', '/statuses')).json().data as Array<{ key: string }>).map((x) => x.key),
    ).toEqual(reversed);
  });

  it('sets the default status that new leads get', async () => {
    const res = await call('PUT', '/statuses/default', { key: 'assigned' });
    expect(res.statusCode).toBe(200);
    const defaults = res.json().data.filter((x: { is_default: boolean }) => x.is_default);
    expect(defaults.map((x: { key: string }) => x.key)).toEqual(['assigned']);
    expect((await createLead(t.app, s)).status).toBe('assigned');
    const bad = await call('PUT', '/statuses/default', { key: 'nope' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('key');
    await call('PUT', '/statuses/default', { key: 'new' });
  });
});
