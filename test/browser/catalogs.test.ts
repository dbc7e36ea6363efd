import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** An admin keeps the catalogs a lead picks from: add, rename in place, delete after asking, lead type defaults. */
describe.skipIf(!run)('catalog settings (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    token = (await signUp(page, s.baseUrl, 'admin@cat.test', 'Cat Co')).token;
    await useToken(page, s.baseUrl, token);
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/settings/catalogs?kind=lead-sources`);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('adds a lead source, refusing an empty name in plain words first', async () => {
    const form = page.getByRole('form', { name: 'Add a lead source' });
    await form.getByRole('button', { name: 'Add lead source' }).click();
    await expect.poll(() => form.getByRole('alert').first().textContent()).toBe('Name cannot be empty.');
    await form.getByLabel('Name').fill('Trade fair');
    await form.getByLabel('Alternative code').fill('FAIR');
    await form.getByRole('button', { name: 'Add lead source' }).click();
    await expect.poll(() => page.getByLabel('Name of Trade fair').inputValue()).toBe('Trade fair');
    const list = await apiAs(page, s.baseUrl, token).get('/lead-sources');
    expect(
      list.data.map((e: { name: string; alternative_code: string }) => [e.name, e.alternative_code]),
    ).toEqual([['Trade fair', 'FAIR']]);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'settings-catalogs');
  });

  it('renames in place on Enter, and keeps the choice of catalog in the URL', async () => {
    const input = page.getByLabel('Name of Trade fair');
    await input.fill('Trade show');
    await input.press('Enter');
    await expect
      .poll(async () => (await apiAs(page, s.baseUrl, token).get('/lead-sources')).data[0].name)
      .toBe('Trade show');
    await page.getByLabel('Catalog').selectOption('projects');
    await page.waitForURL('**/settings/catalogs?kind=projects');
    await expect.poll(() => page.getByText('No project yet').count()).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByLabel('Catalog').inputValue()).toBe('projects');
    await page.goBack();
    await expect.poll(() => page.getByLabel('Catalog').inputValue()).toBe('lead-sources');
  });

  it('refuses to delete a source leads use, after asking in a dialog, and deletes an unused one', async () => {
    const api = apiAs(page, s.baseUrl, token);
    const src = (await api.get('/lead-sources')).data[0];
    await api.post('/leads', { first_name: 'Uses', last_name: 'Source', source_id: src.id });
    await page.getByRole('button', { name: 'Delete Trade show' }).click();
    const dialog = page.getByRole('dialog', { name: 'Please confirm' });
    await expect.poll(() => dialog.textContent()).toContain('Delete the lead source "Trade show"?');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
    expect((await api.get('/lead-sources')).data).toHaveLength(1);

    await api.post('/lead-sources', { name: 'Cold call' });
    await page.reload();
    await page.getByRole('button', { name: 'Delete Cold call' }).click();
    await page
      .getByRole('dialog', { name: 'Please confirm' })
      .getByRole('button', { name: 'Cancel' })
      .click();
    expect((await api.get('/lead-sources')).data).toHaveLength(2);
    await page.getByRole('button', { name: 'Delete Cold call' }).click();
    await page
      .getByRole('dialog', { name: 'Please confirm' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect.poll(async () => (await api.get('/lead-sources')).data.length).toBe(1);
  });

  it('gives a lead type its default status, and sets the default status of new leads', async () => {
    const api = apiAs(page, s.baseUrl, token);
    await page.getByLabel('Catalog').selectOption('lead-types');
    const form = page.getByRole('form', { name: 'Add a lead type' });
    await form.getByLabel('Name').fill('Fleet');
    await form.getByRole('button', { name: 'Add lead type' }).click();
    await page.getByLabel('Default status of Fleet').selectOption({ label: 'Qualified' });
    await expect
      .poll(async () => (await api.get('/lead-types')).data.find((t: { name: string }) => t.name === 'Fleet'))
      .toMatchObject({ default_status: 'qualified' });
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(PHONE);
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize(DESKTOP);

    await page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: 'Statuses' })
      .click();
    // A controlled radio: it shows checked once the server has saved the change.
    const radio = page.getByLabel('Assigned is the default status of new leads');
    await radio.click();
    await expect.poll(() => radio.isChecked()).toBe(true);
    await expect
      .poll(
        async () => (await api.get('/statuses')).data.find((x: { is_default: boolean }) => x.is_default)?.key,
      )
      .toBe('assigned');
    const lead = await api.post('/leads', { first_name: 'New', last_name: 'Default' });
    expect(lead.status).toBe('assigned');
  });
});

describe.skipIf(!run)('copy buttons (chromium)', () => {
  let s: Stack;
  let page: Page;

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.baseUrl });
    const { token } = await signUp(page, s.baseUrl, 'copy@cat.test', 'Copy Co');
    await useToken(page, s.baseUrl, token);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('copies a new API key and an invitation link to the clipboard', async () => {
    await page.goto(`${s.baseUrl}/settings/api-keys`);
    const form = page.getByRole('form', { name: 'Create an API key' });
    await form.getByLabel('Name').fill('Zapier');
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('.notice code.secret').textContent())!;
    await page.getByRole('button', { name: 'Copy the key' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);

    await page.goto(`${s.baseUrl}/settings/users`);
    await page.getByLabel('Invite by email').fill('new@cat.test');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.locator('code.secret').textContent())!;
    await page.getByRole('button', { name: 'Copy the link' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(link);
  });
});
