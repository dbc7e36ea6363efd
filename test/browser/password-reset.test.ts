import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, holdRequests, shot, startStack, type Stack, signInWithToken } from './harness.js';
import { freePort, linkIn, startSmtp, type TestSmtp } from '../email.helpers.js';

const run = browserAvailable();

/** Forgot password -> email through a real SMTP server -> reset page -> signed in; invitations survive a reload. */
describe.skipIf(!run)('password reset and invitations by email (chromium)', () => {
  let s: Stack;
  let smtp: TestSmtp;
  let page: Page;
  let base = '';

  beforeAll(async () => {
    smtp = await startSmtp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    s = await startStack({
      port,
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Leadflow <crm@example.test>', PUBLIC_URL: base },
    });
    page = s.page;
    const res = await page.request.post(`${base}/api/v1/auth/signup`, {
      data: {
        email: 'forgetful@reset.test',
        password: 'old password 1',
        name: 'Fay Forgetful',
        organization_name: 'Reset Co',
      },
    });
    expect(res.status()).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('asks for a link from the sign-in page, follows the emailed link and sets a new password', async () => {
    await page.goto(`${base}/signin`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    const form = page.getByRole('form', { name: 'Forgot password' });
    await form.getByLabel('Email').fill('forgetful@reset.test');
    await form.getByRole('button', { name: 'Send the link' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('on its way');

    const msg = await smtp.waitFor((r) => r.to.includes('forgetful@reset.test'));
    const link = linkIn(msg.mail.text, `${base}/reset-password/`);
    await page.goto(link);
    const reset = page.getByRole('form', { name: 'Reset password' });
    await reset.getByLabel('New password', { exact: true }).fill('brand new pass 2');
    await reset.getByLabel('Repeat the new password').fill('brand new pass 2');
    await shot(page, 'reset-password');
    await reset.getByRole('button', { name: 'Set the password' }).click();
    await page.waitForURL(`${base}/leads`);
    await expect.poll(() => page.locator('.user-name').textContent()).toBe('Fay Forgetful');

    const login = await page.request.post(`${base}/api/v1/auth/login`, {
      data: { email: 'forgetful@reset.test', password: 'brand new pass 2' },
    });
    expect(login.status()).toBe(200);

    // The same link a second time: a clear message and a way to ask again.
    await page.evaluate(`localStorage.clear()`);
    await page.context().clearCookies();
    await page.goto(link);
    await reset.getByLabel('New password', { exact: true }).fill('another pass 3');
    await reset.getByLabel('Repeat the new password').fill('another pass 3');
    await reset.getByRole('button', { name: 'Set the password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('already used');
    await expect.poll(() => page.getByRole('link', { name: 'Ask for a new link' }).count()).toBe(1);
  });

  it('lists pending invitations after a reload, with delivery, resend and revoke', async () => {
    const login = await page.request.post(`${base}/api/v1/auth/login`, {
      data: { email: 'forgetful@reset.test', password: 'brand new pass 2' },
    });
    await signInWithToken(page, base, (await login.json()).token);
    await page.goto(`${base}/settings/users`);
    const form = page.getByRole('form', { name: 'Invite a user' });
    await form.getByLabel('Invite by email').fill('newbie@reset.test');
    await form.getByRole('button', { name: 'Create invitation' }).click();
    await smtp.waitFor((r) => r.to.includes('newbie@reset.test'));
    await page.reload();
    const table = page.getByRole('table', { name: 'Pending invitations' });
    await expect
      .poll(() => table.getByRole('row', { name: /newbie@reset.test/ }).textContent())
      .toContain('email sent');
    await shot(page, 'settings-invitations');
    await page.getByRole('button', { name: 'Resend the invitation to newbie@reset.test' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('sent again');
    await expect.poll(() => smtp.received.filter((r) => r.to.includes('newbie@reset.test')).length).toBe(2);
    await page.getByRole('button', { name: 'Revoke the invitation to newbie@reset.test' }).click();
    await expect.poll(() => page.getByText('No pending invitations.').count()).toBe(1);
  });

  it('says the invitations are loading until the list answers, not that there are none', async () => {
    const release = await holdRequests(page, '/api/v1/invitations');
    try {
      await page.goto(`${base}/settings/users`);
      const loading = page.getByRole('status').filter({ hasText: 'Loading invitations' });
      await loading.waitFor();
      expect(await page.getByText('No pending invitations.').count()).toBe(0);
      release();
      // The one invitation was revoked above: now, and only now, the list says there are none.
      await page.getByText('No pending invitations.').waitFor();
      expect(await loading.count()).toBe(0);
    } finally {
      release();
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });

  it('turns a notification off from the settings screen', async () => {
    await page.goto(`${base}/settings/notifications`);
    const box = page.getByLabel('A lead is assigned to me');
    await expect.poll(() => box.isChecked()).toBe(true);
    await box.uncheck();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('saved');
    await page.reload();
    await expect.poll(() => page.getByLabel('A lead is assigned to me').isChecked()).toBe(false);
  });
});
