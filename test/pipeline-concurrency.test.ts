import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

describe('concurrent status changes', () => {
  it('serializes 20 parallel changes on one lead: every one applies and the history chains to the final state', async () => {
    const lead = await createLead(t.app, s);
    const reasons = (
      await t.app.inject({ method: 'GET', url: '/api/v1/reasons?category=lost', headers: s.headers })
    ).json().data;
    const targets = [
      'assigned',
      'in_process',
      'qualified',
      'on_hold',
      'won',
      'lost',
      'recycled',
      'proposal',
      'negotiation',
      'closed',
    ];
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const status = targets[i % targets.length];
        return t.app.inject({
          method: 'POST',
          url: `/api/v1/leads/${lead.id}/status`,
          headers: s.headers,
          payload: {
            status,
            note: `change ${i}`,
            ...(status === 'lost' ? { reason_id: reasons[0].id } : {}),
          },
        });
      }),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const final = (
      await t.app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}`, headers: s.headers })
    ).json();
    expect(final.version).toBe(lead.version + 20);
    const hist = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/leads/${lead.id}/status-history?limit=200`,
        headers: s.headers,
      })
    ).json().data;
    expect(hist).toHaveLength(21);
    for (let i = 1; i < hist.length; i++) expect(hist[i].from).toBe(hist[i - 1].to);
    expect(hist[hist.length - 1].to).toBe(final.status);
    expect(new Set(hist.slice(1).map((h: { note: string }) => h.note)).size).toBe(20);
  });

  it('keeps the chain when PATCH and POST /status race on the same lead', async () => {
    const lead = await createLead(t.app, s);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? t.app.inject({
              method: 'POST',
              url: `/api/v1/leads/${lead.id}/status`,
              headers: s.headers,
              payload: { status: i % 4 === 0 ? 'won' : 'on_hold' },
            })
          : t.app.inject({
              method: 'PATCH',
              url: `/api/v1/leads/${lead.id}`,
              headers: s.headers,
              payload: { status: i % 3 === 0 ? 'qualified' : 'assigned', description: `edit ${i}` },
            }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const final = (
      await t.app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}`, headers: s.headers })
    ).json();
    const hist = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/leads/${lead.id}/status-history?limit=200`,
        headers: s.headers,
      })
    ).json().data;
    for (let i = 1; i < hist.length; i++) expect(hist[i].from).toBe(hist[i - 1].to);
    expect(hist[hist.length - 1].to).toBe(final.status);
  });
});
