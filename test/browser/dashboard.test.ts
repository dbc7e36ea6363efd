import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, holdRequests, shot, startStack, type Stack, signInWithToken } from './harness.js';
import { chart } from './axe.js';

const run = browserAvailable();

/** The dashboard is drawn from /api/v1/reports: exact numbers, a click goes to the matching list, CSV per chart. */
describe.skipIf(!run)('dashboard on the reports (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  const call = async (method: string, path: string, data?: unknown) => {
    const res = await page.request.fetch(`${s.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(data !== undefined ? { data } : {}),
    });
    if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const signup = await page.request.post(`${s.baseUrl}/api/v1/auth/signup`, {
      data: {
        email: 'dash@acme.test',
        password: 'correct horse battery',
        name: 'Dash',
        organization_name: 'Dash',
      },
    });
    const j = await signup.json();
    token = j.token;
    for (let i = 0; i < 40; i++) {
      const lead = await call('POST', '/leads', {
        first_name: `P${i}`,
        source: ['Web', 'Fair', 'Phone'][i % 3],
        value: '100.00',
        probability: 50,
      });
      if (i % 4 === 0) await call('PATCH', `/leads/${lead.id}`, { status: 'won' });
    }
    await page.goto(`${s.baseUrl}/login`);
    await signInWithToken(page, s.baseUrl, token, j.organization.id);
  }, 180_000);

  afterAll(async () => {
    await s?.close();
  });

  it('shows exact counts and clicks through to the matching lead list', async () => {
    await page.goto(`${s.baseUrl}/dashboard`);
    const funnel = chart(page, /Leads per status/);
    await expect.poll(() => funnel.getAttribute('aria-label')).toMatch(/New 30\b/);
    expect(await funnel.getAttribute('aria-label')).toMatch(/Won 10\b/);
    const conversion = chart(page, /share per source/);
    await expect.poll(() => conversion.getAttribute('aria-label')).toMatch(/Web 29% \(4\/14\)/);
    const board = page.getByText(/weighted/).first();
    await expect.poll(() => board.textContent()).toMatch(/4,000.*2,000/);
    expect(await page.getByText(/Based on the/).count()).toBe(0);
    await shot(page, 'dashboard-reports', true);

    await funnel.getByRole('link', { name: /^Won 10/ }).click();
    await page.waitForURL(/\/leads\?.*status=won/);
    await expect.poll(() => page.getByText('10 leads', { exact: true }).count()).toBe(1);
  });

  it('downloads a report as CSV', async () => {
    await page.goto(`${s.baseUrl}/dashboard`);
    await page.getByRole('heading', { name: 'Conversion rate by source' }).waitFor();
    const card = page.locator('article.card').filter({ hasText: 'Conversion rate by source' });
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'CSV' }).click(),
    ]);
    const text = fs.readFileSync((await dl.path())!, 'utf8');
    expect(text.split('\r\n')[0]).toBe('source,leads,converted,rate');
    expect(text).toContain('Web,14,4,');
  });

  it('narrows by date range: a range before any lead shows none', async () => {
    await page.goto(`${s.baseUrl}/dashboard`);
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByLabel('To').fill('2020-01-31');
    await expect.poll(() => page.getByText(/^0 leads created in the range/).count()).toBe(1);
  });

  it('says a report is loading until it answers, and only then that nothing is overdue', async () => {
    // The overdue report is held back: before it answers, its card must not say "Nothing overdue".
    const release = await holdRequests(page, '/api/v1/reports/overdue-follow-ups');
    try {
      await page.goto(`${s.baseUrl}/dashboard`);
      const card = page.locator('article.card').filter({ hasText: 'Overdue follow-ups per owner' });
      await card.getByRole('status').waitFor();
      expect(await card.getByRole('status').textContent()).toBe('Loading overdue follow-ups per owner…');
      expect(await card.getAttribute('aria-busy')).toBe('true');
      // The other reports answered meanwhile: their cards show the numbers.
      await expect
        .poll(() => chart(page, /share per source/).getAttribute('aria-label'))
        .toMatch(/Web 29% \(4\/14\)/);
      expect(await card.getByText('Nothing overdue. Nice.').count()).toBe(0);
      release();
      await card.getByText('Nothing overdue. Nice.').waitFor();
      expect(await card.getByRole('status').count()).toBe(0);
      expect(await card.getAttribute('aria-busy')).toBe('false');
    } finally {
      release();
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });
});
