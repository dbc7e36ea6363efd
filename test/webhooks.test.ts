import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { addMember } from './access.helpers.js';
import { countAllTables } from './table-counts.js';
import { importFile } from './imports.helpers.js';
import { eventIds, startReceiver } from './webhooks.helpers.js';
import { verifySignature } from '../src/webhooks/signature.js';
import type { WebhookService } from '../src/webhooks/webhook.service.js';

let t: TestApp;
let app: FastifyInstance;
let fakeNow = Date.now();
const clock = () => new Date(fakeNow);

beforeAll(async () => {
  t = await createTestApp({}, { background: { clock, webhooks: { timeoutMs: 2000 } } });
  app = t.app;
});
afterAll(async () => {
  await t.close();
});

function webhooks(): WebhookService {
  return (app as unknown as { background: { webhooks: WebhookService } }).background.webhooks;
}

async function allowPrivate(s: Session, allow = true) {
  const r = await app.inject({
    method: 'PUT',
    url: '/api/v1/webhook-settings',
    headers: s.headers,
    payload: { allow_private_networks: allow },
  });
  expect(r.statusCode, r.body).toBe(200);
}

async function endpoint(s: Session, url: string, events?: string[]) {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: s.headers,
    payload: { url, ...(events ? { events } : {}) },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: number; secret: string };
}

async function deliveriesOf(orgId: number) {
  return t.db.kysely
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}

async function attemptsOf(orgId: number, deliveryId: number) {
  return t.db.kysely
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
}

