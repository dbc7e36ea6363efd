import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { addMember, apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** The lead list's columns: chosen (custom fields too), reordered, resized and kept; sorted by any of them. */
describe.skipIf(!run)('lead list columns (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  let ownerId = 0;
  const errors: string[] = [];
  const names = () =>
    page.locator('table.grid tbody tr:not([aria-hidden]) td:nth-child(2)').allTextContents();

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    const owner = await signUp(page, s.baseUrl, 'owner@cols.test', 'Columns Co', 'Ada Admin');
    token = owner.token;
    ownerId = owner.user.id;
    const api = apiAs(page, s.baseUrl, token);
    await api.post('/custom-fields', { key: 'fleet', label: 'Fleet size', type: 'number' });
    await api.post('/lead-sources', { name: 'Web' });
    for (const [first, fleet, source] of [
      ['Bea', 9, 'web'],
      ['Al', 100, 'Fair'],
      ['Cy', 10, 'WEB'],
    ] as const)
      await api.post('/leads', { first_name: first, last_name: 'Fleet', source, custom_fields: { fleet } });
    await useToken(page, s.baseUrl, token);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('adds a custom field column, sorts by it as numbers, moves and resizes columns, and keeps them', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/leads`);
    await page.getByRole('heading', { level: 1, name: 'Leads' }).waitFor();
    await expect.poll(names).toHaveLength(3);
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Fleet size' }).check();
    await page.getByRole('columnheader', { name: /Fleet size/ }).waitFor();
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('button', { name: 'Fleet size', exact: true }).click();
    // First click: descending; second: ascending (9 < 10 < 100, not as text).
    await page.getByRole('button', { name: 'Fleet size', exact: true }).click();
    await expect.poll(names).toEqual(['Bea Fleet', 'Cy Fleet', 'Al Fleet']);
    expect(await page.getByRole('columnheader', { name: /Fleet size/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    // A built-in text column sorts too, ignoring case (web and WEB together, newest first among equals).
    await page.getByRole('button', { name: 'Source', exact: true }).click();
    await expect.poll(names).toEqual(['Cy Fleet', 'Bea Fleet', 'Al Fleet']);

    // Reorder: the custom column moved to the front (after the name).
    const before = await page.locator('table.grid thead th').allTextContents();
    expect(before.findIndex((t) => t.startsWith('Fleet size'))).toBe(before.length - 1);
    await page.getByText('Columns', { exact: true }).click();
    for (let i = 0; i < before.length - 3; i++)
      await page.getByRole('button', { name: 'Move Fleet size left' }).click();
    await page.getByText('Columns', { exact: true }).click();
    const after = await page.locator('table.grid thead th').allTextContents();
    expect(after[2]).toMatch(/^Fleet size/);

    // Resize with the keyboard on the header's edge; the width is kept after a reload.
    const edge = page.getByRole('separator', { name: 'Width of Fleet size' });
    await edge.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const width = Number(await edge.getAttribute('aria-valuenow'));
    expect(width).toBeGreaterThan(100);
    await page.reload();
    await expect.poll(names).toHaveLength(3);
    expect(Number(await edge.getAttribute('aria-valuenow'))).toBe(width);
    const th = await page.getByRole('columnheader', { name: /Fleet size/ }).boundingBox();
    expect(Math.abs((th?.width ?? 0) - width)).toBeLessThan(3);
    expect((await page.locator('table.grid thead th').allTextContents())[2]).toMatch(/^Fleet size/);
    await shot(page, 'leads-columns');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('filters the source whatever its case, with suggestions', async () => {
    await page.getByText('Filters', { exact: true }).click();
    const source = page.locator('.filter-grid').getByLabel('Source', { exact: true });
    expect(await page.locator('#lead-source-suggestions option').first().getAttribute('value')).toBe('Web');
    await source.fill('Web');
    await expect.poll(names).toHaveLength(2);
    expect((await names()).sort()).toEqual(['Bea Fleet', 'Cy Fleet']);
    expect(errors).toEqual([]);
  });

  it('sorts by status in pipeline order, by owner name and by first tag from the column headers', async () => {
    const api = apiAs(page, s.baseUrl, token);
    const patch = async (id: number, data: unknown) => {
      const r = await page.request.patch(`${s.baseUrl}/api/v1/leads/${id}`, {
        headers: { authorization: `Bearer ${token}` },
        data,
      });
      expect(r.status(), await r.text()).toBe(200);
    };
    // A status added last but placed first in the pipeline: the sort follows the pipeline, not the label.
    await api.post('/statuses', { key: 'call_back', label: 'Call back', category: 'open', position: 0 });
    const open = ((await api.get('/statuses')).data as Array<{ key: string; category: string }>).filter(
      (x) => x.category === 'open' && x.key !== 'call_back',
    );
    expect(open.length).toBeGreaterThan(1);
    const zed = await addMember(page, s.baseUrl, token, 'zed@cols.test', 'Zed Rep', 'agent');
    const byName = new Map<string, number>(
      ((await api.get('/leads?limit=10')).data as Array<{ id: number; first_name: string }>).map((l) => [
        l.first_name,
        l.id,
      ]),
    );
    await patch(byName.get('Cy')!, { status: 'call_back', owner_id: null, tags: [] });
    await patch(byName.get('Al')!, { status: open[0].key, owner_id: zed.user.id, tags: ['vip'] });
    await patch(byName.get('Bea')!, {
      status: open[open.length - 1].key,
      owner_id: ownerId,
      tags: ['zeta', 'Cold'],
    });

    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/leads`);
    await expect.poll(names).toHaveLength(3);
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Owner' }).check();
    await page.getByRole('checkbox', { name: 'Tags' }).check();
    await page.getByText('Columns', { exact: true }).click();
    const header = (name: string) => page.getByRole('columnheader', { name: new RegExp(`^${name}`) });
    const sortBy = (name: string) => page.getByRole('button', { name, exact: true }).click();

    // First click descending, second ascending; empty values (no owner, no tag) last both ways.
    await sortBy('Status');
    await expect.poll(names).toEqual(['Bea Fleet', 'Al Fleet', 'Cy Fleet']);
    expect(await header('Status').getAttribute('aria-sort')).toBe('descending');
    await sortBy('Status');
    await expect.poll(names).toEqual(['Cy Fleet', 'Al Fleet', 'Bea Fleet']);
    expect(await header('Status').getAttribute('aria-sort')).toBe('ascending');

    await sortBy('Owner');
    await expect.poll(names).toEqual(['Al Fleet', 'Bea Fleet', 'Cy Fleet']); // Zed Rep, Ada Admin, none
    await sortBy('Owner');
    await expect.poll(names).toEqual(['Bea Fleet', 'Al Fleet', 'Cy Fleet']);
    expect(await header('Owner').getAttribute('aria-sort')).toBe('ascending');

    await sortBy('Tags');
    await expect.poll(names).toEqual(['Al Fleet', 'Bea Fleet', 'Cy Fleet']); // vip, cold, none
    await sortBy('Tags');
    await expect.poll(names).toEqual(['Bea Fleet', 'Al Fleet', 'Cy Fleet']);
    expect(await header('Tags').getAttribute('aria-sort')).toBe('ascending');
    expect(await axeViolations(page)).toEqual([]);

    // The sort and a search are in the address bar: a reload (or the link sent to a colleague) shows the same.
    await page.getByRole('searchbox').fill('Fleet');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('Fleet');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('tags');
    await page.reload();
    await expect.poll(names).toEqual(['Bea Fleet', 'Al Fleet', 'Cy Fleet']);
    expect(await header('Tags').getAttribute('aria-sort')).toBe('ascending');
    expect(await page.getByRole('searchbox').inputValue()).toBe('Fleet');
    expect(errors).toEqual([]);
  });

  it('shows cards on a phone, clean for axe', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${s.baseUrl}/leads`);
    const cards = page.getByRole('list', { name: 'Leads' });
    await expect.poll(() => cards.getByRole('listitem').count()).toBe(3);
    expect(await page.locator('table.grid').count()).toBe(0);
    await page.waitForLoadState('networkidle');
    expect(await axeViolations(page)).toEqual([]);
    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(390);
    await shot(page, 'phone-leads');
    expect(errors).toEqual([]);
  });
});
