import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import {
  ADD_LEAD_POST,
  ADD_LEAD_RESPONSE,
  FOLLOWUP_ENTRY,
  FOLLOWUP_POST,
  REASONS_POST,
  REASONS_RESPONSE,
  SEARCH_URL,
  SUBSTATUSES_RESPONSE,
  SUBSTATUS_POST,
  SUBSTATUS_RESPONSE,
  UPDATE_LEAD_PUT,
  UPDATE_STATUS_LAST_ENTRY,
  UPDATE_STATUS_PUT,
  sameInstant,
  shapeDiff,
} from './compat-capillary.samples.js';

let t: TestApp;
let app: FastifyInstance;
let s: Session;
/** The document's reason ids 1, 2, 3 -> the ids the same reasons got here. */
let reasonId: Record<number, number>;

const cap = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, who: Session = s) =>
  app.inject({
    method,
    url: `/compat/capillary${url}`,
    headers: who.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

/** The document's Add Lead request with its reason ids translated. */
const addLeadBody = (overrides: Record<string, unknown> = {}) => ({
  ...ADD_LEAD_POST,
  statusLogDetails: ADD_LEAD_POST.statusLogDetails.map((e) => ({ ...e, reasonId: reasonId[e.reasonId] })),
  ...overrides,
});

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
});
afterAll(async () => t.close());

describe('reasons and sub-statuses (seed 002 samples)', () => {
  it('POST /v2/leads/reasons adds the sample reasons and answers { data, warnings, errors }', async () => {
    const res = await cap('POST', '/v2/leads/reasons', REASONS_POST);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(shapeDiff(body, REASONS_RESPONSE)).toEqual([]);
    expect(body.data.map((r: { reason: string }) => r.reason)).toEqual(
      REASONS_RESPONSE.data.map((r) => r.reason),
    );
    expect(body.warnings).toEqual([]);
    expect(body.errors).toEqual([]);
    reasonId = Object.fromEntries(body.data.map((r: { id: number }, i: number) => [i + 1, r.id]));
  });

  it('GET /v2/leads/reasons lists them with their ids (the numbers of the same reasons in /api/v1/reasons)', async () => {
    const res = await cap('GET', '/v2/leads/reasons');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(shapeDiff(body, REASONS_RESPONSE)).toEqual([]);
    for (const [i, r] of REASONS_RESPONSE.data.entries()) {
      expect(body.data).toContainEqual({ id: reasonId[i + 1], reason: r.reason });
    }
    const core = await app.inject({ method: 'GET', url: '/api/v1/reasons', headers: s.headers });
    expect(
      core
        .json()
        .data.map((r: { number: number }) => r.number)
        .sort(),
    ).toEqual(body.data.map((r: { id: number }) => r.id).sort());
  });

  it('adding a reason again returns its id with a warning instead of a duplicate', async () => {
    const res = await cap('POST', '/v2/leads/reasons', [REASONS_POST[0]]);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual([{ id: reasonId[1], reason: REASONS_POST[0].reason }]);
    expect(res.json().warnings[0].code).toBe(3003);
  });

  it('POST /v2/leads/substatus and GET /v2/leads/substatuses', async () => {
    const res = await cap('POST', '/v2/leads/substatus', SUBSTATUS_POST);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(SUBSTATUS_RESPONSE);
    expect(
      (await cap('POST', '/v2/leads/substatus', { status: 'LOST', subStatus: 'InvalidPhoneNumber' }))
        .statusCode,
    ).toBe(200);
    const list = await cap('GET', '/v2/leads/substatuses');
    expect(list.statusCode).toBe(200);
    expect(shapeDiff(list.json(), SUBSTATUSES_RESPONSE)).toEqual([]);
    for (const item of SUBSTATUSES_RESPONSE.data) expect(list.json().data).toContainEqual(item);
    // They are the core's sub-statuses of the mapped statuses.
    const onHold = await app.inject({
      method: 'GET',
      url: '/api/v1/statuses/on_hold/sub-statuses',
      headers: s.headers,
    });
    expect(JSON.stringify(onHold.json())).toContain('YetToDecide');
  });
});