/** The job worker runs too: waits until some attempt (its or ours) is recorded. */
async function waitForAttempts(orgId: number, deliveryId: number, n: number) {
  const end = Date.now() + 20_000;
  while ((await attemptsOf(orgId, deliveryId)).length < n) {
    if (Date.now() > end) throw new Error('no attempt recorded');
    await webhooks().attempt(orgId, deliveryId);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks', () => {
  it('refuses private, loopback and link-local URLs (also after DNS) unless an admin allows them', async () => {
    const admin = await signup(app);
    const before = await countAllTables(t.db);
    const refused = [
      'http://127.0.0.1:9/hook',
      'http://localhost:9/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:9/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0.0.0.0/hook',
      'ftp://example.com/hook',
      'http://user:pw@example.com/hook',
    ];
    for (const url of refused) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: admin.headers,
        payload: { url },
      });
      expect(r.statusCode, url).toBe(422);
      expect(r.json().errors[0].field).toBe('url');
    }
    expect(await countAllTables(t.db)).toEqual(before);
    // A manager may not open private networks; the owner may.
    const manager = await addMember(app, admin, 'manager');
    const denied = await app.inject({
      method: 'PUT',
      url: '/api/v1/webhook-settings',
      headers: manager.headers,
      payload: { allow_private_networks: true },
    });
    expect(denied.statusCode).toBe(403);
    await allowPrivate(admin);
    const ok = await endpoint(admin, 'http://127.0.0.1:9/hook');
    expect(ok.secret).toMatch(/^whsec_/);
    // Turned off again: the delivery itself refuses to connect (checked at connection time too).
    await allowPrivate(admin, false);
    await createLead(app, admin);
    const [d] = await deliveriesOf(admin.orgId);
    await waitForAttempts(admin.orgId, d.id, 1);
    const log = await app.inject({
      method: 'GET',
      url: `/api/v1/webhooks/${ok.id}/deliveries`,
      headers: admin.headers,
    });
    expect(log.json().data[0].attempt_log[0].error).toMatch(/private, loopback or link-local/);
    const other = await signup(app);
    for (const url of [`/api/v1/webhooks/${ok.id}`, `/api/v1/webhooks/${ok.id}/deliveries`])
      expect((await app.inject({ method: 'GET', url, headers: other.headers })).statusCode).toBe(404);
  });

  it('signs every body (HMAC-SHA256 over "timestamp.body"); a receiver refuses tampering and replays', async () => {
    const admin = await signup(app);
    await allowPrivate(admin);
    const rx = await startReceiver();
    const ep = await endpoint(admin, rx.url);
    fakeNow = Date.now();
    const lead = await createLead(app, admin, { source: 'signed' });
    await rx.waitFor(1);
    const got = rx.received[0];
    const body = JSON.parse(got.body);
    expect(body).toMatchObject({ type: 'lead.created', data: { lead: { id: lead.id, source: 'signed' } } });
    expect(got.headers['leadflow-event']).toBe('lead.created');
    const header = got.headers['leadflow-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(fakeNow / 1000);
    expect(verifySignature(ep.secret, header, got.body, now)).toEqual({ ok: true });
    expect(verifySignature(ep.secret, header, got.body.replace('signed', 'forged'), now).ok).toBe(false);
    expect(verifySignature('whsec_other', header, got.body, now).ok).toBe(false);
    // The same request replayed 10 minutes later is refused (outside the 5-minute tolerance).
    expect(verifySignature(ep.secret, header, got.body, now + 600)).toEqual({
      ok: false,
      reason: 'timestamp outside tolerance',
    });
    await rx.close();
  });

  it('sends the subscribed lead, follow-up and task events; a refused write emits nothing', async () => {
    const admin = await signup(app);
    await allowPrivate(admin);
    const rx = await startReceiver();
    const onlyCreated = await startReceiver();
    await endpoint(admin, rx.url);
    await endpoint(admin, onlyCreated.url, ['lead.created']);
    const lead = await createLead(app, admin);
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${lead.id}`,
      headers: admin.headers,
      payload: { address: { city: 'Lyon' }, status: 'qualified' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const fu = await app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/follow-ups`,
      headers: admin.headers,
      payload: { notes: 'hello', done_at: new Date().toISOString() },
    });
    expect(fu.statusCode, fu.body).toBe(201);
    const task = await app.inject({
      method: 'POST',
      url: `/api/v1/leads/${lead.id}/tasks`,
      headers: admin.headers,
      payload: { title: 'Call back' },
    });
    expect(task.statusCode, task.body).toBe(201);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/leads/${lead.id}`,
      headers: admin.headers,
    });
    expect(del.statusCode).toBe(204);
    // Deliveries run in the background meanwhile: the refused write is checked on the tables it would touch.
    const count = async () =>
      Promise.all(
        (['leads', 'webhook_events', 'webhook_deliveries', 'status_history'] as const).map(async (tb) =>
          Number(
            (
              await t.db.kysely
                .selectFrom(tb)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirst()
            )?.n,
          ),
        ),
      );
    const before = await count();
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: admin.headers,
      payload: { first_name: 'X', status: 'no-such-status' },
    });
    expect(bad.statusCode).toBe(422);
    expect(await count()).toEqual(before);

    const expected = [
      'lead.created',
      'lead.updated',
      'lead.status_changed',
      'follow_up.created',
      'task.created',
      'lead.deleted',
    ];
    await rx.waitFor(expected.length);
    await onlyCreated.waitFor(1);
    const types = rx.received.map((r) => JSON.parse(r.body).type);
    expect([...types].sort()).toEqual([...expected].sort());
    const updated = rx.received.map((r) => JSON.parse(r.body)).find((b) => b.type === 'lead.updated');
    expect(updated.data.changes).toEqual(expect.arrayContaining(['city', 'status']));
    await new Promise((r) => setTimeout(r, 300));
    expect(onlyCreated.received.map((r) => JSON.parse(r.body).type)).toEqual(['lead.created']);
    await rx.close();
    await onlyCreated.close();
  });

  it('an import emits lead.created for each new lead, in its transaction', async () => {
    const admin = await signup(app);
    await allowPrivate(admin);
    const rx = await startReceiver();
    await endpoint(admin, rx.url, ['lead.created']);
    const done = await importFile(
      app,
      admin,
      'hooks.csv',
      'first_name,email\nA,a@x.io\nB,b@x.io\nC,c@x.io\n',
    );
    expect(done.status).toBe('completed');
    const events = await t.db.kysely
      .selectFrom('webhook_events')
      .select(['type', 'payload'])
      .where('org_id', '=', admin.orgId)
      .execute();
    expect(events.map((e) => e.type)).toEqual(['lead.created', 'lead.created', 'lead.created']);
    expect(events.map((e) => JSON.parse(e.payload).data.lead.email).sort()).toEqual([
      'a@x.io',
      'b@x.io',
      'c@x.io',
    ]);
    await rx.waitFor(3);
    await rx.close();
  });

  it('a receiver that fails then recovers: exponential backoff with jitter (fake clock), one event, logged', async () => {
    const admin = await signup(app);
    await allowPrivate(admin);
    const rx = await startReceiver((n) => (n <= 3 ? 500 : 200));
    const ep = await endpoint(admin, rx.url);
    fakeNow = Date.now();
    await createLead(app, admin);
    const [d] = await deliveriesOf(admin.orgId);
    await waitForAttempts(admin.orgId, d.id, 1);
    const gaps: number[] = [];
    for (let i = 0; i < 10; i++) {
      const row = (await deliveriesOf(admin.orgId))[0];
      if (row.status !== 'pending') break;
      // Each failure schedules the next attempt: the gap is the backoff (fake clock).
      if (row.attempts > gaps.length)
        gaps.push(Date.parse(row.next_attempt_at!) - Date.parse(row.last_attempt_at!));
      fakeNow = Date.parse(row.next_attempt_at!);
      await webhooks().attempt(admin.orgId, d.id);
    }
    expect(gaps).toHaveLength(3);
    gaps.forEach((g, k) => {
      const ceiling = 10_000 * 2 ** k;
      expect(g).toBeGreaterThanOrEqual(ceiling / 2);
      expect(g).toBeLessThanOrEqual(ceiling);
    });
    const row = (await deliveriesOf(admin.orgId))[0];
    expect(row).toMatchObject({ status: 'succeeded', attempts: 4, response_status: 200 });
    expect(new Set(eventIds(rx.received)).size).toBe(1);
    const log = await app.inject({
      method: 'GET',
      url: `/api/v1/webhooks/${ep.id}/deliveries`,
      headers: admin.headers,
    });
    const entry = log.json().data[0];
    expect(entry.attempt_log.map((a: { response_status: number }) => a.response_status)).toEqual([
      500, 500, 500, 200,
    ]);
    expect(entry.attempt_log[0].request_headers['leadflow-signature']).toMatch(/^t=/);
    expect(typeof entry.attempt_log[0].duration_ms).toBe('number');
    // Redeliver one: sent again.
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${ep.id}/deliveries/${d.id}/redeliver`,
      headers: admin.headers,
    });
    expect(again.statusCode).toBe(202);
    await webhooks().attempt(admin.orgId, d.id);
    await rx.waitFor(5);
    expect(new Set(eventIds(rx.received)).size).toBe(1);
    await rx.close();
  });

  it('0 events lost when the receiver is down for 10 (simulated) minutes', async () => {
    const admin = await signup(app);
    await allowPrivate(admin);
    fakeNow = Date.now();
    const downUntil = fakeNow + 10 * 60_000;
    const rx = await startReceiver(() => (fakeNow < downUntil ? 503 : 200));
    await endpoint(admin, rx.url);
    const N = 30;
    for (let i = 0; i < N; i++) await createLead(app, admin);
    // The clock jumps from one due retry to the next; the job worker may take some attempts meanwhile.
    let rounds = 0;
    for (; rounds < 5000; rounds++) {
      const pending = (await deliveriesOf(admin.orgId)).filter((d) => d.status === 'pending');
      if (!pending.length) break;
      const due = pending.filter(
        (d) => d.next_attempt_at === null || Date.parse(d.next_attempt_at) <= fakeNow,
      );
      for (const d of due) await webhooks().attempt(admin.orgId, d.id);
      if (due.length) continue;
      const nexts = pending
        .filter((d) => d.next_attempt_at !== null)
        .map((d) => Date.parse(d.next_attempt_at!));
      if (nexts.length) fakeNow = Math.max(fakeNow, Math.min(...nexts));
      else await new Promise((r) => setTimeout(r, 50));
    }
    const rows = await deliveriesOf(admin.orgId);
    expect(
      rows
        .filter((d) => d.status !== 'succeeded')
        .map((d) => [d.id, d.attempts, d.next_attempt_at, d.last_error]),
      `after ${rounds} rounds`,
    ).toEqual([]);
    const delivered = new Set(eventIds(rx.received.filter((r) => r.status === 200)));
    const events = await t.db.kysely
      .selectFrom('webhook_events')
      .select('id')
      .where('org_id', '=', admin.orgId)
      .execute();
    expect(events).toHaveLength(N);
    expect(delivered.size).toBe(N);
    const maxAttempts = Math.max(...rows.map((d) => d.attempts));
    console.log(
      `receiver down 10 simulated minutes: ${N} events, ${delivered.size} delivered, 0 lost, ${rx.received.length} requests, at most ${maxAttempts} attempts per event, last delivery ${Math.round((Math.max(...rows.map((d) => Date.parse(d.delivered_at!))) - (downUntil - 600_000)) / 1000)} s after the outage began`,
    );
    await rx.close();
  }, 180_000);

  it('gives up after 24 h, disables the endpoint after a run of failures, tells the admins; redeliver all failed', async () => {
    const admin = await signup(app);
    await allowPrivate(admin);
    let up = false;
    const rx = await startReceiver(() => (up ? 200 : 500));
    const ep = await endpoint(admin, rx.url);
    fakeNow = Date.now();
    await createLead(app, admin);
    const [d] = await deliveriesOf(admin.orgId);
    const start = fakeNow;
    for (let i = 0; i < 100; i++) {
      await webhooks().attempt(admin.orgId, d.id);
      const row = (await deliveriesOf(admin.orgId))[0];
      if (row.status !== 'pending') break;
      fakeNow = Math.max(fakeNow, Date.parse(row.next_attempt_at!));
    }
    const row = (await deliveriesOf(admin.orgId))[0];
    expect(row.status).toBe('failed');
    expect(fakeNow - start).toBeGreaterThanOrEqual(24 * 3600_000);
    const got = await app.inject({ method: 'GET', url: `/api/v1/webhooks/${ep.id}`, headers: admin.headers });
    expect(got.json()).toMatchObject({ enabled: false });
    expect(got.json().disabled_reason).toMatch(/failed attempts in a row/);
    const mail = await t.db.kysely
      .selectFrom('emails')
      .select(['to_address', 'template'])
      .where('org_id', '=', admin.orgId)
      .where('template', '=', 'webhook_disabled')
      .execute();
    expect(mail.map((m) => m.to_address)).toEqual([admin.email]);
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', admin.orgId)
      .where('action', '=', 'webhook.disabled')
      .execute();
    expect(audit).toHaveLength(1);
    // While disabled, new events are not queued for it, and redelivery asks to enable it first.
    const refused = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${ep.id}/redeliver-failed`,
      headers: admin.headers,
    });
    expect(refused.statusCode).toBe(422);
    const on = await app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${ep.id}`,
      headers: admin.headers,
      payload: { enabled: true },
    });
    expect(on.json()).toMatchObject({ enabled: true, consecutive_failures: 0 });
    up = true;
    const redo = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${ep.id}/redeliver-failed`,
      headers: admin.headers,
    });
    expect(redo.statusCode).toBe(202);
    expect(redo.json().queued).toEqual([d.id]);
    await webhooks().attempt(admin.orgId, d.id);
    expect((await deliveriesOf(admin.orgId))[0].status).toBe('succeeded');
    await rx.close();
  });
});
