import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

/**
 * Read path, session 12 (docs/decisions.md): what a change to how a long lead body is written must keep, checked
 * over a real socket: the bytes on the wire, Content-Length, HEAD, and names with characters past Latin-1 (two-
 * and four-byte UTF-8) that a wrong encoding would mangle (sending the body as `Buffer.from(body, 'latin1')` fails
 * here). Also: the status maps kept per cached status list follow a status change at once; and the token hash.
 */
const LONG = 16 * 1024;
let t: TestApp;
let s: Session;
let origin: string;
const NAMES = ['Zoë', 'Łukasz', '日本語', 'Ωmega 😀', 'Ægir', 'Đorđe', '𝔘nicode', 'José'];

beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
  for (let i = 0; i < 16; i++)
    await createLead(t.app, s, { first_name: NAMES[i % NAMES.length], last_name: `Bytes${i} ✓` });
  origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t?.close());

const get = async (url: string, method = 'GET') => {
  const r = await fetch(origin + url, { method, headers: s.headers });
  return { r, bytes: Buffer.from(await r.arrayBuffer()) };
};

describe('long lead bodies on the wire', () => {
  it('a long list arrives whole, in UTF-8, with the right Content-Length; HEAD says the same length', async () => {
    const { r, bytes } = await get('/api/v1/leads?limit=16');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = bytes.toString('utf8');
    expect(text.length).toBeGreaterThanOrEqual(LONG); // a long body (about 30 KB)
    expect(bytes.length).toBeGreaterThan(text.length); // with multi-byte characters in it
    expect(Number(r.headers.get('content-length'))).toBe(bytes.length);
    const body = JSON.parse(text) as { data: Array<{ first_name: string; last_name: string }> };
    expect(body.data).toHaveLength(16);
    expect(new Set(body.data.map((l) => l.first_name))).toEqual(new Set(NAMES));
    expect(body.data.every((l) => /^Bytes\d+ ✓$/.test(l.last_name))).toBe(true);

    const head = await get('/api/v1/leads?limit=16', 'HEAD');
    expect(head.r.status).toBe(200);
    expect(head.r.headers.get('content-length')).toBe(String(bytes.length));
    expect(head.bytes.length).toBe(0);
  });

  it('a long list has the same leads as short pages of it ', async () => {
    const whole = JSON.parse((await get('/api/v1/leads?limit=16')).bytes.toString('utf8'));
    const parts: unknown[] = [];
    let cursor: string | null = null;
    do {
      const { r, bytes } = await get(
        `/api/v1/leads?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const text = bytes.toString('utf8');
      expect(text.length).toBeLessThan(LONG);
      expect(Number(r.headers.get('content-length'))).toBe(bytes.length);
      const page = JSON.parse(text);
      parts.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    expect(parts).toEqual(whole.data);
  });

  it('a projected long list (`fields`) arrives whole and stays projected', async () => {
    const { r, bytes } = await get('/api/v1/leads?limit=16&fields=id,first_name,last_name,tags,status');
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('content-length'))).toBe(bytes.length);
    const body = JSON.parse(bytes.toString('utf8'));
    expect(Object.keys(body.data[0]).sort()).toEqual(['first_name', 'id', 'last_name', 'status', 'tags']);
  });
});

describe('status maps kept per cached status list', () => {
  it('a lead read right after its status changed category shows the new category', async () => {
    const lead = await createLead(t.app, s, { first_name: 'Cat', status: 'new' });
    const before = await get(`/api/v1/leads/${lead.id}`);
    const category = JSON.parse(before.bytes.toString('utf8')).status_category;
    const to = category === 'open' ? 'won' : 'open';
    const patch = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/statuses/new',
      headers: s.headers,
      payload: { category: to },
    });
    expect(patch.statusCode).toBe(200);
    const after = JSON.parse((await get(`/api/v1/leads/${lead.id}`)).bytes.toString('utf8'));
    expect(after.status_category).toBe(to);
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/statuses/new',
      headers: s.headers,
      payload: { key: 'fresh' },
    });
    expect(renamed.statusCode).toBe(200);
    const list = JSON.parse((await get(`/api/v1/leads?status=fresh&limit=50`)).bytes.toString('utf8'));
    expect(list.data.map((l: { id: number }) => l.id)).toContain(lead.id);
    expect(list.data.every((l: { status: string }) => l.status === 'fresh')).toBe(true);
  });
});

describe('token hash', () => {
  it('a session is stored under the same SHA-256 as before the one-shot hash, so stored tokens keep working', async () => {
    const row = await t.db.kysely
      .selectFrom('sessions')
      .select('token_hash')
      .where('token_hash', '=', createHash('sha256').update(s.token).digest('hex'))
      .executeTakeFirst();
    expect(row).toBeDefined();
    const me = await get('/api/v1/me');
    expect(me.r.status).toBe(200);
  });
});
