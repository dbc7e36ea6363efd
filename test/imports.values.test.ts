import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { auditActions } from './access.helpers.js';
import { allLeads, DATA, importFile, parseCsv, upload, waitForImport } from './imports.helpers.js';

// Issue 15: an import keeps what the spreadsheet says. Suggested value mappings apply by default, an unmapped
// value is a warning with its count, unmapped columns become typed custom fields, converted/won flags land in
// a won status, and a file imported twice with the defaults makes no duplicates.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const ZOHO = 'rahulanilnair__Analysis-of-ZOHO-CRM-Analytics-using-SQL__Leads.csv';
const XED = 'abhisek-web__leads_scoring_data__Leads.csv';
const read = (f: string) => fs.readFileSync(`${DATA}/${f}`);
const get = (s: Session, url: string) => t.app.inject({ method: 'GET', url, headers: s.headers });
const post = (s: Session, url: string, payload: unknown = {}) =>
  t.app.inject({ method: 'POST', url, headers: s.headers, payload: payload as object });

/** Data rows of a CSV file as objects, read by the test's own parser. */
function rows(file: string): Array<Record<string, string>> {
  const [header, ...data] = parseCsv(read(file).toString('utf8')).filter((r) => r.some((c) => c !== ''));
  return data.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function countBy<T>(items: T[], key: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of items) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}

