import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, signInWithToken, startStack, type Stack } from './harness.js';
import { axeViolations, DESKTOP, PHONE } from './axe.js';

const run = browserAvailable();

/** The Duplicates screen, the merge dialog with its field-by-field choice, and the lead page's notice. */
describe.skipIf(!run)('duplicates and merge (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  const ids: number[] = [];
  const api = async (method: 'get' | 'post', path: string, data?: object) =>
    (
      await page.request[method](`${s.baseUrl}/api/v1${path}`, {
        headers: { authorization: `Bearer ${token}` },
        ...(data ? { data } : {}),
      })
    ).json();

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    const signup = await page.request.post(`${s.baseUrl}/api/v1/auth/signup`, {
      data: {
        email: 'dee@dup.test',
        password: 'correct horse battery',
        name: 'Dee Dupe',
        organization_name: 'Dupes',
      },
    });
    token = (await signup.json()).token;
    for (const body of [
      {
        first_name: 'Sophie',
        last_name: 'Laurent',
        email: 's.laurent@lyondigital.fr',
        company_name: 'Lyon Digital Agency',
        job_title: 'Director',
      },
      {
        first_name: 'Sophie',
        last_name: 'Laurent',
        email: 'S.Laurent@LyonDigital.fr',
        phone: '+33 4 55 55 22 00',
        company_name: 'Lyon Digital Agency SARL',
        job_title: 'Managing Director',
      },
      {
        first_name: 'Viktor',
        last_name: 'Andersen',
        email: 'v.andersen@scandicloud.dk',
        company_name: 'Scandi Cloud Services',
      },
      {
        first_name: 'Viktor',
        last_name: 'Andersn',
        phone: '+45 33 88 1100',
        company_name: 'Scandi Cloud Services ApS',
      },
    ])
      ids.push((await api('post', '/leads', body)).id);
    await page.goto(s.baseUrl);
    await signInWithToken(page, s.baseUrl, token);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the groups, with no axe violations at desktop and phone width', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/duplicates`);
    await page.getByRole('heading', { name: 'Duplicates', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.dup-groups > li').count()).toBe(2);
    expect(await page.locator('.dup-groups').textContent()).toContain('Sophie Laurent');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'duplicates');
    await page.setViewportSize(PHONE);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(DESKTOP);
  });

  it('dismisses a group: "not duplicates"', async () => {
    const group = page.locator('.dup-groups > li', { hasText: 'Viktor' });
    await group.getByRole('button', { name: 'Not duplicates' }).click();
    await expect.poll(() => page.locator('.dup-groups > li').count()).toBe(1);
    expect((await api('get', '/duplicates')).data).toHaveLength(1);
  });

  it('merges with a field-by-field choice, after a preview', async () => {
    await page
      .locator('.dup-groups > li', { hasText: 'Sophie' })
      .getByRole('button', { name: 'Merge…' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Merge 2 leads' });
    await dialog.getByRole('group', { name: 'The lead that stays' }).waitFor();
    // The job titles differ: take the second lead's.
    await dialog
      .getByRole('group', { name: 'Job title' })
      .getByLabel(/Managing Director/)
      .check();
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('Changed: Job title');
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(PHONE);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(DESKTOP);
    await shot(page, 'merge-dialog');
    expect((await api('get', `/leads/${ids[1]}`)).merged_into_id).toBeNull();
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await page.waitForURL(`${s.baseUrl}/leads/${ids[0]}`);
    const merged = await api('get', `/leads/${ids[1]}`);
    expect(merged.merged_into_id).toBe(ids[0]);
    const primary = await api('get', `/leads/${ids[0]}`);
    expect(primary).toMatchObject({
      job_title: 'Managing Director',
      phone: '+33 4 55 55 22 00',
    });
  });

  it('shows the possible duplicates on the lead page, and the merge on a merged lead with its undo', async () => {
    const dup = (
      await api('post', '/leads', {
        first_name: 'Sophie',
        last_name: 'Laurent',
        email: 's.laurent@lyondigital.fr',
      })
    ).id;
    await page.goto(`${s.baseUrl}/leads/${dup}`);
    const notice = page.locator('.dup-notice');
    await expect.poll(() => notice.textContent()).toContain('1 possible duplicate');
    await notice.getByRole('button', { name: 'Review' }).click();
    await expect.poll(() => notice.getByRole('link').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(PHONE);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(DESKTOP);

    await page.goto(`${s.baseUrl}/leads/${ids[1]}`);
    await expect.poll(() => page.getByText('This lead was merged into').count()).toBe(1);
    await page.getByRole('button', { name: 'Undo the merge' }).click();
    await expect.poll(async () => (await api('get', `/leads/${ids[1]}`)).merged_into_id).toBeNull();
  });
});
