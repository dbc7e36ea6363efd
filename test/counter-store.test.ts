import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { DatabaseCounterStore } from '../src/http/counter-store.js';
import { createTestApp, type TestApp } from './helpers.js';

/**
 * The database counter store (PostgreSQL's rate limits, here on either dialect: the same upsert runs on SQLite).
 * Two stores on one database stand for two nodes.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const rowCount = async (key: string) => {
  const k = createHash('sha256').update(key).digest('base64url');
  const r = await sql<{ count: number | string }>`select count from rate_counters where key = ${k}`.execute(
    t.db.kysely,
  );
  return r.rows[0] ? Number(r.rows[0].count) : 0;
};

describe('DatabaseCounterStore', () => {
  it('counts a per-request limit in memory far below it, and writes it to the row when flushed', async () => {
    const store = new DatabaseCounterStore(t.db.kysely);
    const now = Date.now();
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) seen.push((await store.hitWithin('far', 60_000, now + i, 6000)).count);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The first hit went to the database; the nine after it wait in memory.
    expect(await rowCount('far')).toBe(1);
    await store.flush();
    expect(await rowCount('far')).toBe(10);
    expect((await store.hitWithin('far', 60_000, now + 20, 6000)).count).toBe(11);
    await store.close(); // close flushes what waits
    expect(await rowCount('far')).toBe(11);
  });

  it('refuses the limit+1st hit spread over two nodes: near the limit every hit is shared', async () => {
    const a = new DatabaseCounterStore(t.db.kysely);
    const b = new DatabaseCounterStore(t.db.kysely);
    const now = Date.now();
    const counts: number[] = [];
    for (let i = 0; i < 201; i++)
      counts.push((await (i % 2 ? b : a).hitWithin('shared', 60_000, now + i, 200)).count);
    // Each node saw about 100 hits: only a shared count reaches the limit.
    expect(counts.slice(0, 200).every((c) => c <= 200)).toBe(true);
    expect(counts[200]).toBe(201);
    // Past half the limit each hit is in the database at once: nothing waits in either node.
    expect(await rowCount('shared')).toBe(201);
    await a.close();
    await b.close();
    expect(await rowCount('shared')).toBe(201);
  });

  it('never leaves more than 5% of the limit in one node, and counts small limits in the database', async () => {
    const store = new DatabaseCounterStore(t.db.kysely);
    const now = Date.now();
    for (let i = 0; i < 25; i++) await store.hitWithin('capped', 60_000, now + i, 400);
    // 400 x 5% = 20 may wait: the 21st hit after the first wrote all of them.
    expect(await rowCount('capped')).toBe(22);
    for (let i = 0; i < 5; i++) await store.hitWithin('small', 60_000, now + i, 100);
    expect(await rowCount('small')).toBe(5);
    // Sign-in counters (`hit`) always go to the database.
    for (let i = 0; i < 3; i++) await store.hit('login', 60_000, now + i);
    expect(await rowCount('login')).toBe(3);
    await store.close();
    expect(await rowCount('capped')).toBe(25);
  });

  it('starts a new window when the old one ended, dropping nothing of the new one', async () => {
    const store = new DatabaseCounterStore(t.db.kysely);
    const now = Date.now();
    for (let i = 0; i < 5; i++) await store.hitWithin('window', 1000, now + i, 6000);
    await store.flush();
    expect(await rowCount('window')).toBe(5);
    const next = await store.hitWithin('window', 1000, now + 2000, 6000);
    expect(next.count).toBe(1);
    expect(next.resetAt).toBe(now + 3000);
    await store.close();
    expect(await rowCount('window')).toBe(1);
  });
});