/** A user named `name` in the organization of `admin` (invited and accepted, as a person would). */
async function addUser(admin: Session, name: string): Promise<number> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${randomBytes(3).toString('hex')}@example.com`;
  const inv = await post(admin, '/api/v1/invitations', { email, role: 'agent' });
  expect(inv.statusCode).toBe(201);
  const acc = await t.app.inject({
    method: 'POST',
    url: `/api/v1/invitations/${inv.json().token}/accept`,
    payload: { name, password: 'a long password' },
  });
  expect(acc.statusCode).toBe(200);
  return acc.json().user.id;
}

/** Every live lead, converted ones included (the default list leaves them out). */
async function everyLead(s: Session) {
  return allLeads(t.app, s);
}

describe('Zoho export: statuses and owners', () => {
  it('every status and owner value ends up in a real status or owner, or in a warning with its count', async () => {
    const s = await signup(t.app);
    const src = rows(ZOHO);
    const owners = [...new Set(src.map((r) => r['Lead Owner']))].sort();
    expect(owners).toHaveLength(11);
    // Nine of the eleven owners are users of the organization; two are not (their rows are warnings).
    const missing = new Set(owners.slice(0, 2));
    const userIds = new Map<string, number>();
    for (const o of owners) if (!missing.has(o)) userIds.set(o, await addUser(s, o));

    const up = await upload(t.app, s, 'zoho.csv', read(ZOHO));
    expect(up.statusCode).toBe(201);
    const imp = up.json();
    expect(imp.suggested_mapping).toMatchObject({
      'Lead Status': 'status',
      'Lead Owner': 'owner',
      CONVERTED: 'converted',
    });
    const byColumn = new Map(
      imp.value_suggestions.map((v: { column: string }) => [v.column, v] as const),
    ) as Map<string, { values: Array<{ value: string; count: number; suggested: string | null }> }>;
    const statusSug = new Map(byColumn.get('Lead Status')!.values.map((v) => [v.value, v]));
    // Suggested by key, label and category words.
    expect(Object.fromEntries([...statusSug].map(([k, v]) => [k, v.suggested]))).toEqual({
      Contacted: 'in_process',
      'Attempted to Contact': 'in_process',
      'Contact in Future': 'on_hold',
      'Pre Qualified': 'qualified',
      'Not Contacted': 'new',
      'Lost Lead': 'lost',
      'Junk Lead': 'invalid',
    });
    for (const v of byColumn.get('Lead Status')!.values)
      expect(v.count).toBe(src.filter((r) => r['Lead Status'] === v.value).length);
    for (const v of byColumn.get('Lead Owner')!.values)
      expect(v.suggested).toBe(missing.has(v.value) ? null : String(userIds.get(v.value)));
    expect(
      byColumn
        .get('CONVERTED')!
        .values.map((v) => [v.value, v.suggested])
        .sort(),
    ).toEqual([
      ['No', 'false'],
      ['Yes', 'true'],
    ]);

    // Run with the defaults: nothing sent but an empty body.
    expect((await post(s, `/api/v1/imports/${imp.id}/run`)).statusCode).toBe(202);
    const job = await waitForImport(t.app, s, imp.id);
    expect(job.counts).toEqual({ read: 3900, created: 3900, updated: 0, skipped: 0, failed: 0 });

    const leads = await everyLead(s);
    expect(leads).toHaveLength(3900);
    const byExt = new Map(leads.map((l) => [l.external_id, l]));
    const statusKeys = new Set(
      (await get(s, '/api/v1/statuses')).json().data.map((x: { key: string }) => x.key),
    );
    for (const r of src) {
      const l = byExt.get(r.LEADID)!;
      expect(statusKeys.has(l.status)).toBe(true);
      if (r.CONVERTED === 'Yes') {
        // Converted leads are won; the file's own status stays readable beside it.
        expect(l.status).toBe('won');
        expect(l.custom_fields.lead_status).toBe(r['Lead Status']);
      } else {
        expect(l.status).toBe(statusSug.get(r['Lead Status'])!.suggested);
        expect(l.custom_fields.lead_status).toBeUndefined();
      }
      if (missing.has(r['Lead Owner'])) {
        expect(l.owner_id).toBeNull();
        expect(l.custom_fields.lead_owner).toBe(r['Lead Owner']);
      } else {
        expect(l.owner_id).toBe(userIds.get(r['Lead Owner']));
        expect(l.custom_fields.lead_owner).toBeUndefined();
      }
    }
    // The owners that matched nobody are warnings, each with its row count; nothing else is.
    const ownerCounts = countBy(src, (r) => r['Lead Owner']);
    expect(
      job.warnings.map((w: { column: string; value: string; count: number }) => [w.column, w.value, w.count]),
    ).toEqual(expect.arrayContaining([...missing].map((o) => ['Lead Owner', o, ownerCounts.get(o)])));
    expect(job.warnings).toHaveLength(missing.size);
    expect(job.warnings[0].message).toMatch(/matched no/);

    // Columns kept as custom fields are defined: visible through the custom-fields API, typed, filterable.
    const defs = (await get(s, '/api/v1/custom-fields')).json().data as Array<Record<string, any>>;
    const industry = defs.find((d) => d.key === 'industry')!;
    expect(industry).toMatchObject({ label: 'Industry', type: 'enum' });
    const industries = countBy(src, (r) => r.Industry);
    expect([...industry.options].sort()).toEqual([...industries.keys()].sort());
    // Website maps to the lead's own field; the two columns left become fields.
    expect(defs.map((d) => d.key).sort()).toEqual(['industry', 'month_created_time1']);
    const list = await get(s, '/api/v1/leads?cf.industry=Education&include_total=true&limit=5');
    expect(list.statusCode).toBe(200);
    expect(list.json().total).toBe(industries.get('Education'));
    expect(list.json().data.every((l: any) => l.custom_fields.industry === 'Education')).toBe(true);
  }, 180_000);
});

describe('X Education file: converted flag, field types, duplicates', () => {
  it('Converted=1 rows land in a won status; re-importing with the defaults makes no duplicates', async () => {
    const s = await signup(t.app);
    const src = rows(XED);
    const up = (await upload(t.app, s, XED, read(XED))).json();
    // No email or phone column: duplicates are found by the Prospect ID (external id).
    expect(up.suggested_mapping).toMatchObject({ 'Prospect ID': 'external_id', Converted: 'converted' });
    const fields = new Map(up.field_suggestions.map((f: any) => [f.column, f]));
    expect(fields.get('Lead Number')).toMatchObject({ key: 'lead_number', type: 'number' });
    expect(fields.get('TotalVisits')).toMatchObject({ type: 'number' });
    expect(fields.get('Lead Origin')).toMatchObject({ type: 'enum' });
    expect(fields.get('Do Not Call')).toMatchObject({ type: 'boolean' });

    expect((await post(s, `/api/v1/imports/${up.id}/run`, { null_values: ['Select'] })).statusCode).toBe(202);
    const job = await waitForImport(t.app, s, up.id);
    expect(job.options.dedupe).toEqual({ on: ['external_id'], policy: 'skip' });
    expect(job.counts).toEqual({ read: 9240, created: 9240, updated: 0, skipped: 0, failed: 0 });
    const leads = await everyLead(s);
    const byExt = new Map(leads.map((l) => [l.external_id, l]));
    let won = 0;
    for (const r of src) {
      const l = byExt.get(r['Prospect ID'])!;
      expect(l.status).toBe(r.Converted === '1' ? 'won' : 'new');
      if (l.status === 'won') won++;
      expect(l.custom_fields.lead_number).toBe(Number(r['Lead Number']));
      expect(l.custom_fields.do_not_call).toBe(r['Do Not Call'] === 'Yes');
    }
    expect(won).toBe(3561);
    // The conversion report sees them: 38.5% of the file.
    const conv = await get(s, '/api/v1/reports/conversion');
    expect(conv.statusCode).toBe(200);
    const totals = (conv.json().data as Array<{ leads: number; converted: number }>).reduce(
      (a, x) => ({ leads: a.leads + x.leads, converted: a.converted + x.converted }),
      { leads: 0, converted: 0 },
    );
    expect(totals).toEqual({ leads: 9240, converted: 3561 });
    // A created number field filters by value.
    const one = await get(s, `/api/v1/leads?cf.lead_number=${src[0]['Lead Number']}&include_total=true`);
    expect(one.json().total).toBe(1);

    const again = await importFile(t.app, s, XED, read(XED), { null_values: ['Select'] });
    expect(again.counts).toEqual({ read: 9240, created: 0, updated: 0, skipped: 9240, failed: 0 });
    expect(await everyLead(s)).toHaveLength(9240);
  }, 180_000);
});

describe('the value-mapping step', () => {
  const csv = [
    'Email,Name,Stage,Owner,Won,Won On,Tier,Referrer',
    'a@x.io,Ann A,Junk Lead,boss,yes,2024-03-01,Gold,a.example',
    'b@x.io,Bob B,Contacted,nobody,no,,Silver,b.example',
    'c@x.io,Cid C,Hot prospect,,true,"15 Apr, 2021 10:00:00",Gold,',
    'd@x.io,Dee D,Contacted,,0,,Gold,d.example',
  ].join('\n');

  it('the caller changes suggestions value by value, and chooses which columns become fields', async () => {
    const s = await signup(t.app);
    const up = (await upload(t.app, s, 'v.csv', csv)).json();
    expect(up.suggested_mapping).toMatchObject({
      Stage: 'status',
      Owner: 'owner',
      Won: 'converted',
      'Won On': 'converted_at',
    });
    // The values step for an edited mapping: Owner ignored, Tier kept as a field.
    const values = await post(s, `/api/v1/imports/${up.id}/values`, {
      mapping: { ...up.suggested_mapping, Owner: null },
    });
    expect(values.statusCode).toBe(200);
    expect(values.json().value_suggestions.map((v: any) => v.column)).not.toContain('Owner');
    // Four rows are too few to call two values a pick list: suggested as text, the caller makes it an enum.
    expect(values.json().field_suggestions.map((f: any) => [f.column, f.type])).toEqual(
      expect.arrayContaining([['Tier', 'string']]),
    );
    const run = await post(s, `/api/v1/imports/${up.id}/run`, {
      value_map: {
        Stage: { 'Junk Lead': 'duplicate', 'Hot prospect': 'qualified' },
        Owner: { boss: s.email },
      },
      create_fields: { Referrer: null, Tier: { type: 'enum', options: ['Gold', 'Silver'] } },
    });
    expect(run.statusCode, run.body).toBe(202);
    const job = await waitForImport(t.app, s, up.id);
    expect(job.counts).toMatchObject({ created: 4, failed: 0 });
    const leads = new Map((await everyLead(s)).map((l) => [l.email, l]));
    // Won=yes lands in won with the file's date; the user's choice for Junk Lead stays readable as text.
    expect(leads.get('a@x.io')).toMatchObject({ status: 'won', owner_id: s.userId });
    expect(leads.get('b@x.io')).toMatchObject({ status: 'in_process', owner_id: null });
    expect(leads.get('b@x.io')!.custom_fields.owner).toBe('nobody');
    expect(leads.get('c@x.io')!.status).toBe('won');
    expect(leads.get('d@x.io')!.status).toBe('in_process');
    const hist = (await get(s, `/api/v1/leads/${leads.get('c@x.io')!.id}/status-history`)).json();
    expect(JSON.stringify(hist)).toContain('2021-04-15T10:00:00');
    expect(job.warnings).toEqual([expect.objectContaining({ column: 'Owner', value: 'nobody', count: 1 })]);
    const defs = (await get(s, '/api/v1/custom-fields')).json().data as Array<{ key: string; type: string }>;
    expect(defs.find((d) => d.key === 'tier')).toMatchObject({ type: 'enum' });
    expect(defs.map((d) => d.key)).not.toContain('referrer');
    expect(leads.get('a@x.io')!.custom_fields).toMatchObject({ tier: 'Gold', referrer: 'a.example' });
  });

  it('a value map naming a target that does not exist is a 422 naming the value, and writes nothing', async () => {
    const s = await signup(t.app);
    const up = (await upload(t.app, s, 'v.csv', csv)).json();
    const res = await post(s, `/api/v1/imports/${up.id}/run`, {
      value_map: { Stage: { Contacted: 'no_such_status' }, Won: { yes: 'maybe' } },
    });
    expect(res.statusCode).toBe(422);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['value_map.Stage.Contacted', 'value_map.Won.yes']);
    expect((await get(s, `/api/v1/imports/${up.id}`)).json().status).toBe('uploaded');
    expect((await get(s, '/api/v1/custom-fields')).json().data).toEqual([]);
  });
});

describe('import history and failed rows', () => {
  it('GET /imports says who, when, which file, counts and status; failed rows download as the file had them', async () => {
    const s = await signup(t.app, { name: 'Hana Importer' });
    const csv = [
      'Email,First Name,Notes,Amount',
      'ok@x.io,Ok,"fine, really",10',
      'bad-email,Bad,"said ""hi""",20',
      'worse,Worse,two problems,abc',
      ',,,',
      ',,only a note,',
      'ok2@x.io,Ok2,,30',
    ].join('\r\n');
    const job = await importFile(t.app, s, 'people.csv', csv);
    expect(job.counts).toMatchObject({ read: 5, created: 2, failed: 3 });
    const list = (await get(s, '/api/v1/imports')).json().data;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: job.id,
      file_name: 'people.csv',
      status: 'completed',
      created_by: s.userId,
      created_by_name: 'Hana Importer',
      counts: { read: 5, created: 2, updated: 0, skipped: 0, failed: 3 },
      failed_rows_url: `/api/v1/imports/${job.id}/failed-rows.csv`,
    });
    expect(Date.parse(list[0].created_at)).toBeGreaterThan(0);
    expect(Date.parse(list[0].finished_at)).toBeGreaterThanOrEqual(Date.parse(list[0].created_at));

    const res = await get(s, list[0].failed_rows_url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = parseCsv(res.body);
    expect(lines.map((l) => l.slice(0, 4))).toEqual([
      ['Email', 'First Name', 'Notes', 'Amount'],
      ['bad-email', 'Bad', 'said "hi"', '20'],
      ['worse', 'Worse', 'two problems', 'abc'],
      ['', '', 'only a note', ''],
    ]);
    expect(lines[0][4]).toBe('error');
    expect(lines[1][4]).toMatch(/^Email: .*not a valid email/);
    expect(lines[2][4]).toMatch(/Email: .*; Amount: .*amount/);
    expect(lines[3][4]).toMatch(/needs at least one of/);
    // The leads were written through the core's lead rules: one audit entry per batch, in its transaction.
    const audit = await auditActions(t.app, s, 'leads.imported');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      target_type: 'import',
      target_id: String(job.id),
      actor: { user_id: s.userId },
      details: { created: 2, first_row: 2, last_row: 7 },
    });
    // Another organization cannot read them.
    const other = await signup(t.app);
    expect((await get(other, list[0].failed_rows_url)).statusCode).toBe(404);
  });
});
