import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { countAllTables, changedTables } from './table-counts.js';
import { CREATE_LEAD } from './compat-django-crm.samples.js';
import { uuidOf } from '../src/compat/django-crm/django.ids.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;
let agentId: number;

const headers = (who: Session = s) => ({
  authorization: `Bearer ${who.token}`,
  'organization-id': uuidOf('org', who.orgId),
});
const dj = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({
    method,
    url: `/compat/django-crm${url}`,
    headers: headers(),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
const intOf = (uuid: string) => parseInt(uuid.slice(-12), 16);

/** multipart/form-data with text fields and files, as a browser form sends it. */
function form(
  fields: Record<string, string>,
  files: Array<{ field: string; name: string; content: string | Buffer }>,
) {
  const b = `----dj${randomBytes(6).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files)
    parts.push(
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${b}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { ...headers(), 'content-type': `multipart/form-data; boundary=${b}` },
  };
}

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  agentId = (await addMember(app, s, 'agent')).userId;
  const leads = [
    {
      first_name: 'Jane',
      last_name: 'Prospect',
      title: 'Product Demo Request',
      city: 'Seattle',
      email: 'jane@prospect.com',
      tags: ['demo'],
    },
    {
      first_name: 'Janet',
      last_name: 'Other',
      title: 'Pricing question',
      city: 'Portland',
      email: 'janet@other.com',
      tags: ['pricing'],
      assigned_to: [uuidOf('user', agentId)],
    },
    {
      first_name: 'Bob',
      last_name: 'Closed',
      title: 'Gone quiet',
      city: 'Seattle',
      email: 'bob@closed.com',
      status: 'closed',
    },
    {
      first_name: 'Rita',
      last_name: 'Recycled',
      title: 'Next year',
      city: 'Boston',
      email: 'rita@rec.com',
      status: 'recycled',
    },
  ];
  for (const l of leads) {
    const res = await dj('POST', '/api/leads/', { ...l, source: 'Referral' });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => t.close());

describe('GET /api/leads/ filters and paging (in the core list)', () => {
  const names = async (q: string) => {
    const res = await dj('GET', `/api/leads/?${q}`);
    expect(res.statusCode).toBe(200);
    const b = res.json();
    return {
      open: b.open_leads.map((l: { first_name: string }) => l.first_name).sort(),
      closed: b.closed_leads.map((l: { first_name: string }) => l.first_name).sort(),
      counts: [b.open_leads_count, b.closed_leads_count],
    };
  };

  it('name, title, city and email match as "contains", case-insensitive', async () => {
    expect((await names('name=jan')).open).toEqual(['Jane', 'Janet']);
    expect((await names('name=prospect')).open).toEqual(['Jane']);
    expect((await names('title=demo')).open).toEqual(['Jane']);
    expect(await names('city=seattle')).toEqual({ open: ['Jane'], closed: ['Bob'], counts: [1, 1] });
    expect((await names('email=other.com')).open).toEqual(['Janet']);
  });

  it('status, tags, assigned_to and source', async () => {
    expect(await names('status=closed')).toEqual({ open: [], closed: ['Bob'], counts: [0, 1] });
    expect((await names('status=recycled')).open).toEqual(['Rita']);
    expect((await names('status=assigned')).open).toEqual(['Jane', 'Janet']);
    expect((await names('tags=pricing')).open).toEqual(['Janet']);
    expect((await names(`assigned_to=${uuidOf('user', agentId)}`)).open).toEqual(['Janet']);
    expect((await names('source=Referral')).counts).toEqual([3, 1]);
    expect((await names('source=Cold%20Call')).counts).toEqual([0, 0]);
    const bad = await dj('GET', '/api/leads/?status=won');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.status).toHaveLength(1);
  });

  it('limit (default 10) and offset page the open and closed lists, counts are the totals', async () => {
    const p1 = (await dj('GET', '/api/leads/?limit=2')).json();
    const p2 = (await dj('GET', '/api/leads/?limit=2&offset=2')).json();
    expect(p1.open_leads).toHaveLength(2);
    expect(p2.open_leads).toHaveLength(1);
    expect(p1.open_leads_count).toBe(3);
    expect(p2.open_leads_count).toBe(3);
    const ids = [...p1.open_leads, ...p2.open_leads].map((l: { id: string }) => l.id);
    expect(new Set(ids).size).toBe(3);
    const past = (await dj('GET', '/api/leads/?offset=50')).json();
    expect(past.open_leads).toEqual([]);
    expect(past.open_leads_count).toBe(3);
  });
});

describe('multipart create with attachments, attachment delete', () => {
  it('POST /api/leads/ as multipart (lists as JSON strings) stores the lead and its attachment', async () => {
    const m = form(
      {
        title: 'With a file',
        first_name: 'Fred',
        last_name: 'File',
        email: 'fred@file.com',
        status: 'in process',
        tags: '["docs","rfp"]',
        assigned_to: JSON.stringify([uuidOf('user', agentId)]),
        country: 'USA',
      },
      [{ field: 'lead_attachment', name: 'rfp.txt', content: 'the request for proposal' }],
    );
    const res = await app.inject({ method: 'POST', url: '/compat/django-crm/api/leads/', ...m });
    expect(res.statusCode, res.body).toBe(201);
    const lead = res.json();
    expect(lead).toMatchObject({
      status: 'in process',
      tags: ['docs', 'rfp'],
      country: 'USA',
      assigned_to: [uuidOf('user', agentId)],
    });
    const detail = (await dj('GET', `/api/leads/${lead.id}/`)).json();
    expect(detail.attachments).toHaveLength(1);
    expect(detail.attachments[0].file_name).toBe('rfp.txt');
    const att = detail.attachments[0].id;
    expect((await dj('DELETE', `/api/leads/attachment/${att}/`)).statusCode).toBe(204);
    expect((await dj('GET', `/api/leads/${lead.id}/`)).json().attachments).toEqual([]);
    expect((await dj('DELETE', `/api/leads/attachment/${att}/`)).statusCode).toBe(404);
  });

  it('POST /api/leads/{id}/ with a comment and an attachment adds both', async () => {
    const lead = (await dj('POST', '/api/leads/', { first_name: 'Cora', last_name: 'Comment' })).json();
    const m = form({ comment: 'see the file' }, [
      { field: 'attachment', name: 'notes.txt', content: 'notes' },
    ]);
    const res = await app.inject({ method: 'POST', url: `/compat/django-crm/api/leads/${lead.id}/`, ...m });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().comments.map((c: { comment: string }) => c.comment)).toEqual(['see the file']);
    expect(res.json().attachments.map((a: { file_name: string }) => a.file_name)).toEqual(['notes.txt']);
    const before = await countAllTables(t.db);
    const empty = await dj('POST', `/api/leads/${lead.id}/`, {});
    expect(empty.statusCode).toBe(400);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
  });
});

describe('POST /api/leads/upload/', () => {
  const upload = (csv: string | Buffer, name = 'leads.csv') => {
    const m = form({}, [{ field: 'leads_file', name, content: csv }]);
    return app.inject({ method: 'POST', url: '/compat/django-crm/api/leads/upload/', ...m });
  };

  it('imports the good rows and lists each bad row with its number and message', async () => {
    const csv = [
      'title,first_name,last_name,email,phone,status,source,account_name,opportunity_amount,city,country',
      'Demo,Ann,One,ann@up.com,+15550001,assigned,Website Form,Up Co,1000.00,Austin,USA',
      'Demo,Ben,Two,not-an-email,+15550002,in process,Cold Call,Up Co,2000.00,Austin,US',
      'Demo,Cid,Three,cid@up.com,+15550003,in process,Referral,Up Co,lots,Austin,US',
      'Demo,Dee,Four,dee@up.com,+15550004,recycled,Trade Show,Up Co,4000.00,Austin,US',
    ].join('\n');
    const res = await upload(csv);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'partial', imported_count: 2, failed_count: 2 });
    expect(body.errors.map((e: { row: number }) => e.row).sort()).toEqual([3, 4]);
    for (const e of body.errors) expect(typeof e.message).toBe('string');
    const list = (await dj('GET', '/api/leads/?city=austin')).json();
    expect(
      list.open_leads
        .map((l: { first_name: string; status: string; source: string }) => [
          l.first_name,
          l.status,
          l.source,
        ])
        .sort(),
    ).toEqual([
      ['Ann', 'assigned', 'Website Form'],
      ['Dee', 'recycled', 'Trade Show'],
    ]);
  });

  it('a file whose every row is bad answers 400 "failed", never "created" with nothing', async () => {
    const res = await upload('first_name,last_name,email\nA,B,nope\nC,D,also-nope\n');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 'failed', imported_count: 0, failed_count: 2 });
    expect(res.json().errors).toHaveLength(2);
  });

  it('a file over the waiting limit (1 MB) answers 202 with a job to poll, which ends with the counts', async () => {
    const rows = ['first_name,last_name,email,description'];
    const pad = 'x'.repeat(60);
    for (let i = 0; i < 12_000; i++) rows.push(`Big${i},Batch,big${i}@batch.com,${pad}`);
    rows.push('Bad,Row,not-an-email,x');
    const csv = rows.join('\n');
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const res = await upload(csv);
    expect(res.statusCode, res.body).toBe(202);
    const job = res.json().job;
    expect(res.json().status).toBe('processing');
    let body: {
      status: string;
      imported_count: number;
      failed_count: number;
      errors: Array<{ row: number }>;
    };
    const until = Date.now() + 120_000;
    for (;;) {
      const poll = await dj('GET', `/api/leads/upload/${job.id}/`);
      body = poll.json();
      if (body.status !== 'processing' || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toMatchObject({ status: 'partial', imported_count: 12_000, failed_count: 1 });
    expect(body.errors).toEqual([expect.objectContaining({ row: 12_002 })]);
  }, 180_000);

  it('an Excel file (XLSX) imports the same way', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Leads');
    ws.addRow(['First Name', 'Last Name', 'Email', 'Status', 'City', 'Country']);
    ws.addRow(['Xena', 'Excel', 'xena@xl.com', 'In Process', 'Denver', 'USA']);
    ws.addRow(['Yuri', 'Excel', 'bad-email', 'closed', 'Denver', 'US']);
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()), 'leads.xlsx');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'partial', imported_count: 1, failed_count: 1 });
    expect(res.json().errors).toEqual([expect.objectContaining({ row: 3 })]);
    const list = (await dj('GET', '/api/leads/?city=denver')).json();
    expect(
      list.open_leads.map((l: { first_name: string; status: string; country: string }) => [
        l.first_name,
        l.status,
        l.country,
      ]),
    ).toEqual([['Xena', 'in process', 'US']]);
  });

  it('no leads_file is a 400 naming it', async () => {
    const m = form({ other: 'x' }, []);
    const res = await app.inject({ method: 'POST', url: '/compat/django-crm/api/leads/upload/', ...m });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.leads_file).toBeDefined();
  });
});

describe('the same lead through /api/v1 and the capillary surface', () => {
  it('a lead made here is the core lead everywhere, and a change in /api/v1 shows here', async () => {
    const lead = (
      await dj('POST', '/api/leads/', {
        ...CREATE_LEAD,
        contacts: [],
        assigned_to: [],
        teams: [],
        email: 'same@lead.com',
      })
    ).json();
    const id = intOf(lead.id);
    const cap = await app.inject({
      method: 'GET',
      url: `/compat/capillary/v2/leads/${id}`,
      headers: s.headers,
    });
    expect(cap.statusCode).toBe(200);
    expect(cap.json().leadFor).toBe('Enterprise Software Inquiry');
    const v1 = await app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${id}`,
      headers: s.headers,
      payload: { status: 'qualified', title: 'Changed in v1' },
    });
    expect(v1.statusCode).toBe(200);
    const here = (await dj('GET', `/api/leads/${lead.id}/`)).json().lead_obj;
    expect(here).toMatchObject({ title: 'Changed in v1', status: 'in process', country: 'USA' });
  });
});
