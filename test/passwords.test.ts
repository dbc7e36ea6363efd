/** Password change and admin reset (docs/security.md, "Passwords"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signup, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An owner and a member invited as `role`, both signed in. */
async function team(role: string) {
  const owner = await signup(t.app);
  const email = `m${Date.now()}${Math.random().toString(16).slice(2, 6)}@example.com`;
  const inv = await t.app.inject({
    method: 'POST',
    url: '/api/v1/invitations',
    headers: owner.headers,
    payload: { email, role },
  });
  expect(inv.statusCode).toBe(201);
  const acc = await t.app.inject({
    method: 'POST',
    url: `/api/v1/invitations/${inv.json().token}/accept`,
    payload: { name: 'Member', password: 'member first password' },
  });
  expect(acc.statusCode).toBe(200);
  const session = (await login(email, 'member first password')).json();
  return { owner, email, memberId: session.user.id as number, memberToken: session.token as string };
}

describe('POST /api/v1/me/password', () => {
  it('needs the current password, ends the other sessions, keeps this one', async () => {
    const s = await signup(t.app, { password: 'old password 1' });
    const other = (await login(s.email, 'old password 1')).json().token;
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: s.headers,
      payload: { current_password: 'not it', new_password: 'new password 2' },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0].field).toBe('current_password');
    expect((await login(s.email, 'old password 1')).statusCode).toBe(200);

    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: s.headers,
      payload: { current_password: 'old password 1', new_password: 'new password 2' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().sessions_ended).toBeGreaterThanOrEqual(2);
    expect(ok.body).not.toContain('password 2');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: s.headers })).statusCode).toBe(
      200,
    );
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(other) })).statusCode,
    ).toBe(401);
    expect((await login(s.email, 'old password 1')).statusCode).toBe(401);
    expect((await login(s.email, 'new password 2')).statusCode).toBe(200);
  });

  it('refuses a too short new password (400 naming the field) and API keys', async () => {
    const s = await signup(t.app, { password: 'old password 1' });
    const short = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: s.headers,
      payload: { current_password: 'old password 1', new_password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('new_password');
  });
});

describe('POST /api/v1/users/:id/password (admin reset)', () => {
  it('an owner sets a member password: the member is signed out everywhere and signs in with the new one', async () => {
    const { owner, email, memberId, memberToken } = await team('agent');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${memberId}/password`,
      headers: owner.headers,
      payload: { new_password: 'temporary password 9' },
    });
    expect(res.statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(memberToken) })).statusCode,
    ).toBe(401);
    expect((await login(email, 'member first password')).statusCode).toBe(401);
    expect((await login(email, 'temporary password 9')).statusCode).toBe(200);
    const log = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-log?action=user.password_reset',
      headers: owner.headers,
    });
    expect(log.json().data).toHaveLength(1);
  });

  it('a member cannot reset others; nobody reaches another organization; own password goes through /me', async () => {
    const { owner, memberId, memberToken } = await team('agent');
    const byAgent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${owner.userId}/password`,
      headers: bearer(memberToken),
      payload: { new_password: 'takeover password' },
    });
    expect(byAgent.statusCode).toBe(403);
    const stranger = await signup(t.app);
    const cross = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${memberId}/password`,
      headers: stranger.headers,
      payload: { new_password: 'takeover password' },
    });
    expect(cross.statusCode).toBe(404);
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${owner.userId}/password`,
      headers: owner.headers,
      payload: { new_password: 'takeover password' },
    });
    expect(self.statusCode).toBe(422);
  });
});