describe('a lead through its life (seed 002 samples)', () => {
  let lead: Record<string, any>;

  it('POST /v2/leads creates the sample lead with its customer, follow-ups, status log and extended fields', async () => {
    const res = await cap('POST', '/v2/leads', addLeadBody());
    expect(res.statusCode).toBe(200);
    lead = res.json();
    expect(shapeDiff(lead, ADD_LEAD_RESPONSE)).toEqual([]);
    expect(lead).toMatchObject({
      type: 'SKU',
      leadFor: 'item001',
      status: 'ON_HOLD',
      createdBy: 28812689,
      orgSourceId: -1,
    });
    expect(lead.extendedFields).toEqual({ trial_status: 'Not Done' });
    expect(sameInstant(lead.createdOn, ADD_LEAD_POST.createdOn)).toBe(true);
    expect(sameInstant(lead.nextFollowUp, ADD_LEAD_POST.nextFollowUp)).toBe(true);
    expect(lead.followUpDetails.map((f: any) => [f.notes, f.followedUpBy, f.leadId, f.userId])).toEqual([
      ['notes 1', 28812689, lead.id, lead.userId],
      ['notes 2', 28812689, lead.id, lead.userId],
    ]);
    expect(sameInstant(lead.followUpDetails[0].followedUpOn, '2018-10-04T12:45:00+05:30')).toBe(true);
    expect(sameInstant(lead.followUpDetails[0].scheduledFollowUp, '2018-10-04T12:30:00+05:30')).toBe(true);
    expect(lead.statusLogDetails.map((e: any) => [e.status, e.createdBy, e.reasonId, e.reason])).toEqual([
      ['OPEN', 28812689, reasonId[1], 'Item not available in store'],
      ['ON_HOLD', 28812689, reasonId[2], 'Best price availabe at another store'],
    ]);
    // The extended field was new to the organization: created as a text custom field, and said so.
    expect(lead.warnings).toEqual([
      expect.objectContaining({ code: 3001, message: expect.stringContaining('trial_status') }),
    ]);
    const fields = await app.inject({ method: 'GET', url: '/api/v1/custom-fields', headers: s.headers });
    expect(fields.json().data).toContainEqual(
      expect.objectContaining({ key: 'trial_status', type: 'string' }),
    );
  });

  it('the customer is a contact found or created from the identifier', async () => {
    expect(lead.userId).toEqual(expect.any(Number));
    const contact = await app.inject({
      method: 'GET',
      url: `/api/v1/contacts/${lead.userId}`,
      headers: s.headers,
    });
    expect(contact.statusCode).toBe(200);
    expect(contact.json().emails[0].email).toBe('tom.sawyer@example.com');
    const again = await cap('POST', '/v2/leads', {
      leadFor: 'item002',
      idType: 'EMAIL',
      identifier: 'Tom.Sawyer@example.com',
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().userId).toBe(lead.userId);
    const byUser = await cap('POST', '/v2/leads', { leadFor: 'item003', userId: lead.userId, type: 'BRAND' });
    expect(byUser.statusCode).toBe(200);
    expect(byUser.json()).toMatchObject({
      userId: lead.userId,
      type: 'BRAND',
      status: 'OPEN',
      orgSourceId: -1,
    });
  });

  it('the lead is a core lead: /api/v1 shows it and its history', async () => {
    const core = await app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}`, headers: s.headers });
    expect(core.statusCode).toBe(200);
    expect(core.json()).toMatchObject({
      title: 'item001',
      status: 'on_hold',
      email: 'tom.sawyer@example.com',
    });
    // type and orgSourceId are the surface's owned fields, in its namespace.
    expect(core.json().custom_fields).toMatchObject({
      trial_status: 'Not Done',
      capillary__lead_type: 'SKU',
      capillary__org_source_id: -1,
    });
    expect(sameInstant(core.json().created_at, ADD_LEAD_POST.createdOn)).toBe(true);
    const history = await app.inject({
      method: 'GET',
      url: `/api/v1/leads/${lead.id}/status-history`,
      headers: s.headers,
    });
    expect(history.json().data.map((h: any) => [h.to, h.reason?.text])).toEqual([
      ['new', 'Item not available in store'],
      ['on_hold', 'Best price availabe at another store'],
    ]);
  });

  it('GET /v2/leads/{leadId} returns the same lead', async () => {
    const res = await cap('GET', `/v2/leads/${lead.id}`);
    expect(res.statusCode).toBe(200);
    const { warnings: _w, ...rest } = res.json();
    const { warnings: _w2, ...created } = lead;
    expect(rest).toEqual(created);
  });

  it('PUT /v2/leads/{leadId} updates extended fields', async () => {
    const res = await cap('PUT', `/v2/leads/${lead.id}`, {
      extendedFields: { ...UPDATE_LEAD_PUT.extendedFields, trial_status: 'Done' },
    });
    expect(res.statusCode).toBe(200);
    expect(shapeDiff(res.json(), ADD_LEAD_RESPONSE)).toEqual([]);
    expect(res.json().extendedFields).toEqual({ trial_status: 'Done' });
    expect(res.json().warnings).toEqual([]);
    const sample = await cap('PUT', `/v2/leads/${lead.id}`, UPDATE_LEAD_PUT);
    expect(sample.json().extendedFields).toEqual({ trial_status: 'Not Done' });
    expect(sample.json().statusLogDetails).toHaveLength(2);
  });

  it('PUT /v2/leads/{leadId}/status appends to statusLogDetails with the reason text and sub-status', async () => {
    const res = await cap('PUT', `/v2/leads/${lead.id}/status`, {
      ...UPDATE_STATUS_PUT,
      reasonId: reasonId[2],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'ON_HOLD', subStatus: 'YetToDecide' });
    expect(body.statusLogDetails).toHaveLength(3);
    const entry = body.statusLogDetails[2];
    expect(shapeDiff(entry, UPDATE_STATUS_LAST_ENTRY)).toEqual([]);
    expect(entry).toMatchObject({
      status: 'ON_HOLD',
      createdBy: 28812689,
      reasonId: reasonId[2],
      reason: 'Best price availabe at another store',
      subStatus: 'YetToDecide',
      leadId: lead.id,
      userId: lead.userId,
    });
    const core = await app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}`, headers: s.headers });
    expect(core.json()).toMatchObject({ status: 'on_hold', sub_status: 'YetToDecide' });
  });

  it('a status change made in /api/v1 shows up in statusLogDetails', async () => {
    const change = await app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/status`,
      headers: s.headers,
      payload: { status: 'won' },
    });
    expect(change.statusCode).toBe(200);
    const res = await cap('GET', `/v2/leads/${lead.id}`);
    expect(res.json().status).toBe('WON');
    const last = res.json().statusLogDetails.at(-1);
    // Made by a Leadflow user, not by one of the client's staff: -1 (the document's "system"), never a Leadflow id.
    expect(last).toMatchObject({ status: 'WON', createdBy: -1 });
    expect(res.json().subStatus).toBeUndefined();
  });

  it('POST /v2/leads/{leadId}/followup records a follow-up and updates lastFollowUp', async () => {
    const res = await cap('POST', `/v2/leads/${lead.id}/followup`, FOLLOWUP_POST);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.followUpDetails).toHaveLength(3);
    const entry = body.followUpDetails[2];
    expect(
      shapeDiff(entry, { ...FOLLOWUP_ENTRY, scheduledFollowUp: undefined, followedUpBy: undefined }),
    ).toEqual([]);
    expect(entry).toMatchObject({ createdBy: 124, leadId: lead.id, userId: lead.userId });
    expect(sameInstant(entry.followedUpOn, FOLLOWUP_POST.followedUpOn)).toBe(true);
    expect(sameInstant(body.lastFollowUp, FOLLOWUP_POST.followedUpOn)).toBe(true);
    expect(body.lastUpdatedBy).toBe(124);
    const core = await app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}`, headers: s.headers });
    expect(sameInstant(core.json().last_follow_up_at, FOLLOWUP_POST.followedUpOn)).toBe(true);
  });

  it('GET /v2/leads (the sample search) lists leads newest first in { data, warnings, errors }', async () => {
    const res = await cap('GET', SEARCH_URL);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.warnings).toEqual([]);
    expect(body.errors).toEqual([]);
    expect(body.data.length).toBe(3);
    const sampleLead = body.data.find((l: any) => l.id === lead.id);
    // The entries made by the later samples (a follow-up without notes, a change without reason) lack those keys.
    const asCreated = {
      ...sampleLead,
      followUpDetails: sampleLead.followUpDetails.slice(0, 2),
      statusLogDetails: sampleLead.statusLogDetails.slice(0, 2),
    };
    expect(shapeDiff(asCreated, { ...ADD_LEAD_RESPONSE, warnings: undefined })).toEqual([]);
    // The follow-up sample names no next follow-up: the lead keeps the one it had, at the offset it was sent with.
    expect(sampleLead.nextFollowUp).toBe(ADD_LEAD_POST.nextFollowUp);
    expect(sampleLead.status).toBe('WON');
    const created = body.data.map((l: any) => Date.parse(l.createdOn));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });
});
