import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { browserAvailable, signInWithToken, startStack, type Stack } from './harness.js';
import { axeViolations } from './axe.js';

const run = browserAvailable();

/**
 * An admin turns off the two-factor sign-in of a member who lost their phone and recovery codes (Settings >
 * Users & teams), and makes an API key that may export (the `leads:export` scope).
 */
describe.skipIf(!run)('admin: two-factor reset and export keys (chromium)', () => {
  let s: Stack;
  let owner: { token: string; orgId: number };
  let memberEmail = '';

  beforeAll(async () => {
    s = await startStack();
    const api = (path: string, data: object, token?: string) =>
      s.page.request.post(`${s.baseUrl}/api/v1${path}`, {
        data,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      });
    const signup = await api('/auth/signup', {
      email: 'olga@admin.test',
      password: 'correct horse battery',
      name: 'Olga Owner',
      organization_name: 'Admin Co',
    });
    expect(signup.status()).toBe(201);
    const sj = await signup.json();
    owner = { token: sj.token, orgId: sj.organization.id };
    memberEmail = 'milo@admin.test';
    const inv = await api('/invitations', { email: memberEmail, role: 'agent' }, owner.token);
    expect(inv.status()).toBe(201);
    const acc = await api(`/invitations/${(await inv.json()).token}/accept`, {
      name: 'Milo Member',
      password: 'a long password',
    });
    expect(acc.status()).toBe(200);
    const member = (await acc.json()).token as string;
    const begin = await api('/me/two-factor', { password: 'a long password' }, member);
    const { secret } = await begin.json();
    const on = await api('/me/two-factor/confirm', { code: await generate({ secret }) }, member);
    expect(on.status()).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("turns off a member's two-factor sign-in; the member then signs in with the password alone", async () => {
    const login = () =>
      s.page.request.post(`${s.baseUrl}/api/v1/auth/login`, {
        data: { email: memberEmail, password: 'a long password' },
      });
    expect((await (await login()).json()).two_factor_required).toBe(true);
    await s.page.goto(`${s.baseUrl}/`);
    await signInWithToken(s.page, s.baseUrl, owner.token, owner.orgId);
    await s.page.goto(`${s.baseUrl}/settings/users`);
    await s.page.getByRole('button', { name: 'Reset two-factor of Milo Member' }).click();
    await expect
      .poll(() =>
        s.page.getByRole('status').filter({ hasText: 'Two-factor sign-in of Milo Member is off.' }).count(),
      )
      .toBe(1);
    expect(await axeViolations(s.page)).toEqual([]);
    const after = await (await login()).json();
    expect(after.two_factor_required).toBeUndefined();
    expect(after.token).toBeTruthy();
  });

  it('makes an export-only API key, which exports and cannot read or write leads', async () => {
    await s.page.goto(`${s.baseUrl}/settings/api-keys`);
    const form = s.page.getByRole('form', { name: 'Create an API key' });
    await form.getByLabel('Name').fill('Nightly export');
    await form.getByLabel('leads:read').uncheck();
    await form.getByLabel('leads:write').uncheck();
    await form.getByLabel('leads:export').check();
    await form.getByRole('button', { name: 'Create key' }).click();
    const key = (await s.page.locator('code.secret').textContent())!.trim();
    const as = { headers: { authorization: `Bearer ${key}` } };
    expect((await s.page.request.get(`${s.baseUrl}/api/v1/leads/export?format=csv`, as)).status()).toBe(200);
    expect((await s.page.request.get(`${s.baseUrl}/api/v1/leads`, as)).status()).toBe(403);
    expect(await axeViolations(s.page)).toEqual([]);
  });
});
