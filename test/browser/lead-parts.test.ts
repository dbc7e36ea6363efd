import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack, signInWithToken } from './harness.js';

const run = browserAvailable();

/** The lead page shows who is on the lead, its emails and phones, and its items, and adds to each. */
describe.skipIf(!run)('lead page: people, contact points, items (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  let leadId = 0;
  const get = async (path: string) =>
    (
      await page.request.get(`${s.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })
    ).json();

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const signup = await page.request.post(`${s.baseUrl}/api/v1/auth/signup`, {
      data: {
        email: 'ann@dealer.test',
        password: 'correct horse battery',
        name: 'Ann Advisor',
        organization_name: 'Dealer',
      },
    });
    token = (await signup.json()).token;
    const created = await page.request.post(`${s.baseUrl}/api/v1/leads`, {
      headers: { authorization: `Bearer ${token}` },
      data: {
        first_name: 'Carl',
        last_name: 'Buyer',
        email: 'carl@buyer.test',
        items: [{ type: 'service', name: 'Oil change', quantity: 2, price: '49.90', currency: 'CAD' }],
      },
    });
    leadId = (await created.json()).id;
    await page.goto(s.baseUrl);
    await signInWithToken(page, s.baseUrl, token);
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('heading', { name: 'Carl Buyer' }).waitFor();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('gives a user a role on the lead', async () => {
    const form = page.getByRole('form', { name: 'Add a person' });
    await form.getByLabel('User', { exact: true }).selectOption({ label: 'Ann Advisor' });
    await form.getByLabel('Role', { exact: true }).selectOption({ label: 'Advisor' });
    await form.getByRole('button', { name: 'Add person' }).click();
    const list = page.getByRole('list', { name: 'Users of the lead' });
    await expect.poll(() => list.getByText('Ann Advisor').count()).toBe(1);
    expect(await list.textContent()).toContain('Advisor');
    const lead = await get(`/leads/${leadId}`);
    expect(lead.users.map((u: { role: string }) => u.role)).toEqual(['advisor']);
  });

  it('shows the primary email and adds a phone, refusing one that is not a phone', async () => {
    const points = page.getByRole('list', { name: 'Contact points' });
    await expect.poll(() => points.getByText('carl@buyer.test').count()).toBe(1);
    expect(await points.textContent()).toContain('primary');
    const form = page.getByRole('form', { name: 'Add an email or phone' });
    await form.getByLabel('Number', { exact: true }).fill('call me maybe');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => form.locator('.field.has-error label').first().textContent()).toBe('Number');
    await form.getByLabel('Number', { exact: true }).fill('+1 415 555 0142');
    await form.getByLabel('Type', { exact: true }).selectOption('work');
    await form.getByLabel('Extension', { exact: true }).fill('12');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => points.getByText('+1 415 555 0142').count()).toBe(1);
    expect(await points.textContent()).toContain('ext. 12');
    const lead = await get(`/leads/${leadId}`);
    expect(lead.phone).toBe('+1 415 555 0142');
    expect(lead.phones).toMatchObject([
      { number: '+1 415 555 0142', type: 'work', extension: '12', primary: true },
    ]);
  });

  it('lists the items and adds a vehicle, refusing a VIN that is not 17 characters', async () => {
    const items = page.getByRole('list', { name: 'Items of the lead' });
    await expect.poll(() => items.getByText('2 × Oil change at 49.90 CAD').count()).toBe(1);
    const form = page.getByRole('form', { name: 'Add an item' });
    await form.getByLabel('Make', { exact: true }).fill('Honda');
    await form.getByLabel('Model', { exact: true }).fill('Civic');
    await form.getByLabel('Year', { exact: true }).fill('2022');
    await form.getByLabel('VIN', { exact: true }).fill('SHORTVIN');
    await form.getByRole('button', { name: 'Add item' }).click();
    await expect.poll(() => form.locator('.field.has-error label').first().textContent()).toBe('VIN');
    await form.getByLabel('VIN', { exact: true }).fill('2HGFE2F59NH123456');
    await form.getByRole('button', { name: 'Add item' }).click();
    await expect
      .poll(() => items.getByText('2022 Honda Civic (wanted) VIN 2HGFE2F59NH123456').count())
      .toBe(1);
    await form.getByLabel('Item type', { exact: true }).selectOption({ label: 'Competitor' });
    await form.getByLabel('Name', { exact: true }).fill('Rival Motors');
    await form.getByRole('button', { name: 'Add item' }).click();
    await expect.poll(() => items.getByText('Rival Motors').count()).toBe(1);
    await shot(page, 'lead-parts', true);
    const lead = await get(`/leads/${leadId}`);
    expect(lead.items.map((i: { type: string }) => i.type)).toEqual(['service', 'vehicle', 'competitor']);
    expect(lead.items[1].vehicle).toMatchObject({
      make: 'Honda',
      model: 'Civic',
      year: 2022,
      vin: '2HGFE2F59NH123456',
    });
  });

  it('fits a 390 px phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('heading', { name: 'Items' }).waitFor();
    await expect.poll(() => page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
