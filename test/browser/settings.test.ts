import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack, signInWithToken } from './harness.js';

const run = browserAvailable();

/** An admin shapes the workspace: statuses, reasons, custom fields, API keys, teams. */
describe.skipIf(!run)('settings screens (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const signup = await page.request.post(`${s.baseUrl}/api/v1/auth/signup`, {
      data: {
        email: 'admin@shape.test',
        password: 'correct horse battery',
        name: 'Ada Admin',
        organization_name: 'Shape Co',
      },
    });
    token = (await signup.json()).token;
    await page.goto(s.baseUrl);
    await signInWithToken(page, s.baseUrl, token);
    await page.goto(`${s.baseUrl}/settings/statuses`);
  });
  afterAll(async () => {
    await s?.close();
  });

  const get = async (path: string, bearer = token) =>
    page.request.get(`${s.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${bearer}` } });

  it('adds a status, refusing a bad key with the message from the API', async () => {
    const form = page.getByRole('form', { name: 'Add a status' });
    await form.getByLabel('Label').fill('Demo booked');
    await form.getByLabel('Key').fill('Demo Booked');
    await form.getByRole('button', { name: 'Add status' }).click();
    await expect.poll(() => form.locator('.field.has-error label').textContent()).toBe('Key');
    await form.getByLabel('Key').fill('demo_booked');
    await form.getByRole('button', { name: 'Add status' }).click();
    await expect.poll(() => page.getByLabel('Label of demo_booked').inputValue()).toBe('Demo booked');
    const statuses = await (await get('/statuses')).json();
    expect(statuses.data.map((x: { key: string }) => x.key)).toContain('demo_booked');
  });

  it('adds a sub-status that the status dialog then asks for', async () => {
    await page.getByRole('button', { name: 'Sub-statuses of On hold' }).click();
    await page.getByLabel('New sub-status of On hold').fill('Waiting for budget');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Delete Waiting for budget' }).count()).toBe(1);

    const created = await page.request.post(`${s.baseUrl}/api/v1/leads`, {
      headers: { authorization: `Bearer ${token}` },
      data: { first_name: 'Hold', last_name: 'Me' },
    });
    const lead = await created.json();
    await page.goto(`${s.baseUrl}/leads/${lead.id}`);
    await page.getByLabel('Change status').selectOption('on_hold');
    const dialog = page.getByRole('dialog', { name: 'Move to On hold' });
    await dialog.getByLabel('Sub-status').selectOption('Waiting for budget');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await expect
      .poll(() => page.locator('.page-head .pill').textContent())
      .toBe('On hold · Waiting for budget');
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await expect.poll(() => timeline.getByText('Status New → On hold (Waiting for budget)').count()).toBe(1);
    await page.goto(`${s.baseUrl}/settings/statuses`);
  });

  it('adds a lost reason to the catalog', async () => {
    await page.getByRole('link', { name: 'Reasons' }).click();
    await page.getByLabel('Reason', { exact: true }).fill('Timing is wrong');
    await page.getByRole('button', { name: 'Add reason' }).click();
    await expect.poll(() => page.getByText('Timing is wrong').count()).toBe(1);
    const reasons = await (await get('/reasons?category=lost')).json();
    expect(reasons.data.map((r: { text: string }) => r.text)).toContain('Timing is wrong');
  });

  it('defines a custom field that appears on the lead page and in the filters', async () => {
    await page.getByRole('link', { name: 'Custom fields' }).click();
    const form = page.getByRole('form', { name: 'Add a custom field' });
    await form.getByLabel('Label').fill('Fleet size');
    await form.getByLabel('Key').fill('fleet_size');
    await form.getByLabel('Type').selectOption('number');
    await form.getByRole('button', { name: 'Add field' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'fleet_size' }).count()).toBe(1);
    await shot(page, 'settings-custom-fields');

    const created = await page.request.post(`${s.baseUrl}/api/v1/leads`, {
      headers: { authorization: `Bearer ${token}` },
      data: { first_name: 'Fleet', last_name: 'Owner' },
    });
    const lead = await created.json();
    await page.goto(`${s.baseUrl}/leads/${lead.id}`);
    const fleet = page.locator('[data-field="custom_fields.fleet_size"]');
    await fleet.getByRole('button').click();
    await fleet.getByLabel('Fleet size').fill('many');
    await fleet.getByLabel('Fleet size').press('Enter');
    // A number field takes only a number, and says so under it in plain words.
    await expect.poll(() => fleet.getByRole('alert').textContent()).toBe('Fleet size needs a number.');
    await fleet.getByLabel('Fleet size').fill('40');
    await fleet.getByLabel('Fleet size').press('Enter');
    await expect
      .poll(async () => (await (await get(`/leads/${lead.id}`)).json()).custom_fields.fleet_size)
      .toBe(40);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).click();
    await expect.poll(() => page.getByText('2 leads', { exact: true }).count()).toBe(1);
    await page.getByText('Filters', { exact: true }).click();
    await page.locator('.filter-grid').getByLabel('Fleet size').fill('41');
    await expect.poll(() => page.getByText('0 leads', { exact: true }).count()).toBe(1);
    await page.locator('.filter-grid').getByLabel('Fleet size').fill('40');
    await expect.poll(() => page.getByText('1 lead', { exact: true }).count()).toBe(1);
  });

  it('creates an API key shown once, which works until it is revoked', async () => {
    await page.goto(`${s.baseUrl}/settings/api-keys`);
    const form = page.getByRole('form', { name: 'Create an API key' });
    await form.getByLabel('Name').fill('Zapier');
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('.notice code.secret').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    expect((await get('/leads', secret)).status()).toBe(200);
    await shot(page, 'settings-api-keys');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'revoked' }).count()).toBe(1);
    expect((await get('/leads', secret)).status()).toBe(401);
  });

  it('creates a team and an invitation', async () => {
    await page.getByRole('link', { name: 'Users & teams' }).click();
    await page.getByLabel('New team').fill('Field sales');
    await page.getByRole('button', { name: 'Add team' }).click();
    await expect.poll(() => page.getByText('Field sales', { exact: true }).count()).toBe(1);
    await page.getByLabel('Add a member to Field sales').selectOption({ label: 'Ada Admin' });
    const members = page.getByRole('list', { name: 'Members of Field sales' });
    await expect.poll(() => members.getByText('Ada Admin').count()).toBe(1);
    const teams = await (await get('/teams')).json();
    expect(teams.data[0].members.map((m: { name: string }) => m.name)).toEqual(['Ada Admin']);
    await page.getByLabel('Invite by email').fill('newbie@shape.test');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    await expect.poll(() => page.locator('code.secret').textContent()).toContain('/invite/');
    await shot(page, 'settings-users');
  });
});
