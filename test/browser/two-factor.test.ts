import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';

const run = browserAvailable();
const PASSWORD = 'correct horse battery';
/** The code of the step `steps` periods from now, as the person's authenticator app shows it. */
const codeAt = (secret: string, steps = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** Two-factor sign-in in the web app: enrol in Settings > Security, then sign in with a code (cookie session). */
describe.skipIf(!run)('two-factor sign-in (chromium)', () => {
  let s: Stack;
  let page: Page;
  let secret = '';

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const signup = await page.request.post(`${s.baseUrl}/api/v1/auth/signup`, {
      data: { email: 'tina@two.test', password: PASSWORD, name: 'Tina Two', organization_name: 'Two Co' },
    });
    expect(signup.status()).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
  });

  async function signInWithPassword() {
    await page.goto(`${s.baseUrl}/signin`);
    await page.getByLabel('Email').fill('tina@two.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in with an HttpOnly cookie, keeping no token where a script can read it', async () => {
    await signInWithPassword();
    await page.waitForURL('**/leads');
    const cookies = await s.context.cookies();
    const session = cookies.find((c) => c.name === 'lf_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    expect(await page.evaluate('document.cookie')).not.toContain('lf_session');
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain('lf_');
  });

  it('enrols an authenticator app in Settings > Security and shows the recovery codes once', async () => {
    await page.goto(`${s.baseUrl}/settings/security`);
    const start = page.getByRole('form', { name: 'Set up two-factor sign-in' });
    await start.getByLabel('Password').fill('wrong password');
    await start.getByRole('button', { name: 'Set up' }).click();
    await expect.poll(() => start.locator('.field.has-error').count()).toBe(1);
    await start.getByLabel('Password').fill(PASSWORD);
    await start.getByRole('button', { name: 'Set up' }).click();

    const confirm = page.getByRole('form', { name: 'Confirm two-factor sign-in' });
    await confirm.getByRole('img', { name: /QR code/ }).waitFor();
    secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await confirm.getByLabel('Code from the app').fill(await codeAt(secret));
    await confirm.getByRole('button', { name: 'Turn on' }).click();

    const codes = page.getByRole('region', { name: 'Recovery codes' });
    await expect.poll(() => codes.locator('li').count()).toBe(10);
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Two-factor sign-in is on. 10 recovery codes left.');
    await shot(page, 'settings-security');
    await codes.getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(() => codes.count()).toBe(0);
  });

  it('signs out, then signs in with the password and a code from the app', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    expect((await s.context.cookies()).some((c) => c.name === 'lf_session')).toBe(false);

    await signInWithPassword();
    const step = page.getByRole('form', { name: 'Two-factor code' });
    await step.getByLabel('Code').waitFor();
    // No session before the code.
    expect((await s.context.cookies()).some((c) => c.name === 'lf_session')).toBe(false);
    await step.getByLabel('Code').fill('000000');
    await step.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => step.locator('.field.has-error').count()).toBe(1);
    // The enrolment used this period's code: the app's next one signs in.
    await step.getByLabel('Code').fill(await codeAt(secret, 1));
    await step.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/leads');
    await expect.poll(() => page.locator('.user-name').textContent()).toBe('Tina Two');
  });
});
