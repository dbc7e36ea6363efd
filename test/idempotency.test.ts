import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { createApiKey } from './access.helpers.js';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await createTestApp();
  s = await signup(t.app);
});
afterAll(async () => t.close());

const post = (
  payload: object,
  key: string | undefined,
  headers: Record<string, string> = s.headers,
  url = '/api/v1/leads',
) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload,
  });

async function countByName(name: string) {
  return (
    await t.app.inject({
      method: 'GET',
      url: `/api/v1/leads?q=${name}&include_total=true`,
      headers: s.headers,
    })
  ).json().total;
}

describe('Idempotency-Key', () => {
  it('a retry with the same key and body returns the first response and creates nothing new', async () => {
    const first = await post({ last_name: 'Retried', email: 'retry@example.com' }, 'key-1');
    expect(first.statusCode).toBe(201);
    const again = await post({ last_name: 'Retried', email: 'retry@example.com' }, 'key-1');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(await countByName('Retried')).toBe(1);
    // Without a key, the same body is a new lead.
    expect((await post({ last_name: 'Retried', email: 'retry2@example.com' }, undefined)).statusCode).toBe(
      201,
    );
    expect(await countByName('Retried')).toBe(2);
  });

  it('the same key with another body is a 422 and changes nothing', async () => {
    expect((await post({ last_name: 'KeyReuse' }, 'key-2')).statusCode).toBe(201);
    const other = await post({ last_name: 'KeyReuseOther' }, 'key-2');
    expect(other.statusCode).toBe(422);
    expect(other.json().errors[0].field).toBe('Idempotency-Key');
    expect(await countByName('KeyReuseOther')).toBe(0);
  });

  it('keys are private to each credential and each organization', async () => {
    const other = await signup(t.app);
    const mine = await post({ last_name: 'Private' }, 'shared-key');
    const theirs = await post({ last_name: 'Private' }, 'shared-key', other.headers);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().id).not.toBe(mine.json().id);
    const key = await createApiKey(t.app, s, ['leads:write']);
    const viaKey = await post({ last_name: 'Private' }, 'shared-key', key.headers);
    expect(viaKey.headers['idempotent-replayed']).toBeUndefined();
    expect(viaKey.json().id).not.toBe(mine.json().id);
  });

  it('replays error responses too, forgets them after 24 hours, and rejects a malformed key', async () => {
    const bad = await post({ last_name: 'X', status: 'no-such-status' }, 'key-err');
    expect(bad.statusCode).toBe(422);
    const replay = await post({ last_name: 'X', status: 'no-such-status' }, 'key-err');
    expect(replay.statusCode).toBe(422);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    await post({ last_name: 'Expiring' }, 'key-old');
    await t.db.kysely
      .updateTable('idempotency_keys')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('key', '=', 'key-old')
      .execute();
    const later = await post({ last_name: 'Expiring' }, 'key-old');
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(await countByName('Expiring')).toBe(2);

    const malformed = await post({ last_name: 'Malformed' }, 'x'.repeat(300));
    expect(malformed.statusCode).toBe(400);
    expect(await countByName('Malformed')).toBe(0);
  });

  it('never stores a secret: a retried API key creation is a 409, not a second key or a replayed secret', async () => {
    const first = await post(
      { name: 'Zapier', scopes: ['leads:read'] },
      'key-secret',
      s.headers,
      '/api/v1/api-keys',
    );
    expect(first.statusCode).toBe(201);
    const stored = await t.db.kysely
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', 'key-secret')
      .execute();
    expect(JSON.stringify(stored)).not.toContain(first.json().key);
    const retry = await post(
      { name: 'Zapier', scopes: ['leads:read'] },
      'key-secret',
      s.headers,
      '/api/v1/api-keys',
    );
    expect(retry.statusCode).toBe(409);
    expect(retry.body).not.toContain(first.json().key);
    const keys = (await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: s.headers })).json()
      .data;
    expect(keys.filter((k: { name: string }) => k.name === 'Zapier')).toHaveLength(1);
  });

  it('works on other POST routes (teams)', async () => {
    const a = await post({ name: 'Idem team' }, 'team-key', s.headers, '/api/v1/teams');
    const b = await post({ name: 'Idem team' }, 'team-key', s.headers, '/api/v1/teams');
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
  });
});
