import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { allLeads, DATA, importFile, parseCsv, upload } from './imports.helpers.js';

// Every real file of ../shared/data, uploaded as a user would, imported with the suggested mapping.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const read = (f: string) => fs.readFileSync(`${DATA}/${f}`);
const byEmail = (leads: Array<Record<string, any>>, email: string) => leads.find((l) => l.email === email)!;

async function importData(file: string, run: Record<string, unknown> = {}) {
  const s = await signup(t.app);
  const job = await importFile(t.app, s, file, read(file), run);
  return { s, job, leads: await allLeads(t.app, s) };
}

/** Data rows of a CSV file (blank lines are not rows), as the test reads it independently of the importer. */
function sourceRows(file: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(
    read(file)
      .toString('utf8')
      .replace(/^\uFEFF/, ''),
  ).filter((r) => r.some((c) => c.trim() !== ''));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

describe('real lead files', () => {
  /** What the suggested value mapping makes of Salesforce's lead statuses (issue 15: by their words). */
  const SALESFORCE_STATUS: Record<string, string> = {
    'Open - Not Contacted': 'new',
    'Working - Contacted': 'in_process',
    'Closed - Converted': 'won',
    'Closed - Not Converted': 'closed',
    '': 'new',
  };

  it('Salesforce CSV (Benji9226): 20 leads, UTF-8 names, international phones with E.164, statuses mapped by their words', async () => {
    const { job, leads } = await importData('Benji9226__Salesforce-Bachelor__Leads.csv');
    expect(job.status).toBe('completed');
    expect(job.counts).toEqual({ read: 20, created: 20, updated: 0, skipped: 0, failed: 0 });
    expect(leads).toHaveLength(20);
    const src = sourceRows('Benji9226__Salesforce-Bachelor__Leads.csv');
    for (const r of src) {
      const l = byEmail(leads, r.Email.toLowerCase());
      expect([l.first_name, l.last_name, l.company_name, l.phone, l.job_title, l.source]).toEqual([
        r.FirstName,
        r.LastName,
        r.Company,
        r.Phone,
        r.Title,
        r.LeadSource,
      ]);
      // "Open - Not Contacted" is no status key or label of the organization: its words suggest one (issue 15).
      expect(l.status).toBe(SALESFORCE_STATUS[r.Status]);
      expect(l.custom_fields.status).toBeUndefined();
      expect(l.custom_fields.industry).toBe(r.Industry || undefined);
      expect(l.custom_fields.phone_e164).toBe(r.Phone.replace(/[\s]/g, ''));
    }
    const robert = byEmail(leads, 'r.mueller@zurichwealth.ch');
    expect([robert.last_name, robert.company_name]).toEqual(['Müller', 'Zürich Wealth Management']);
  });

  it('Salesforce JSON tree export (Lead.json): 22 leads from "records", attributes metadata skipped, USA -> US', async () => {
    const file = 'Los-Angeles-Salesforce-Developer-Group__salesforce-data-loader-examples__Lead.json';
    const { job, leads } = await importData(file);
    const records = JSON.parse(read(file).toString()).records as Array<Record<string, any>>;
    expect(job.json_path).toBe('$.records');
    expect(job.counts).toMatchObject({ read: records.length, created: records.length, failed: 0 });
    for (const r of records) {
      const l = byEmail(leads, r.Email.toLowerCase());
      expect([
        l.first_name,
        l.last_name,
        l.company_name,
        l.phone ?? undefined,
        l.civility ?? undefined,
      ]).toEqual([r.FirstName, r.LastName, r.Company, r.Phone, r.Salutation]);
      expect(l.source).toBe(r.LeadSource ?? null);
      expect(l.address.country).toBe(
        { USA: 'US', Taiwan: 'TW', Japan: 'JP', France: 'FR' }[r.Country as string] ?? null,
      );
      expect(l.address.state).toBe(r.State ?? null);
      expect(l.status).toBe(SALESFORCE_STATUS[r.Status]);
      expect(l.custom_fields).not.toHaveProperty('attributes.type');
      // Salesforce's rating words are suggested as a scale of 1 to 5 (Hot 5, Warm 3).
      expect(l.rating).toBe(r.Rating ? { Hot: 5, Warm: 3 }[r.Rating as string] : null);
    }
    const kristen = byEmail(leads, 'kakin@athenahome.com');
    expect(kristen.custom_fields.phone_e164).toBe('+14343693100');
    // A column kept as a custom field becomes a field typed from its values (issue 15): a number here.
    expect(kristen.custom_fields.numberof_locations_c).toBe(130);
  });

  it('Django-CRM contacts sample: lowercase headers with spaces', async () => {
    const { job, leads } = await importData('MicroPyramid__Django-CRM__contacts_sample.csv');
    expect(job.suggested_mapping).toMatchObject({
      'company name': 'company_name',
      'first name': 'first_name',
      'last name': 'last_name',
      email: 'email',
      city: 'city',
      state: 'state',
    });
    expect(job.counts).toMatchObject({ read: 3, created: 3, failed: 0 });
    const hr = byEmail(leads, 'hr@micropyramid.com');
    expect([hr.first_name, hr.last_name, hr.company_name, hr.address.city, hr.address.state]).toEqual([
      'HR',
      'MP',
      'micropyramid',
      'Hyderabad',
      'Telangana',
    ]);
  });

  it('X Education lead scoring (9,240 rows): Prospect ID -> external_id, "Select" read as empty on request', async () => {
    const file = 'abhisek-web__leads_scoring_data__Leads.csv';
    const up = await upload(t.app, await signup(t.app), file, read(file));
    expect(up.json().suggested_mapping).toMatchObject({
      'Prospect ID': 'external_id',
      'Lead Number': 'custom_fields.lead_number',
      'Lead Source': 'source',
      Country: 'country',
      Tags: 'tags',
      Converted: 'converted',
    });
    expect(up.json().suggested_null_values).toContain('Select');
    // Tags here are a free-text lead stage, not labels: keep them as a custom field.
    const mapping = { ...up.json().suggested_mapping, Tags: 'custom_fields.stage_note' };
    const { job, leads } = await importData(file, { mapping, null_values: ['Select'] });
    const src = sourceRows(file);
    expect(src).toHaveLength(9240);
    expect(job.counts).toEqual({ read: 9240, created: 9240, updated: 0, skipped: 0, failed: 0 });
    expect(leads).toHaveLength(9240);
    const byExt = new Map(leads.map((l) => [l.external_id, l]));
    for (const r of src) {
      const l = byExt.get(r['Prospect ID'])!;
      // Spellings that differ only by case ("google"/"Google") get the file's most common one.
      expect((l.source ?? '').toLowerCase()).toBe(r['Lead Source'].toLowerCase());
      // Columns kept as custom fields become fields typed from their values (issue 15): Lead Number is a number.
      expect(l.custom_fields.lead_number).toBe(Number(r['Lead Number']));
      if (r.Country === 'India') expect(l.address.country).toBe('IN');
      expect(l.custom_fields.specialization).toBe(
        r.Specialization && r.Specialization !== 'Select' ? r.Specialization : undefined,
      );
      // Converted=1 lands in a won status (issue 15), no longer as the text "1" in a custom field.
      expect(l.status).toBe(r.Converted === '1' ? 'won' : 'new');
      expect(l.custom_fields.converted).toBeUndefined();
    }
  }, 180_000);

  it('Krayin leads: a row that names nobody fails with a clear message, the other imports', async () => {
    const { s, job, leads } = await importData('krayin__laravel-crm__samples_leads.csv');
    expect(job.counts).toMatchObject({ read: 2, created: 1, failed: 1 });
    expect(leads[0]).toMatchObject({
      external_id: '1',
      value: '50000.00',
      expected_close_date: '2024-09-02',
    });
    expect(leads[0].description).toContain('TaskMaster Pro – an advanced');
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/v1/imports/${job.id}/errors.csv`,
      headers: s.headers,
    });
    const lines = parseCsv(csv.body);
    expect(lines[0]).toEqual(['row', 'column', 'value', 'message']);
    expect(lines[1][0]).toBe('3');
    expect(lines[1][3]).toMatch(/needs at least one of/);
  });

  it('Krayin persons: JSON lists of emails and phones inside cells', async () => {
    const { job, leads } = await importData('krayin__laravel-crm__samples_persons.csv');
    expect(job.counts).toMatchObject({ read: 2, created: 2, failed: 0 });
    const w = byEmail(leads, 'contact@wilson.com');
    expect([w.first_name, w.last_name, w.phone, w.job_title]).toEqual([
      'Wilson',
      'Fisk',
      '5454445454',
      'Sales Executive',
    ]);
    expect(w.custom_fields.emails_other).toBe('contact.home@wilson.com');
    expect(byEmail(leads, 'contact@sasha.com').last_name).toBe('Calle');
  });

  it('Atomic CRM export: three email columns, the first non-empty wins and the others are kept', async () => {
    const { job, leads } = await importData('marmelab__atomic-crm__contacts_export.csv');
    expect(job.counts).toMatchObject({ read: 2, created: 2, failed: 0 });
    const john = byEmail(leads, 'john@doe.example');
    expect(john.custom_fields).toMatchObject({
      email_home: 'john.doe@gmail.com',
      email_other: 'jdoe@caramail.com',
      phone_home: '740.645.3807',
    });
    expect(john.phone).toBe('659-980-2015');
    expect(john.tags).toEqual(['developer', 'influencer']);
    // Jane has no work or home email: the "other" one is hers, and nothing leaks from John's row.
    const jane = byEmail(leads, 'jane@doe.example');
    expect(jane.custom_fields.email_home).toBeUndefined();
    expect(jane.custom_fields.phone_other).toBeUndefined();
  });

  it('Atomic CRM test data (500 rows, no final newline, extensions in phones)', async () => {
    const file = 'marmelab__atomic-crm__test-data_contacts.csv';
    const { job, leads } = await importData(file);
    const src = sourceRows(file);
    expect(src).toHaveLength(500);
    expect(job.counts).toMatchObject({ read: 500, created: 500, failed: 0 });
    const byExt = new Map(leads.map((l) => [l.external_id, l]));
    for (const r of src) {
      const l = byExt.get(r.id)!;
      expect([l.first_name, l.last_name, l.company_name]).toEqual([
        r.first_name,
        r.last_name,
        r.company_name,
      ]);
      expect(l.email).toBe((r.email_work || r.email_home || r.email_other || '').toLowerCase() || null);
      expect(l.phone).toBe(r.phone_work || r.phone_home || r.phone_other || null);
    }
  });

  it('Atomic CRM JSON import sample: contacts with nested email and phone lists', async () => {
    const { job, leads } = await importData('marmelab__atomic-crm__import-sample.json');
    expect(job.json_path).toBe('$.contacts');
    expect(job.counts).toMatchObject({ read: 2, created: 2, failed: 0 });
    const cave = byEmail(leads, 'cave.johnson@aperturescience.com');
    expect([cave.first_name, cave.last_name, cave.job_title, cave.phone]).toEqual([
      'Cave',
      'Johnson',
      'CEO & Founder',
      '15551234567',
    ]);
    expect(cave.tags).toEqual(['Science', 'VIP']);
    expect(leads.find((l) => l.last_name === 'Freeman')).toBeDefined();
  });

  it('Zoho CRM export (3,900 rows): quoted "15 Apr, 2021 00:03:00" dates become created_at', async () => {
    const file = 'rahulanilnair__Analysis-of-ZOHO-CRM-Analytics-using-SQL__Leads.csv';
    const { job, leads } = await importData(file);
    expect(job.suggested_mapping).toMatchObject({
      LEADID: 'external_id',
      'Created Time': 'created_at',
      'Lead Owner': 'owner',
      'Lead Status': 'status',
      Mobile: 'mobile',
    });
    expect(job.counts).toEqual({ read: 3900, created: 3900, updated: 0, skipped: 0, failed: 0 });
    const first = leads.find((l) => l.external_id === '4563')!;
    expect(first).toMatchObject({
      last_name: 'Denson',
      email: 'garyldenson@cuvox.de',
      mobile: '660-485-0224',
      created_at: '2021-04-15T00:03:00.000Z',
    });
    // CONVERTED=Yes lands in a won status; the file's own status stays readable as text beside it. No user
    // named David Love in this organization: the name is kept as text (and counted in the warnings).
    expect(first.status).toBe('won');
    expect(first.custom_fields).toMatchObject({ lead_owner: 'David Love', lead_status: 'Contacted' });
    expect(first.custom_fields.converted).toBeUndefined();
    expect(job.warnings).toContainEqual(
      expect.objectContaining({ column: 'Lead Owner', value: 'David Love', count: 334 }),
    );
    const last = leads.find((l) => l.external_id === sourceRows(file).at(-1)!.LEADID)!;
    expect(last.created_at).toBe('2018-07-02T00:05:00.000Z');
  });

  it('easy-spaces CSV and its JSON twin import the same leads', async () => {
    const csv = await importData('trailheadapps__easy-spaces-lwc__Lead_Data.csv');
    const json = await importData('trailheadapps__easy-spaces-lwc__Leads.json');
    expect(csv.job.counts).toMatchObject({ read: 11, created: 11, failed: 0 });
    expect(json.job.counts).toMatchObject({ read: 11, created: 11, failed: 0 });
    const pick = (l: Record<string, any>) => [
      l.email,
      l.first_name,
      l.last_name,
      l.company_name,
      l.mobile,
      l.address.city,
      l.address.country,
    ];
    expect(csv.leads.map(pick).sort()).toEqual(json.leads.map(pick).sort());
    const tam = byEmail(csv.leads, 'tleung@tripod.com');
    expect(tam.custom_fields.mobile_e164).toBe('+15637162944');
    expect(byEmail(csv.leads, 'lgeratt2@icq.com').job_title).toBe('Founder, CTO');
  });

  it('SuiteCRM 8 export: 61 columns, dd-mm-yyyy dates, UUID id', async () => {
    const { job, leads } = await importData('uraniusa11-Repository__Team6_Suite8__Leads.csv');
    expect(job.counts).toMatchObject({ read: 1, created: 1, failed: 0 });
    expect(leads[0]).toMatchObject({
      first_name: 'Iya',
      last_name: 'Swa',
      external_id: '0097c0de-e6c6-4b97-a652-a178e5b7bc30',
      job_title: 'VP Sales',
      company_name: 'Gifted Holdings AG',
      email: 'sales20@example.tv',
      mobile: '(200) 975-7304',
      phone: '(337) 977-1647',
      status: 'new',
      source: 'Cold Call',
      created_at: '2022-08-28T17:00:00.000Z',
      address: { line1: '32 University Ave.', city: 'Ohio', postal_code: '96018', country: 'US' },
    });
    expect(leads[0].custom_fields).toMatchObject({
      home_phone: '(486) 865-1970',
      assigned_to: 'sally',
      // Made a date-time field from its values (issue 15): read day first, the time kept.
      date_modified: '2026-05-07T19:00:00.000Z',
    });
  });

  it('the Odoo demo XML is refused with a message naming the formats that work', async () => {
    const s: Session = await signup(t.app);
    const res = await upload(t.app, s, 'crm_lead_demo.xml', read('odoo15__crm_lead_demo.xml'));
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/XML.*CSV, TSV, XLSX and JSON/);
  });
});
