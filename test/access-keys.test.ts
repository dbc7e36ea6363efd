import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type TestApp } from './helpers.js';
import { addMember, auditActions, createApiKey } from './access.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

describe('API keys', () => {
  it('shows the secret once, stores only its hash, works as Bearer and records last use', async () => {
    const owner = await signup(t.app);
    const created = await createApiKey(t.app, owner, ['leads:read', 'leads:write']);
    expect(created.key).toMatch(/^lfk_/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    const rows = await t.db.kysely.selectFrom('api_keys').selectAll().where('id', '=', created.id).execute();
    expect(JSON.stringify(rows)).not.toContain(created.key);

    const lead = await call('POST', '/api/v1/leads', created.headers, { last_name: 'FromIntegration' });
    expect(lead.statusCode).toBe(201);
    expect(lead.json().created_by).toBeNull();
    expect((await call('GET', `/api/v1/leads/${lead.json().id}`, created.headers)).statusCode).toBe(200);

    const list = await call('GET', '/api/v1/api-keys', owner.headers);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.key);
    const listed = list.json().data.find((k: { id: number }) => k.id === created.id);
    expect(listed).toMatchObject({
      name: created.name,
      scopes: ['leads:read', 'leads:write'],
      revoked_at: null,
    });
    expect(listed.last_used_at).not.toBeNull();
  });

  it('scopes limit what a key can do: a read key cannot write, no key manages keys or users', async () => {
    const owner = await signup(t.app);
    const reader = await createApiKey(t.app, owner, ['leads:read']);
    const lead = await createLead(t.app, owner);
    expect(
      (await call('POST', '/api/v1/teams', reader.headers, { name: 'Read-only key team' })).statusCode,
    ).toBe(403);
    expect((await call('GET', `/api/v1/leads/${lead.id}`, reader.headers)).statusCode).toBe(200);
    const write = await call('PATCH', `/api/v1/leads/${lead.id}`, reader.headers, { last_name: 'Nope' });
    expect(write.statusCode).toBe(403);
    expect(write.json().detail).toContain('read-only');
    expect((await call('POST', '/api/v1/leads', reader.headers, { last_name: 'Nope' })).statusCode).toBe(403);
    const admin = await createApiKey(t.app, owner, ['settings:write', 'leads:write']);
    expect(
      (await call('POST', '/api/v1/api-keys', admin.headers, { name: 'child', scopes: ['leads:read'] }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/invitations', admin.headers, { email: 'x@example.com', role: 'admin' }))
        .statusCode,
    ).toBe(403);
    expect((await call('GET', '/api/v1/audit-log', admin.headers)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/teams', admin.headers, { name: 'From key' })).statusCode).toBe(201);
    expect((await call('GET', `/api/v1/leads/${lead.id}`, owner.headers)).json().last_name).toBe('Lovelace');
  });

  it('revoked, expired, malformed and unknown keys are 401 with nothing leaked', async () => {
    const owner = await signup(t.app);
    const key = await createApiKey(t.app, owner, ['leads:read']);
    expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, owner.headers)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, owner.headers)).statusCode).toBe(409);
    const revoked = await call('GET', '/api/v1/leads', key.headers);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['content-type']).toContain('application/problem+json');
    expect(revoked.body).not.toContain(key.name);

    // Expired: an expiry in the past cannot be created, so age a key in the database.
    const soon = await createApiKey(t.app, owner, ['leads:read'], {
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect((await call('GET', '/api/v1/leads', soon.headers)).statusCode).toBe(200);
    await t.db.kysely
      .updateTable('api_keys')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', soon.id)
      .execute();
    expect((await call('GET', '/api/v1/leads', soon.headers)).statusCode).toBe(401);

    expect((await call('GET', '/api/v1/leads', { authorization: 'Bearer lfk_not-a-key' })).statusCode).toBe(
      401,
    );
    expect((await call('GET', '/api/v1/leads', { authorization: 'Basic abc' })).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/leads', { authorization: 'Bearer' })).statusCode).toBe(401);
    const past = await call('POST', '/api/v1/api-keys', owner.headers, {
      name: 'old',
      scopes: ['leads:read'],
      expires_at: '2001-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors[0].field).toBe('expires_at');
    const badScope = await call('POST', '/api/v1/api-keys', owner.headers, {
      name: 'x',
      scopes: ['everything'],
    });
    expect(badScope.statusCode).toBe(400);
    expect(badScope.json().errors[0].field).toMatch(/^scopes/);
    // Another organization cannot revoke it (404), and an agent cannot manage keys (403).
    const other = await signup(t.app);
    const live = await createApiKey(t.app, owner, ['leads:read']);
    expect((await call('DELETE', `/api/v1/api-keys/${live.id}`, other.headers)).statusCode).toBe(404);
    const agent = await addMember(t.app, owner, 'agent');
    expect((await call('GET', '/api/v1/api-keys', agent.headers)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/leads', live.headers)).statusCode).toBe(200);
    const wrongOrg = await call('GET', '/api/v1/leads', {
      ...live.headers,
      'x-organization-id': String(other.orgId),
    });
    expect(wrongOrg.statusCode).toBe(403);

    const actions = (await auditActions(t.app, owner)).map((e) => e.action);
    expect(actions.filter((a) => a === 'api_key.created')).toHaveLength(3);
    expect(actions).toContain('api_key.revoked');
  });
});

describe('audit log', () => {
  it('records sign-ins and failed sign-ins with the IP; only owners and admins read it', async () => {
    const owner = await signup(t.app, { password: 'owner password 1' });
    const fail = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: 'wrong wrong' },
      remoteAddress: '203.0.113.9',
    });
    expect(fail.statusCode).toBe(401);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: 'owner password 1' },
    });
    expect(ok.statusCode).toBe(200);
    const entries = await auditActions(t.app, owner);
    const failed = entries.find((e) => e.action === 'auth.login_failed');
    expect(failed).toMatchObject({ ip: '203.0.113.9', target_type: 'user', target_id: String(owner.userId) });
    expect(JSON.stringify(entries)).not.toContain('wrong wrong');
    expect(entries.find((e) => e.action === 'auth.login')).toBeTruthy();
    // Newest first, paginated by cursor.
    const page1 = (await call('GET', '/api/v1/audit-log?limit=1', owner.headers)).json();
    expect(page1.data).toHaveLength(1);
    expect(page1.data[0].action).toBe('auth.login');
    const page2 = (
      await call('GET', `/api/v1/audit-log?limit=1&cursor=${page1.next_cursor}`, owner.headers)
    ).json();
    expect(page2.data[0].id).toBeLessThan(page1.data[0].id);
    expect((await call('GET', '/api/v1/audit-log?cursor=abc', owner.headers)).statusCode).toBe(400);

    const admin = await addMember(t.app, owner, 'admin');
    expect((await call('GET', '/api/v1/audit-log', admin.headers)).statusCode).toBe(200);
    const manager = await addMember(t.app, owner, 'manager');
    const denied = await call('GET', '/api/v1/audit-log', manager.headers);
    expect(denied.statusCode).toBe(403);
    expect(denied.body).not.toContain('auth.login');
    // Another organization's log holds none of these.
    const exported = await call('GET', '/api/v1/leads/export?format=csv&source=web', owner.headers);
    expect(exported.statusCode).toBe(200);
    const exports = await auditActions(t.app, owner, 'leads.exported');
    expect(exports[0]).toMatchObject({
      actor: { user_id: owner.userId },
      details: { query: { format: 'csv', source: 'web' } },
    });
    const other = await signup(t.app);
    const theirs = (await call('GET', '/api/v1/audit-log', other.headers)).json().data;
    expect(theirs.every((e: { target_id: string | null }) => e.target_id !== String(owner.userId))).toBe(
      true,
    );
  });
});
