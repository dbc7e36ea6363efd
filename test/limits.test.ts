/** Limits (docs/data-model.md, "Limits"): custom fields, values, tags, JSON depth; exports never 500. */
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, session = s) =>
  t.app.inject({ method: 'POST', url, headers: session.headers, payload: payload as object });

describe('limits', () => {
  it('an organization has at most 500 custom field definitions (422 naming key)', async () => {
    const own = await signup(t.app);
    for (let i = 0; i < 500; i++) {
      const r = await post('/api/v1/custom-fields', { key: `f${i}`, label: `F ${i}`, type: 'string' }, own);
      expect(r.statusCode, r.body).toBe(201);
    }
    const over = await post('/api/v1/custom-fields', { key: 'f500', label: 'F 500', type: 'string' }, own);
    expect(over.statusCode).toBe(422);
    expect(over.json().errors[0].field).toBe('key');
    expect(over.json().detail).toContain('500');
  }, 60_000);

  it('a lead holds at most 200 custom fields, text values of 10,000 characters, 100 tags', async () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 'v']));
    const a = await post('/api/v1/leads', { last_name: 'Many', custom_fields: many });
    expect(a.statusCode).toBe(400);
    expect(a.body).toContain('custom_fields');
    const b = await post('/api/v1/leads', { last_name: 'Long', custom_fields: { note: 'x'.repeat(10_001) } });
    expect(b.statusCode).toBe(400);
    const c = await post('/api/v1/leads', {
      last_name: 'Tags',
      tags: Array.from({ length: 101 }, (_, i) => `t${i}`),
    });
    expect(c.statusCode).toBe(400);
    expect(c.body).toContain('tags');
    const ok = await post('/api/v1/leads', {
      last_name: 'Fine',
      custom_fields: { note: 'x'.repeat(10_000) },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('a JSON body nested deeper than 32 levels is a 400 problem+json', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const res = await post('/api/v1/leads', { last_name: 'Deep', custom_fields: deep });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().detail).toMatch(/deeper than 32/);
  });

  it('an XLSX export with more custom-field keys than Excel has columns answers 200 and keeps every value', async () => {
    const org = await signup(t.app);
    // 84 leads x 200 distinct keys = 16,800 keys: past the 16,384 columns of a sheet.
    for (let l = 0; l < 84; l++) {
      const cf = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`l${l}_k${i}`, `v${l}.${i}`]));
      const r = await post('/api/v1/leads', { last_name: `Wide${l}`, custom_fields: cf }, org);
      expect(r.statusCode).toBe(201);
    }
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/leads/export?format=xlsx',
      headers: org.headers,
    });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.read(Readable.from(res.rawPayload));
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    expect(header.length).toBe(16_384);
    expect(header.at(-1)).toBe('cf._more_json');
    // The last lead's values are all there: as columns or in the JSON column.
    let found = 0;
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const values = (row.values as unknown[]).slice(1);
      if (!values.includes('Wide83')) return;
      const spill = JSON.parse(String(values[16_383] || '{}')) as Record<string, string>;
      for (let i = 0; i < 200; i++) {
        const k = `l83_k${i}`;
        const col = header.indexOf(`cf.${k}`);
        if ((col >= 0 ? values[col] : spill[k]) === `v83.${i}`) found++;
      }
    });
    expect(found).toBe(200);
  }, 120_000);
});
