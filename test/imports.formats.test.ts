import fs from 'node:fs';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type TestApp } from './helpers.js';
import { allLeads, DATA, importFile, multipart, parseCsv, upload } from './imports.helpers.js';

// The same Salesforce file in the shapes real spreadsheets take: every variant must import the same 20 leads.
const FILE = `${DATA}/Benji9226__Salesforce-Bachelor__Leads.csv`;
const original = fs.readFileSync(FILE);
const table = parseCsv(original.toString('utf8'));
const toText = (rows: string[][], d: string, eol = '\r\n') =>
  rows
    .map((r) => r.map((c) => (c.includes(d) || c.includes('"') ? `"${c.replace(/"/g, '""')}"` : c)).join(d))
    .join(eol) + eol;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function xlsxCopy(leadingBlankRows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Leads');
  for (let i = 0; i < leadingBlankRows; i++) ws.addRow([]);
  for (const r of table) ws.addRow(r);
  ws.getRow(leadingBlankRows + 1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The same workbook with its parts stored in another order (issue 15): the worksheets first, before the workbook,
 * its relations and the shared strings their cells point into (as Excel and streaming writers store them), or
 * last. A streaming reader meets the sheet's cells before or after the strings they need.
 */
async function reordered(xlsx: Buffer, sheetsFirst: boolean): Promise<Buffer> {
  const zip = await JSZip.loadAsync(xlsx);
  const names = Object.keys(zip.files).filter((n) => !zip.files[n].dir);
  const first = (n: string) => n.startsWith('xl/worksheets/') === sheetsFirst;
  const out = new JSZip();
  for (const n of [...names.filter(first), ...names.filter((n) => !first(n))])
    out.file(n, await zip.file(n)!.async('nodebuffer'));
  const buf = await out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  const stored = Object.keys((await JSZip.loadAsync(buf)).files).filter((n) => !n.endsWith('/'));
  expect(stored[0].startsWith('xl/worksheets/')).toBe(sheetsFirst);
  expect(stored).toContain('xl/sharedStrings.xml');
  return buf;
}

const pick = (l: Record<string, any>) =>
  [l.first_name, l.last_name, l.company_name, l.email, l.phone, l.job_title, l.source, l.status].join('|');
/** The suggested value mapping of Salesforce's statuses (issue 15): the same for every variant of the file. */
const STATUS: Record<string, string> = {
  'Open - Not Contacted': 'new',
  'Working - Contacted': 'in_process',
  'Closed - Converted': 'won',
  'Closed - Not Converted': 'closed',
  '': 'new',
};
const expected = table
  .slice(1)
  .map((r) => [r[0], r[1], r[2], r[3].toLowerCase(), r[4], r[5], r[8], STATUS[r[7] ?? '']].join('|'))
  .sort();

describe('variants of one file', () => {
  const variants: Array<[string, string, () => Promise<Buffer> | Buffer, Record<string, unknown>]> = [
    [
      'UTF-8 with a BOM',
      'leads.csv',
      () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), original]),
      { encoding: 'utf-8', delimiter: ',' },
    ],
    ['semicolons (European Excel)', 'leads.csv', () => Buffer.from(toText(table, ';')), { delimiter: ';' }],
    [
      'cp1252 with semicolons',
      'leads.csv',
      () => iconv.encode(toText(table, ';'), 'win1252'),
      { encoding: 'windows-1252', delimiter: ';' },
    ],
    [
      'UTF-16 tab-separated (Excel "Unicode text")',
      'leads.txt',
      () => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(toText(table, '\t'), 'utf16le')]),
      { encoding: 'utf-16le', delimiter: '\t' },
    ],
    [
      'pipes, LF, no final newline',
      'leads.dat',
      () => Buffer.from(toText(table, '|', '\n').trimEnd()),
      { delimiter: '|' },
    ],
    [
      'an XLSX copy with two blank rows on top, saved with a .csv name',
      'leads.csv',
      () => xlsxCopy(2),
      { format: 'xlsx', header_row: 3 },
    ],
    [
      'an XLSX whose worksheet comes before the workbook and its shared strings in the zip',
      'leads.xlsx',
      async () => reordered(await xlsxCopy(0), true),
      { format: 'xlsx', header_row: 1 },
    ],
    [
      'an XLSX whose workbook and shared strings come before the worksheet in the zip',
      'leads.xlsx',
      async () => reordered(await xlsxCopy(0), false),
      { format: 'xlsx', header_row: 1 },
    ],
  ];
  for (const [name, filename, make, detected] of variants) {
    it(name, async () => {
      const s = await signup(t.app);
      const content = await make();
      const up = await upload(t.app, s, filename, content);
      expect(up.statusCode).toBe(201);
      expect(up.json()).toMatchObject({ format: 'csv', ...detected });
      expect(up.json().header).toEqual(table[0]);
      expect(up.json().preview_rows[8]).toEqual(table[9]);
      const job = await importFile(t.app, s, filename, content);
      expect(job.counts).toEqual({ read: 20, created: 20, updated: 0, skipped: 0, failed: 0 });
      expect((await allLeads(t.app, s)).map(pick).sort()).toEqual(expected);
    });
  }
});

