import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, sql, type MigrationProvider } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { createTestApp, onPostgres, signup, type Session, type TestApp } from './helpers.js';
import { ADD_LEAD_POST, REASONS_POST } from './compat-capillary.samples.js';
import { migrations } from '../src/db/migrations/index.js';
import { openDb } from '../src/db/database.js';

/**
 * Check-then-create races (issue 11, item 3): find-or-create contact, add reason and add sub-status sit on
 * unique keys with upserts, so 20 parallel requests make ONE row (docs/decisions.md, "Unique keys instead of
 * check-then-create"). Through HTTP, on SQLite and PostgreSQL.
 */
let t: TestApp;
let app: FastifyInstance;
let s: Session;
const N = 20;

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  s = await signup(app);
  const r = await app.inject({
    method: 'POST',
    url: '/compat/capillary/v2/leads/reasons',
    headers: s.headers,
    payload: REASONS_POST,
  });
  expect(r.statusCode, r.body).toBe(200);
});
afterAll(() => t.close());

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers: s.headers, ...(payload ? { payload } : {}) });
const contactsWithEmail = async (email: string) =>
  (await api('GET', `/contacts?email=${encodeURIComponent(email)}`)).json().data as Array<{ id: number }>;

describe('find-or-create contact', () => {
  it(`${N} parallel capillary "Add Lead" with one new customer email make one contact`, async () => {
    const email = 'race.capillary@example.com';
    const res = await Promise.all(
      Array.from({ length: N }, () =>
        app.inject({
          method: 'POST',
          url: '/compat/capillary/v2/leads',
          headers: s.headers,
          payload: { ...ADD_LEAD_POST, identifier: email },
        }),
      ),
    );
    for (const r of res) expect(r.statusCode, r.body).toBe(200);
    const contacts = await contactsWithEmail(email);
    expect(contacts).toHaveLength(1);
    // Every lead is linked to that one contact.
    const leads = (await api('GET', `/leads?contact_id=${contacts[0].id}&limit=100`)).json();
    expect(new Set(res.map((r) => r.json().result?.id ?? r.json().id)).size).toBe(N);
    if (Array.isArray(leads.data)) expect(leads.data.length).toBe(N);
  });

  it(`${N} parallel /api/v1 POST /leads with link "create" and one email make one contact`, async () => {
    const email = 'Race.Native@Example.com';
    const res = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        api('POST', '/leads', { first_name: 'Becky', last_name: `Thatcher ${i}`, email, link: 'create' }),
      ),
    );
    for (const r of res) expect(r.statusCode, r.body).toBe(201);
    const contacts = await contactsWithEmail(email.toLowerCase());
    expect(contacts).toHaveLength(1);
    for (const r of res) expect(r.json().contacts.map((c: { id: number }) => c.id)).toEqual([contacts[0].id]);
  });

  it('a second organization finds-or-creates its own contact for the same email', async () => {
    const other = await signup(app);
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: other.headers,
      payload: { first_name: 'Becky', email: 'race.native@example.com', link: 'create' },
    });
    expect(r.statusCode, r.body).toBe(201);
    const mine = await contactsWithEmail('race.native@example.com');
    expect(r.json().contacts[0].id).not.toBe(mine[0].id);
  });

  it('a deleted contact is not found again: the next find-or-create makes a new one', async () => {
    const email = 'gone@example.com';
    const first = await api('POST', '/leads', { first_name: 'Joe', email, link: 'create' });
    const id = first.json().contacts[0].id;
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/contacts/${id}`, headers: s.headers })).statusCode,
    ).toBe(204);
    const second = await api('POST', '/leads', { first_name: 'Joe', email, link: 'create' });
    expect(second.json().contacts[0].id).not.toBe(id);
    const third = await api('POST', '/leads', { first_name: 'Joe', email, link: 'create' });
    expect(third.json().contacts[0].id).toBe(second.json().contacts[0].id);
  });
});

describe('add reason, add sub-status', () => {
  it(`${N} parallel POST /reasons with one text: one 201, the others 409, one reason`, async () => {
    const res = await Promise.all(
      Array.from({ length: N }, () => api('POST', '/reasons', { text: 'Race reason' })),
    );
    const codes = res.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(N - 1);
    const all = (await api('GET', '/reasons')).json().data as Array<{ text: string }>;
    expect(all.filter((r) => r.text === 'Race reason')).toHaveLength(1);
  });

  it(`${N} parallel POST sub-statuses with one name: one 201, the others 409`, async () => {
    const res = await Promise.all(
      Array.from({ length: N }, () => api('POST', '/statuses/on_hold/sub-statuses', { name: 'Race sub' })),
    );
    const codes = res.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(N - 1);
  });

  it('a retired sub-status name can be added again (it was a 500 on the unique key)', async () => {
    expect((await api('POST', '/statuses/on_hold/sub-statuses', { name: 'Comeback' })).statusCode).toBe(201);
    const del = await app.inject({
      method: 'DELETE',
      url: '/api/v1/statuses/on_hold/sub-statuses/Comeback',
      headers: s.headers,
    });
    expect(del.statusCode).toBe(204);
    const again = await api('POST', '/statuses/on_hold/sub-statuses', { name: 'Comeback' });
    expect(again.statusCode, again.body).toBe(201);
  });

  it(`${N} parallel capillary sub-status adds with one name: every answer 200, one sub-status`, async () => {
    const res = await Promise.all(
      Array.from({ length: N }, () =>
        app.inject({
          method: 'POST',
          url: '/compat/capillary/v2/leads/substatus',
          headers: s.headers,
          payload: { status: 'ON_HOLD', subStatus: 'RaceCapillary' },
        }),
      ),
    );
    for (const r of res) expect(r.statusCode, r.body).toBe(200);
    const list = (await api('GET', '/statuses/on_hold/sub-statuses')).json().data as Array<{ name: string }>;
    expect(list.filter((x) => x.name === 'RaceCapillary')).toHaveLength(1);
  });
});

describe('migration 0060 on a database that already has duplicates', () => {
  it('keeps the oldest reason and contact claim, retires the newer duplicate reason, and does not fail', async () => {
    // Its own database (SQLite in memory, or a fresh PostgreSQL schema through the test app's URL).
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0060'));
    const db = onPostgres ? t.db : openDb({ dialect: 'sqlite', sqlitePath: ':memory:' });
    const k = db.kysely;
    if (onPostgres) await sql`CREATE SCHEMA IF NOT EXISTS mig0060`.execute(k);
    const scoped = onPostgres ? k.withSchema('mig0060') : k;
    if (onPostgres) {
      // Migrations run in their own schema: the test app's schema already has 0060.
      await sql`SET search_path TO mig0060`.execute(k);
    }
    try {
      const provider = (m: typeof migrations): MigrationProvider => ({ getMigrations: async () => m });
      const opts = onPostgres ? { migrationTableSchema: 'mig0060' } : {};
      const r1 = await new Migrator({
        db: k,
        provider: provider(before),
        allowUnorderedMigrations: true,
        ...opts,
      }).migrateToLatest();
      expect(r1.error).toBeUndefined();
      const now = new Date().toISOString();
      const org = (await scoped
        .insertInto('organizations' as never)
        .values({ name: 'Dup', created_at: now } as never)
        .returning('id' as never)
        .executeTakeFirstOrThrow()) as { id: number };
      const reason = (text: string) =>
        scoped
          .insertInto('reasons' as never)
          .values({ org_id: org.id, text, position: 10, created_at: now } as never)
          .returning('id' as never)
          .executeTakeFirstOrThrow() as Promise<{ id: number }>;
      const r1a = await reason('Too expensive');
      const r1b = await reason('Too expensive');
      const contact = async () => {
        const c = (await scoped
          .insertInto('contacts' as never)
          .values({
            org_id: org.id,
            first_name: 'Dup',
            phones: '[]',
            custom_fields: '{}',
            search_text: 'dup',
            created_at: now,
            updated_at: now,
            version: 1,
          } as never)
          .returning('id' as never)
          .executeTakeFirstOrThrow()) as { id: number };
        await scoped
          .insertInto('contact_emails' as never)
          .values({ org_id: org.id, contact_id: c.id, email: 'dup@example.com', position: 0 } as never)
          .execute();
        return c;
      };
      const c1 = await contact();
      await contact();
      const r2 = await new Migrator({
        db: k,
        provider: provider(migrations),
        allowUnorderedMigrations: true,
        ...opts,
      }).migrateToLatest();
      expect(r2.error).toBeUndefined();
      const reasons = (await scoped
        .selectFrom('reasons' as never)
        .select(['id', 'deleted_at'] as never)
        .where('org_id' as never, '=', org.id as never)
        .orderBy('id' as never)
        .execute()) as Array<{ id: number; deleted_at: string | null }>;
      expect(reasons.map((r) => [r.id, r.deleted_at === null])).toEqual([
        [r1a.id, true],
        [r1b.id, false],
      ]);
      const claims = (await scoped
        .selectFrom('contact_identifiers' as never)
        .selectAll()
        .execute()) as Array<{ kind: string; value: string; contact_id: number }>;
      expect(claims).toEqual([
        { org_id: org.id, kind: 'email', value: 'dup@example.com', contact_id: c1.id },
      ]);
    } finally {
      if (onPostgres) {
        await sql`SET search_path TO DEFAULT`.execute(k);
        await sql`DROP SCHEMA mig0060 CASCADE`.execute(k);
      } else await db.close();
    }
  });
});
