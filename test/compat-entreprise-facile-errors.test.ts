import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { changedTables, countAllTables } from './table-counts.js';
import { efRequest, errorsOf, leadXml, MOUNT, basicOf } from './compat-entreprise-facile.helpers.js';

/**
 * Seed 001's refusals: each bad request answers a clear error (XML `<errors>`, the element named in `field`)
 * and writes nothing, compared by row counts of every table before and after.
 */
let t: TestApp;
let app: FastifyInstance;
let s: Session;
let ef: ReturnType<typeof efRequest>;
let leadId: number;
let foreignFirm: number;
let foreignContact: number;

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  const other = await signup(app);
  ef = efRequest(app, s);
  const created = await ef('POST', '/leads.xml', leadXml({ client_name: 'Existant', topic: 'Avant' }));
  expect(created.statusCode, created.body).toBe(201);
  leadId = Number(/<id>(\d+)<\/id>/.exec(created.body)![1]);
  const post = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: other.headers, payload });
  foreignFirm = (await post('/api/v1/companies', { name: 'Autre org' })).json().id;
  foreignContact = (await post('/api/v1/contacts', { first_name: 'Autre' })).json().id;
});
afterAll(async () => t.close());

const BOMB = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lead><topic>&lol3;</topic></lead>`;
const XXE = `<?xml version="1.0"?>
<!DOCTYPE lead [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<lead><topic>&xxe;</topic></lead>`;

/** [name, body, expected status, the element the error names (undefined: a whole-request error)] */
const CASES: Array<[string, string, number, string | undefined]> = [
  ['importance 9', leadXml({ client_name: 'X', importance: 9 }), 422, 'importance'],
  ['confidence 150', leadXml({ client_name: 'X', confidence_pct: 150 }), 422, 'confidence_pct'],
  ['a step outside the list', leadXml({ client_name: 'X', progress_id: 999 }), 422, 'progress_id'],
  ['step_id outside the list', leadXml({ client_name: 'X', step_id: 465 }), 422, 'step_id'],
  ["another organization's firm_id", leadXml({ client_name: 'X', firm_id: -1 }), 422, 'firm_id'],
  ["another organization's contact_id", leadXml({ client_name: 'X', contact_id: -1 }), 422, 'contact_id'],
  ['a manager who is not a member', leadXml({ client_name: 'X', manager_id: 999999 }), 422, 'manager_id'],
  [
    'a product category of no catalog',
    leadXml({ client_name: 'X', product_category_id: 999999 }),
    422,
    'product_category_id',
  ],
  ['value not an amount', leadXml({ client_name: 'X', value: '12 euros' }), 422, 'value'],
  ['value_date not a real date', leadXml({ client_name: 'X', value_date: '31-02-2027' }), 422, 'value_date'],
  ['is_engaged not 0/1', leadXml({ client_name: 'X', is_engaged: 'yes' }), 422, 'is_engaged'],
  ['an unknown element', leadXml({ client_name: 'X', colour: 'blue' }), 422, 'colour'],
  ['an element given twice', '<lead><topic>a</topic><topic>b</topic></lead>', 422, 'topic'],
  ['nested elements', '<lead><topic><b>a</b></topic></lead>', 422, 'topic'],
  ['a root other than <lead>', '<firm><name>x</name></firm>', 422, 'lead'],
  ['malformed XML', '<lead><topic>x</lead>', 400, undefined],
  ['two root elements', '<lead/><lead/>', 400, undefined],
  ['an entity XML does not define', '<lead><topic>&nbsp;</topic></lead>', 400, undefined],
  ['an XML bomb (billion laughs)', BOMB, 400, undefined],
  ['an external entity (XXE)', XXE, 400, undefined],
  ['an empty body', '', 400, undefined],
];

const withIds = (body: string) =>
  body
    .replace('<firm_id>-1</firm_id>', `<firm_id>${foreignFirm}</firm_id>`)
    .replace('<contact_id>-1</contact_id>', `<contact_id>${foreignContact}</contact_id>`);

describe('refused writes answer a clear error and write nothing', () => {
  for (const [name, body, status, field] of CASES) {
    for (const method of ['POST', 'PUT'] as const) {
      it(`${method}: ${name}`, async () => {
        const before = await countAllTables(t.db);
        const url = method === 'POST' ? '/leads.xml' : `/leads/${leadId}.xml`;
        const res = await ef(method, url, withIds(body));
        expect(res.statusCode, res.body).toBe(status);
        expect(res.headers['content-type']).toMatch(/^application\/xml; charset=utf-8/);
        const errors = errorsOf(res.body);
        expect(errors.length, res.body).toBeGreaterThan(0);
        if (field) expect(errors.map((e) => e.field)).toContain(field);
        for (const e of errors) expect(e.message.length).toBeGreaterThan(5);
        expect(changedTables(before, await countAllTables(t.db))).toEqual({});
      });
    }
  }

  it('a request with several faults names them all', async () => {
    const res = await ef(
      'POST',
      '/leads.xml',
      leadXml({ importance: 9, confidence_pct: 150, progress_id: 1 }),
    );
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body).map((e) => e.field)).toEqual(['importance', 'confidence_pct', 'progress_id']);
  });

  it('a lead with no client name is refused naming client_name', async () => {
    const before = await countAllTables(t.db);
    const res = await ef('POST', '/leads.xml', leadXml({ topic: 'Sans client' }));
    expect(res.statusCode, res.body).toBe(422);
    expect(errorsOf(res.body)[0].field).toBe('client_name');
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });

  it('a PUT whose id is another lead is refused; the lead is unchanged', async () => {
    const res = await ef('PUT', `/leads/${leadId}.xml`, leadXml({ id: leadId + 1000, topic: 'Autre' }));
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body)[0].field).toBe('id');
    expect((await ef('GET', `/leads/${leadId}.xml`)).body).toContain('<topic>Avant</topic>');
  });

  it('413 over the body limit, 415 for a JSON body', async () => {
    const before = await countAllTables(t.db);
    const big = leadXml({ client_name: 'X', description: 'a'.repeat(1024 * 1024 + 10) });
    const res = await ef('POST', '/leads.xml', big);
    expect(res.statusCode).toBe(413);
    expect(errorsOf(res.body).length).toBe(1);
    const json = await app.inject({
      method: 'POST',
      url: `${MOUNT}/leads.xml`,
      headers: { ...basicOf(s), 'content-type': 'application/json' },
      payload: JSON.stringify({ lead: { topic: 'x' } }),
    });
    expect(json.statusCode).toBe(415);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });
});
