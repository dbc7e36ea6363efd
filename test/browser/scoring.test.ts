import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, startStack, type Stack } from './harness.js';
import { apiAs, axeViolations, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** The lead page explains a score in words; the list and the board show it. */
describe.skipIf(!run)('lead scoring in the web app (chromium)', () => {
  let s: Stack;
  let page: Page;
  let leadId = 0;

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const { token } = await signUp(page, s.baseUrl, 'sam@score.test', 'Scored');
    const api = apiAs(page, s.baseUrl, token);
    // 220 outcomes: Referral wins, the other sources mostly do not.
    for (let i = 0; i < 220; i += 20)
      await Promise.all(
        Array.from({ length: 20 }, (_, k) => {
          const n = i + k;
          const referral = n % 3 === 0;
          const won = referral ? n % 10 !== 0 : n % 7 === 0;
          return api.post('/leads', {
            first_name: `Past ${n}`,
            source: referral ? 'Referral' : n % 2 ? 'Web' : 'Ads',
            status: won ? 'won' : 'closed',
          });
        }),
      );
    await api.post('/scoring/train', {});
    for (let i = 0; i < 300 && (await api.get('/scoring/model')).status !== 'trained'; i++)
      await new Promise((r) => setTimeout(r, 200));
    leadId = (await api.post('/leads', { first_name: 'Rita', last_name: 'Referred', source: 'Referral' })).id;
    await api.post('/leads', { first_name: 'Walt', last_name: 'Web', source: 'Web' });
    await useToken(page, s.baseUrl, token);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
  });

  it('shows the score and the factors behind it in words on the lead page', async () => {
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('heading', { name: 'Rita Referred' }).waitFor();
    const panel = page.getByRole('region', { name: /Lead score/ });
    await panel.waitFor();
    const up = panel.getByRole('list', { name: 'Pushing the score up' });
    await expect.poll(() => up.getByText('Source is Referral').count()).toBe(1);
    expect(await panel.textContent()).toMatch(/\d+ out of 100/);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('lists the score as a column, sortable, and puts it on the board cards', async () => {
    await page.goto(`${s.baseUrl}/leads`);
    const sortButton = page.getByRole('columnheader', { name: /Score/ }).getByRole('button');
    await sortButton.waitFor();
    const names = page.locator('tbody tr').filter({ hasText: /Rita Referred|Walt Web/ });
    await expect.poll(() => names.count()).toBe(2);
    const header = page.getByRole('columnheader', { name: /Score/ });
    // Sorted by score, highest first (one or two clicks, whichever direction the header starts with).
    for (let i = 0; i < 2 && (await header.getAttribute('aria-sort')) !== 'descending'; i++) {
      await sortButton.click();
      await expect.poll(() => header.getAttribute('aria-sort')).not.toBe('none');
    }
    await expect.poll(() => names.first().textContent()).toContain('Rita Referred');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${s.baseUrl}/board`);
    const card = page.locator('.lead-card').filter({ hasText: 'Rita Referred' });
    await card.waitFor();
    expect(await card.locator('.score-badge').textContent()).toMatch(/^Score \d+$/);
    expect(await axeViolations(page)).toEqual([]);
  });
});
