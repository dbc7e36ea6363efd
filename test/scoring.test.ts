import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { createQueryCounter } from './query-counter.js';

/** A small deterministic random source, so every run plants the same leads. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

async function model(app: FastifyInstance, s: Session) {
  const res = await app.inject({ method: 'GET', url: '/api/v1/scoring/model', headers: s.headers });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** Asks for a training run and waits for it (the job queue runs it in the background, in a worker thread). */
async function train(app: FastifyInstance, s: Session) {
  const before = (await model(app, s)).trained_at;
  const res = await app.inject({ method: 'POST', url: '/api/v1/scoring/train', headers: s.headers });
  expect(res.statusCode).toBe(202);
  expect(res.json().job_id).toBeGreaterThan(0);
  for (let i = 0; i < 300; i++) {
    const m = await model(app, s);
    if (m.training === null && m.trained_at !== before) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('training did not finish');
}

/**
 * Outcome leads with a planted signal: source Referral wins 85% of the time, the other sources 15%; the colour
 * custom field and the country are noise. `flip` reverses the signal (another organization's own history).
 */
async function plant(app: FastifyInstance, s: Session, n: number, seed: number, flip = false) {
  const rand = rng(seed);
  const made: Array<{ id: number; won: boolean }> = [];
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, (_, k) => {
      const referral = rand() < 0.35;
      const won = rand() < (referral ? 0.85 : 0.15) !== flip;
      return {
        won,
        body: {
          first_name: `L${i + k}`,
          source: referral ? 'Referral' : ['Web', 'Ads', 'Fair'][Math.floor(rand() * 3)],
          address: { country: ['FR', 'DE', 'US'][Math.floor(rand() * 3)] },
          custom_fields: { colour: ['red', 'blue', 'green'][Math.floor(rand() * 3)] },
          status: won ? 'won' : 'closed',
        },
      };
    });
    const leads = await Promise.all(batch.map((b) => createLead(app, s, b.body)));
    leads.forEach((l, k) => made.push({ id: l.id, won: batch[k].won }));
  }
  return made;
}

