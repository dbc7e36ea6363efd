import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** Statuses keyed from their label and reordered by dragging; web-to-lead keys with where visitors land. */
describe.skipIf(!run)('settings: status order and web-to-lead landing (chromium)', () => {
  let s: Stack;
  let page: Page;
  let api: ReturnType<typeof apiAs>;
  const errors: string[] = [];

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    const { token } = await signUp(page, s.baseUrl, 'owner@order.test', 'Order Co', 'Ada Admin');
    api = apiAs(page, s.baseUrl, token);
    await api.post('/teams', { name: 'Inbound' });
    await useToken(page, s.baseUrl, token);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('derives the key from the label and moves a status with the keyboard', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/settings/statuses`);
    const form = page.getByRole('form', { name: 'Add a status' });
    await form.getByLabel('Label').fill('Démo booked!');
    expect(await form.getByLabel('Key').inputValue()).toBe('demo_booked');
    await form.getByRole('button', { name: 'Add status' }).click();
    await page.getByLabel('Label of demo_booked').waitFor();
    const keys = async () => ((await api.get('/statuses')).data as { key: string }[]).map((x) => x.key);
    const before = await keys();
    const at = before.indexOf('demo_booked');
    // Space lifts, ArrowUp twice moves it two places up, Space drops.
    await page.getByRole('button', { name: 'Move Démo booked!' }).focus();
    // (dnd-kit's keyboard sensor moves one place per key once the lift has rendered: give each step a frame.)
    for (const key of ['Space', 'ArrowUp', 'ArrowUp', 'Space']) {
      await page.keyboard.press(key);
      await page.waitForTimeout(150);
    }
    await expect.poll(async () => (await keys()).indexOf('demo_booked')).toBe(at - 2);
    const rows = await page.locator('.settings-table tbody tr code').allTextContents();
    expect(rows.indexOf('demo_booked')).toBe(at - 2);
    await shot(page, 'settings-status-order');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('creates a web-to-lead key with owner, team and tags; a form post lands on the hosted thank-you page', async () => {
    await page.goto(`${s.baseUrl}/settings/web-to-lead`);
    const form = page.getByRole('form', { name: 'Create a web-to-lead key' });
    await form.getByLabel('Name').fill('Contact page');
    await form.getByLabel('Default owner').selectOption({ label: 'Ada Admin' });
    await form.getByLabel('Default team').selectOption({ label: 'Inbound' });
    await form.getByLabel('Tags').fill('web, inbound');
    await form.getByRole('button', { name: 'Create key' }).click();
    const item = page.locator('.w2l').filter({ hasText: 'Contact page' });
    await expect.poll(() => item.textContent()).toContain('the hosted thank-you page');
    expect(await item.textContent()).toContain('owner Ada Admin');
    expect(await item.textContent()).toContain('team Inbound');
    expect(await item.textContent()).toContain('tags web, inbound');
    await shot(page, 'settings-web-to-lead-key');
    expect(await axeViolations(page)).toEqual([]);

    // A visitor's plain HTML form post: redirected to a page they read, not JSON.
    const key = (await item.locator('code').first().textContent()) ?? '';
    const res = await page.request.post(`${s.baseUrl}/api/v1/web-to-lead?key=${key}`, {
      form: { last_name: 'Visitor', email: 'v@example.test' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
    await page.goto(`${s.baseUrl}${res.headers().location}`);
    await page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const leads = (await api.get('/leads?q=Visitor')).data as { tags: string[]; owner_id: number }[];
    expect(leads[0].tags.sort()).toEqual(['inbound', 'web']);
    expect(leads[0].owner_id).not.toBeNull();
    expect(errors).toEqual([]);
  });

  it('both settings screens are clean for axe on a phone', async () => {
    await page.setViewportSize(PHONE);
    for (const tab of ['statuses', 'web-to-lead']) {
      await page.goto(`${s.baseUrl}/settings/${tab}`);
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await axeViolations(page), tab).toEqual([]);
    }
    expect(errors).toEqual([]);
  });
});
