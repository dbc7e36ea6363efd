import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { browserAvailable, startStack, type Stack } from './harness.js';
import { addMember, apiAs, axeViolations, DESKTOP, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** The board's "Move all to…": a whole column (on the board's filters) moves by one POST /leads/bulk. */
describe.skipIf(!run)('board: move a whole column (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  let repId = 0;
  const bulkPosts: string[] = [];
  const perLead: string[] = [];

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const admin = await signUp(page, s.baseUrl, 'boss@board-bulk.test', 'Bulk Board Co', 'Mia Manager');
    token = admin.token;
    repId = (await addMember(page, s.baseUrl, token, 'rep@board-bulk.test', 'Rex Rep', 'agent')).user.id;
    const api = apiAs(page, s.baseUrl, token);
    for (let i = 0; i < 4; i++)
      await api.post('/leads', { first_name: `Rep${i}`, last_name: 'Lead', owner_id: repId });
    await api.post('/leads', { first_name: 'Mine', last_name: 'Lead', owner_id: admin.user.id });
    page.on('request', (r: Request) => {
      const path = new URL(r.url()).pathname;
      if (r.method() !== 'POST') return;
      if (path === '/api/v1/leads/bulk') bulkPosts.push(r.postData() ?? '');
      else if (/^\/api\/v1\/leads\/\d+\/status$/.test(path)) perLead.push(path);
    });
    await useToken(page, s.baseUrl, token);
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/board`);
  });
  afterAll(async () => {
    await s?.close();
  });

  const column = (key: string) => page.locator(`section.column[data-status="${key}"]`);
  const statusesOf = async (q: string) =>
    ((await apiAs(page, s.baseUrl, token).get(`/leads?${q}&limit=50`)).data as Array<{ status: string }>)
      .map((l) => l.status)
      .sort();

  it("moves only the column's leads that match the filters, in one bulk request", async () => {
    await expect.poll(() => column('new').locator('.count').textContent()).toBe('5');
    await page
      .getByRole('form', { name: 'Board filters' })
      .getByLabel('Owner')
      .selectOption({ label: 'Rex Rep' });
    await page.waitForURL(`**/board?owner_id=${repId}`);
    await expect.poll(() => column('new').locator('.count').textContent()).toBe('4');

    await page.getByLabel('Move all 4 leads of New to').selectOption('qualified');
    const ask = page.getByRole('dialog', { name: 'Move all these leads?' });
    await expect.poll(() => ask.textContent()).toContain('Move all 4 leads of New that match the filters');
    expect(await axeViolations(page)).toEqual([]);
    await ask.getByRole('button', { name: 'Move all to Qualified' }).click();

    await expect.poll(() => page.locator('.bulk-note').textContent()).toContain('Moved 4 leads from New');
    await expect.poll(() => column('qualified').locator('.count').textContent()).toBe('4');
    expect(await column('new').locator('.count').textContent()).toBe('0');
    expect(bulkPosts).toHaveLength(1);
    expect(JSON.parse(bulkPosts[0])).toMatchObject({
      action: 'status',
      status: 'qualified',
      filter: { status: 'new', owner_id: repId },
    });
    expect(perLead).toEqual([]);
    // The admin's own lead was outside the filter: still new.
    expect(await statusesOf(`owner_id=${repId}`)).toEqual([
      'qualified',
      'qualified',
      'qualified',
      'qualified',
    ]);
    expect(await statusesOf('q=Mine')).toEqual(['new']);
  });

  it('asks for the reason a status needs, then moves the column with it', async () => {
    const api = apiAs(page, s.baseUrl, token);
    const reason = (
      (await api.get('/reasons')).data as Array<{ id: number; categories?: string[] | null }>
    )[0];
    await page.getByLabel('Move all 4 leads of Qualified to').selectOption('lost');
    await page
      .getByRole('dialog', { name: 'Move all these leads?' })
      .getByRole('button', { name: 'Move all to Lost' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Move all of Qualified to Lost' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByLabel('Reason (required)').selectOption(String(reason.id));
    await dialog.getByRole('button', { name: 'Move' }).click();
    await expect
      .poll(() => page.locator('.bulk-note').textContent())
      .toContain('Moved 4 leads from Qualified');
    expect(bulkPosts).toHaveLength(2);
    expect(JSON.parse(bulkPosts[1])).toMatchObject({ status: 'lost', reason_id: reason.id });
    const lost = (await api.get(`/leads?owner_id=${repId}&status=lost&limit=50`)).data as Array<{
      lost_reason_id?: number | null;
    }>;
    expect(lost).toHaveLength(4);
    expect(await statusesOf('q=Mine')).toEqual(['new']);
  });
});