describe('lead scoring', () => {
  const counter = createQueryCounter();
  let t: TestApp;
  let a: Session;
  let b: Session;
  let aWon: number[];

  beforeAll(async () => {
    t = await createTestApp({}, { wrapDialect: counter.wrapDialect });
    a = await signup(t.app);
    b = await signup(t.app);
    aWon = (await plant(t.app, a, 240, 7)).filter((l) => l.won).map((l) => l.id);
  }, 120_000);
  afterAll(() => t.close());

  it('refuses with the counts when the history is too short, and scores nothing', async () => {
    const s = await signup(t.app);
    expect((await model(t.app, s)).status).toBe('none');
    for (let i = 0; i < 12; i++) await createLead(t.app, s, { status: i < 4 ? 'won' : 'closed' });
    const open = await createLead(t.app, s, { source: 'Referral' });
    const m = await train(t.app, s);
    expect(m).toMatchObject({
      status: 'refused',
      outcomes: 12,
      won: 4,
      lost: 8,
      min_outcomes: 200,
      min_per_class: 20,
      metrics: null,
      top_features: [],
    });
    expect(m.message).toContain('12 leads reached an outcome (4 won, 8 lost)');
    const lead = await t.app.inject({ url: `/api/v1/leads/${open.id}`, headers: s.headers });
    expect(lead.json()).toMatchObject({ score: null, score_factors: [] });
    // Another organization's history never counts: A's 240 outcomes are not this one's.
    expect(m.outcomes).toBe(12);
  });

  it('ranks a planted strong signal above noise, with metrics on a held-out split', async () => {
    const m = await train(t.app, a);
    expect(m.status).toBe('trained');
    expect(m.outcomes).toBe(240);
    expect(m.won + m.lost).toBe(240);
    expect(m.metrics.train_size + m.metrics.test_size).toBe(240);
    expect(m.metrics.auc).toBeGreaterThan(0.75);
    expect(m.metrics.precision).toBeGreaterThan(0.5);
    expect(m.metrics.recall).toBeGreaterThan(0.5);
    expect(m.top_features[0]).toMatchObject({ column: 'source', strongest_up: 'Source is Referral' });
    const colour = m.top_features.find((f: { column: string }) => f.column === 'cf.colour');
    expect(colour === undefined || colour.importance < m.top_features[0].importance / 3).toBe(true);

    const hot = await createLead(t.app, a, { source: 'Referral', custom_fields: { colour: 'red' } });
    const cold = await createLead(t.app, a, { source: 'Web', custom_fields: { colour: 'red' } });
    expect(hot.score).toBeGreaterThan(60);
    expect(cold.score).toBeLessThan(40);
    expect(hot.score_factors[0]).toMatchObject({ text: 'Source is Referral (+)', direction: 'up' });
    expect(cold.score_factors.map((f: { text: string }) => f.text)).toContain('Source is Web (-)');

    // The list sorts and filters on it (closed and won leads carry no score).
    const list = await t.app.inject({ url: '/api/v1/leads?sort=-score&limit=2', headers: a.headers });
    expect(list.json().data.map((l: { id: number }) => l.id)).toEqual([hot.id, cold.id]);
    const gte = await t.app.inject({ url: '/api/v1/leads?score_gte=50', headers: a.headers });
    expect(gte.json().data.map((l: { id: number }) => l.id)).toEqual([hot.id]);
    const page1 = await t.app.inject({ url: '/api/v1/leads?sort=score&limit=1', headers: a.headers });
    expect(page1.json().data[0].id).toBe(cold.id);
    const page2 = await t.app.inject({
      url: `/api/v1/leads?sort=score&limit=1&cursor=${encodeURIComponent(page1.json().next_cursor)}`,
      headers: a.headers,
    });
    expect(page2.json().data[0].id).toBe(hot.id);
  });

  it('recomputes the score when a lead changes', async () => {
    const lead = await createLead(t.app, a, { source: 'Referral' });
    const before = lead.score;
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${lead.id}`,
      headers: a.headers,
      payload: { source: 'Ads' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().score).toBeLessThan(before - 20);
    const read = (await t.app.inject({ url: `/api/v1/leads/${lead.id}`, headers: a.headers })).json();
    expect(read.score).toBe(patched.json().score);
    expect(read.score_factors.map((f: { text: string }) => f.text)).toContain('Source is Ads (-)');
    // Won: no longer open, no score.
    const won = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${lead.id}`,
      headers: a.headers,
      payload: { status: 'won' },
    });
    expect(won.json()).toMatchObject({ score: null, score_factors: [] });
  });

  it('leaves out what was recorded after the outcome', async () => {
    // Every won lead of A gets the tag "customer" after it was won: a leak if the model read it.
    for (let i = 0; i < aWon.length; i += 10)
      await Promise.all(
        aWon.slice(i, i + 10).map((id) =>
          t.app.inject({
            method: 'PATCH',
            url: `/api/v1/leads/${id}`,
            headers: a.headers,
            payload: { tags: ['customer'] },
          }),
        ),
      );
    const m = await train(t.app, a);
    expect(m.status).toBe('trained');
    expect(m.top_features.map((f: { column: string }) => f.column)).not.toContain('tags');
    const lead = await createLead(t.app, a, { source: 'Web', tags: ['customer'] });
    expect(lead.score_factors.map((f: { text: string }) => f.text).join(' ')).not.toContain('customer');
    expect(lead.score).toBeLessThan(40);
  });

  it('trains each organization on its own leads only', async () => {
    await plant(t.app, b, 220, 11, true);
    const mb = await train(t.app, b);
    expect(mb).toMatchObject({ status: 'trained', outcomes: 220 });
    expect(mb.top_features[0]).toMatchObject({ column: 'source', strongest_down: 'Source is Referral' });
    const ma = await model(t.app, a);
    // A's 240 planted outcomes and the lead the test above won: none of B's.
    expect(ma.outcomes).toBe(241);
    const inA = await createLead(t.app, a, { source: 'Referral' });
    const inB = await createLead(t.app, b, { source: 'Referral' });
    expect(inA.score).toBeGreaterThan(60);
    expect(inB.score).toBeLessThan(40);
    // B's leads are not A's: A's list never shows them, sorted by score or not.
    const list = await t.app.inject({ url: '/api/v1/leads?sort=-score&limit=200', headers: a.headers });
    expect(list.json().data.map((l: { id: number }) => l.id)).not.toContain(inB.id);
  });

  it("writes a new lead's score with its INSERT, and the after-write scoring then changes nothing", async () => {
    // docs/decisions.md, "The create path inside the write lock": the score guessed before the INSERT is the one
    // the after-write scoring computes from the database, so no UPDATE follows; a closed lead carries none.
    const tagged = { source: 'Referral', tags: ['b', 'a'], custom_fields: { colour: 'blue' } };
    const { result: warm, counts } = await counter.measure(() => createLead(t.app, a, tagged));
    expect(counts.sql.filter((q) => /^update "leads" set "score"/i.test(q))).toEqual([]);
    expect(warm.score).toBeGreaterThan(60);
    const read = (await t.app.inject({ url: `/api/v1/leads/${warm.id}`, headers: a.headers })).json();
    expect([read.score, read.score_factors]).toEqual([warm.score, warm.score_factors]);
    const closed = await counter.measure(() => createLead(t.app, a, { source: 'Referral', status: 'won' }));
    expect(closed.result).toMatchObject({ score: null, score_factors: [] });
    expect(closed.counts.sql.filter((q) => /^update "leads" set "score"/i.test(q))).toEqual([]);
  });

  it('asks for a permission to train, and answers in the problem format', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/scoring/train' });
    expect(res.statusCode).toBe(401);
    const bad = await t.app.inject({ url: '/api/v1/leads?score_gte=101', headers: a.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toContain('score_gte');
  });
});
