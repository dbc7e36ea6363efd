import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { addMember, apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** A board people can work from: filters in the URL, cards that say who and what next, a move that asks. */
describe.skipIf(!run)('pipeline board (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  let repId = 0;

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const admin = await signUp(page, s.baseUrl, 'boss@board.test', 'Board Co', 'Mia Manager');
    token = admin.token;
    repId = (await addMember(page, s.baseUrl, token, 'rep@board.test', 'Rex Rep', 'agent')).user.id;
    const api = apiAs(page, s.baseUrl, token);
    const ada = await api.post('/leads', {
      first_name: 'Ada',
      last_name: 'Fleet',
      owner_id: repId,
      value: '10000',
      probability: 50,
      source: 'Trade fair',
      tags: ['hot'],
    });
    await api.post(`/leads/${ada.id}/follow-ups`, {
      scheduled_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await api.post('/leads', {
      first_name: 'Bo',
      last_name: 'Mine',
      owner_id: admin.user.id,
      value: '3000',
      probability: 10,
    });
    await useToken(page, s.baseUrl, token);
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/board`);
  });
  afterAll(async () => {
    await s?.close();
  });

  const fresh = () => page.locator('section.column[data-status="new"]');

  it('shows owner, next step and days in stage on the cards, and the weighted value per column', async () => {
    await expect.poll(() => fresh().locator('.count').textContent()).toBe('2');
    const ada = fresh().locator('.lead-card', { hasText: 'Ada Fleet' });
    await expect.poll(() => ada.textContent()).toContain('Rex Rep');
    expect(await ada.textContent()).toContain('0 d here');
    expect(await ada.locator('.card-next time').count()).toBe(1);
    expect(await fresh().locator('.lead-card', { hasText: 'Bo Mine' }).textContent()).toContain(
      'No next step',
    );
    // 10,000 x 50% + 3,000 x 10% = 5,300.
    await expect.poll(() => fresh().locator('.weighted').textContent()).toMatch(/5,300/);
    expect(await fresh().locator('.sum').textContent()).toMatch(/13,000/);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'board-cards');
  });

  it('filters by owner, source and tag, kept in the URL', async () => {
    const filters = page.getByRole('form', { name: 'Board filters' });
    await filters.getByLabel('Owner').selectOption({ label: 'Rex Rep' });
    await page.waitForURL(`**/board?owner_id=${repId}`);
    await expect.poll(() => fresh().locator('.count').textContent()).toBe('1');
    await expect.poll(() => fresh().locator('.weighted').textContent()).toMatch(/5,000/);
    await page.reload();
    await expect.poll(() => fresh().locator('.count').textContent()).toBe('1');
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => fresh().locator('.count').textContent()).toBe('2');
    await filters.getByLabel('Tag').fill('hot');
    await expect.poll(() => fresh().locator('.count').textContent()).toBe('1');
    await filters.getByLabel('Tag').fill('');
    await filters.getByLabel('Search').fill('Mine');
    await expect.poll(() => page.url()).toContain('q=Mine');
    await expect
      .poll(() => fresh().locator('.lead-card').allTextContents())
      .toEqual([expect.stringContaining('Bo Mine')]);
    await filters.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('asks before a keyboard move', async () => {
    const api = apiAs(page, s.baseUrl, token);
    await expect.poll(() => fresh().locator('.count').textContent()).toBe('2');
    const menu = page.getByLabel('Move Bo Mine to');
    await menu.focus();
    await page.keyboard.press('ArrowDown');
    const ask = page.getByRole('dialog', { name: 'Move this lead?' });
    await expect.poll(() => ask.isVisible()).toBe(true);
    await ask.getByRole('button', { name: 'Cancel' }).click();
    const bo = (await api.get('/leads?q=Mine')).data[0];
    expect(bo.status).toBe('new');
    await menu.selectOption('qualified');
    await ask.getByRole('button', { name: 'Move to Qualified' }).click();
    await expect.poll(async () => (await api.get(`/leads/${bo.id}`)).status).toBe('qualified');
  });

  it('shows one column at a time on a phone, with a column switcher', async () => {
    await page.setViewportSize(PHONE);
    await expect.poll(() => page.locator('section.column').count()).toBe(1);
    await page.getByLabel('Column').selectOption('qualified');
    await expect
      .poll(() => page.locator('section.column[data-status="qualified"] .lead-card').count())
      .toBe(1);
    expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThan(2500);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'phone-board-column');
    await page.setViewportSize(DESKTOP);
  });
});
