import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, signInWithToken, startStack, type Stack } from './harness.js';
import { axeViolations } from './axe.js';

const run = browserAvailable();

/** Saved views live on the server: saved from a dialog, shared with the organization, used by a colleague. */
describe.skipIf(!run)('saved views (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  let orgId = 0;
  const call = async (t: string, method: string, path: string, data?: unknown) => {
    const res = await page.request.fetch(`${s.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${t}` },
      ...(data !== undefined ? { data } : {}),
    });
    if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  const signIn = async (t: string) => {
    await page.goto(`${s.baseUrl}/login`);
    await page.evaluate(`localStorage.clear()`);
    await page.context().clearCookies();
    await signInWithToken(page, s.baseUrl, t, orgId);
    await page.goto(`${s.baseUrl}/leads`);
  };

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const signup = await page.request.post(`${s.baseUrl}/api/v1/auth/signup`, {
      data: {
        email: 'views@acme.test',
        password: 'correct horse battery',
        name: 'Vi',
        organization_name: 'Views',
      },
    });
    const j = await signup.json();
    token = j.token;
    orgId = j.organization.id;
    for (let i = 0; i < 12; i++)
      await call(token, 'POST', '/leads', {
        first_name: `P${i}`,
        last_name: 'Views',
        source: i % 3 ? 'web' : 'fair',
      });
  }, 180_000);
  afterAll(() => s?.close());

  it('saves the filtered list as a shared view that a colleague can apply', async () => {
    await signIn(token);
    await expect.poll(() => page.getByText('12 leads', { exact: true }).count()).toBe(1);
    await page.getByText('Filters', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Source' }).fill('fair');
    await expect.poll(() => page.getByText('4 leads', { exact: true }).count()).toBe(1);

    await page.getByRole('button', { name: 'Save view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save this view' });
    await dialog.getByLabel('Name of the view').fill('Fair leads');
    await dialog.getByLabel('Shared with').selectOption('organization');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);

    const views = await call(token, 'GET', '/views');
    expect(views.data).toHaveLength(1);
    expect(views.data[0]).toMatchObject({ name: 'Fair leads', visibility: 'organization' });
    expect(views.data[0].filters).toMatchObject({ source: 'fair' });

    // A colleague sees it in their picker (no browser storage involved) and gets the same list.
    const inv = await call(token, 'POST', '/invitations', { email: 'agent@acme.test', role: 'agent' });
    const acc = await page.request.post(`${s.baseUrl}/api/v1/invitations/${inv.token}/accept`, {
      data: { name: 'Agent', password: 'correct horse battery' },
    });
    const agent = (await acc.json()) as { token: string; user: { id: number } };
    await call(token, 'POST', '/leads', { first_name: 'Mine', source: 'fair', owner_id: agent.user.id });
    await signIn(agent.token);
    // The picker appears once the agent's views have loaded; if it never does, say where the page is.
    await expect
      .poll(async () => ((await page.getByLabel('Saved view').count()) === 1 ? 'picker shown' : page.url()))
      .toBe('picker shown');
    await page.getByLabel('Saved view').selectOption('Fair leads');
    await expect.poll(() => page.getByRole('combobox', { name: 'Source' }).inputValue()).toBe('fair');
    // The agent's list shows the one fair lead they can see.
    await expect.poll(() => page.getByText('1 lead', { exact: true }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });
});