describe('files that cannot be imported get a clear 400 and leave nothing behind', () => {
  const rejects: Array<[string, string, Buffer, RegExp]> = [
    ['an empty file', 'leads.csv', Buffer.alloc(0), /empty/],
    ['only blank lines', 'leads.csv', Buffer.from('\r\n \r\n\r\n'), /empty/],
    [
      'an HTML page saved as .csv',
      'leads.csv',
      Buffer.from(
        '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please log in</body></html>',
      ),
      /web page \(HTML\)/,
    ],
    [
      'a PDF',
      'leads.csv',
      Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), Buffer.alloc(200, 7)]),
      /PDF/,
    ],
    [
      'an old .xls workbook',
      'leads.xls',
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(500)]),
      /save it as XLSX .* or CSV/,
    ],
    [
      'a PNG image',
      'leads.csv',
      Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
        Buffer.alloc(300, 1),
      ]),
      /binary/,
    ],
    [
      'a ZIP that is no workbook',
      'leads.zip',
      Buffer.concat([
        Buffer.from([0x50, 0x4b, 0x03, 0x04]),
        Buffer.from('leads/data.csv'),
        Buffer.alloc(100),
      ]),
      /ZIP archive/,
    ],
    [
      'JSON without an array of records',
      'leads.json',
      Buffer.from('{"count": 3, "ok": true}'),
      /no array of lead objects/,
    ],
    ['a header row and no data', 'leads.csv', Buffer.from('first_name,last_name,email\r\n'), /no data rows/],
  ];
  for (const [name, filename, content, message] of rejects) {
    it(name, async () => {
      const s = await signup(t.app);
      const res = await upload(t.app, s, filename, content);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toMatch(message);
      expect(res.json().errors[0].field).toBe('file');
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: s.headers });
      expect(list.json().data).toEqual([]);
    });
  }

  it('a request that is not multipart, or has no "file" field', async () => {
    const s = await signup(t.app);
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: s.headers,
      payload: { file: 'a,b' },
    });
    expect(json.statusCode).toBe(415);
    const m = multipart('leads.csv', 'a,b\n1,2\n', 'upload');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { ...s.headers, ...m.headers },
      payload: m.payload,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toEqual({ field: 'file', message: 'is required' });
  });

  it('a file over IMPORT_MAX_BYTES is refused with 413, while uploads over the 1 MB JSON limit are fine', async () => {
    const small = await createTestApp({ IMPORT_MAX_BYTES: String(2 * 1024 * 1024) });
    try {
      const s = await signup(small.app);
      const row = 'Ada,Lovelace,ada@example.com,Analytical Engines Ltd,+44 20 7946 0000\r\n';
      const big = Buffer.from(
        'first_name,last_name,email,company,phone\r\n' +
          row.repeat(Math.ceil((1.5 * 1024 * 1024) / row.length)),
      );
      const ok = await upload(small.app, s, 'big.csv', big);
      expect(ok.statusCode).toBe(201);
      const tooBig = await upload(small.app, s, 'huge.csv', Buffer.concat([big, big]));
      expect(tooBig.statusCode).toBe(413);
      expect(tooBig.json().detail).toMatch(/larger than the import limit of 2 MB/);
      const list = await small.app.inject({ method: 'GET', url: '/api/v1/imports', headers: s.headers });
      expect(list.json().data).toHaveLength(1);
    } finally {
      await small.close();
    }
  });
});
