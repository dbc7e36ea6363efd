import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { chart } from './axe.js';

const DATA_FILE = '/work/shared/data/trailheadapps__easy-spaces-lwc__Lead_Data.csv';
const run = browserAvailable();

/** The first journey of a new sales team, in one browser session, as a user would click through it. */
describe.skipIf(!run)('web app journey (chromium)', () => {
  let s: Stack;
  let page: Page;
  let leadUrl = '';

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('signs up a new user and lands on the empty lead list', async () => {
    await page.goto(s.baseUrl);
    await page.waitForURL('**/signin');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Dana Seller');
    await page.getByLabel('Company / organization').fill('Acme Sales');
    await page.getByLabel('Email').fill('dana@acme.test');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The API's field error shows next to the field it names.
    await expect.poll(() => page.getByText('Password is too short: at least 8 characters.').count()).toBe(1);
    await shot(page, 'signup');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/leads');
    await expect.poll(() => page.getByText('No leads yet.').count()).toBe(1);
    expect(await page.locator('.org-name').textContent()).toBe('Acme Sales');
  });

  it('creates a lead and shows inline validation messages from the API', async () => {
    await page.getByRole('button', { name: 'New lead' }).click();
    const dialog = page.getByRole('dialog', { name: 'New lead' });
    await dialog.getByLabel('First name').fill('Grace');
    await dialog.getByLabel('Last name').fill('Hopper');
    await dialog.getByLabel('Email').fill('not-an-email');
    await dialog.getByLabel('Company').fill('Navy Labs');
    await dialog.getByLabel('Value').fill('12000');
    await dialog.getByRole('button', { name: 'Create lead' }).click();
    await expect
      .poll(() => dialog.getByText('Enter an email address such as name@example.com.').count())
      .toBe(1);
    await dialog.getByLabel('Email').fill('grace@navylabs.test');
    await dialog.getByRole('button', { name: 'Create lead' }).click();
    await page.waitForURL(/\/leads\/\d+$/);
    leadUrl = page.url();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Grace Hopper');

    // Click-to-edit a field to a bad value: the message, in plain words, appears under that field and nothing is
    // saved; the right value then saves with Enter.
    const country = page.locator('[data-field="address.country"]');
    await country.getByRole('button').click();
    await country.getByLabel('Country (ISO code)').fill('France');
    await country.getByLabel('Country (ISO code)').press('Enter');
    await expect
      .poll(() => country.getByRole('alert').textContent())
      .toBe('Country needs a two-letter code such as FR or US.');
    await country.getByLabel('Country (ISO code)').fill('FR');
    await country.getByLabel('Country (ISO code)').press('Enter');
    await country.getByRole('button', { name: /FR/ }).waitFor();
    const job = page.locator('[data-field="job_title"]');
    await job.getByRole('button').click();
    await job.getByLabel('Job title').fill('Rear Admiral');
    await job.getByLabel('Job title').press('Enter');
    await job.getByRole('button', { name: /Rear Admiral/ }).waitFor();
    // Email and phone read as links.
    expect(await page.getByRole('link', { name: 'grace@navylabs.test' }).first().getAttribute('href')).toBe(
      'mailto:grace@navylabs.test',
    );
    // The browser's own session cookie (page.request shares the context's cookies).
    const res = await page.request.get(`${s.baseUrl}/api/v1/leads/${leadUrl.split('/').pop()}`);
    const lead = await res.json();
    expect(lead.address.country).toBe('FR');
    expect(lead.job_title).toBe('Rear Admiral');
  });

  it('adds a follow-up that shows in the timeline', async () => {
    await page.goto(leadUrl);
    await page.getByRole('button', { name: 'Follow-up', exact: true }).click();
    await page.getByLabel('When').fill('2030-01-15T10:30');
    await page.getByLabel('Notes').fill('Call about the pilot');
    await page.getByRole('button', { name: 'Add follow-up' }).click();
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await expect.poll(() => timeline.getByText('Call about the pilot').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByText(/Next follow-up:/).count()).toBe(1);
    await shot(page, 'lead-page');
  });

  it('adds a task, a comment and a file, each in the timeline', async () => {
    const timeline = page.getByRole('list', { name: 'Timeline' });
    const act = page.locator('.activity');
    await page.getByRole('button', { name: 'Task', exact: true }).click();
    await act.getByLabel('Title', { exact: true }).fill('Send the pilot contract');
    await act.getByLabel('Type', { exact: true }).selectOption('email');
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect.poll(() => timeline.getByText('Task (email): Send the pilot contract').count()).toBe(1);
    await timeline
      .getByRole('listitem')
      .filter({ hasText: 'Send the pilot contract' })
      .getByRole('button', { name: 'Mark done' })
      .click();
    await expect
      .poll(() => timeline.getByText('Task (email): Send the pilot contract (done)').count())
      .toBe(1);

    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    // An empty comment is refused by the API, which names the field.
    await page.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => page.locator('.activity .field.has-error').count()).toBe(1);
    await act.getByLabel('Comment', { exact: true }).fill('Prefers email over calls');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => timeline.getByText('Comment: Prefers email over calls').count()).toBe(1);

    await page.getByRole('button', { name: 'File', exact: true }).click();
    const file = path.join(s.tmp, 'pilot-notes.txt');
    fs.writeFileSync(file, 'Pilot: 3 sites, 6 weeks.');
    await act.getByLabel('File', { exact: true }).setInputFiles(file);
    await page.getByRole('button', { name: 'Add file' }).click();
    await expect.poll(() => timeline.getByText('File: pilot-notes.txt').count()).toBe(1);
    const download = page.waitForEvent('download');
    await timeline.getByRole('button', { name: 'Download' }).click();
    expect(fs.readFileSync((await (await download).path())!, 'utf8')).toBe('Pilot: 3 sites, 6 weeks.');
  });

  it('moves the lead on the board to Lost, asking for the reason', async () => {
    await page.getByRole('link', { name: 'Board', exact: true }).click();
    await page.waitForURL('**/board');
    const card = page.locator('.lead-card', { hasText: 'Grace Hopper' });
    await card.waitFor();
    const lost = page.locator('section.column[data-status="lost"]');
    await card.dragTo(lost);
    const dialog = page.getByRole('dialog', { name: /Move Grace Hopper to Lost/ });
    await dialog.waitFor();
    // Without a reason the API refuses, and says so on the reason field.
    await dialog.getByRole('button', { name: 'Move' }).click();
    await expect.poll(() => dialog.locator('.field.has-error').count()).toBeGreaterThan(0);
    await shot(page, 'board-reason-dialog');
    const reason = dialog.getByLabel('Reason (required)');
    const firstReason = await reason.locator('option').nth(1).getAttribute('value');
    await reason.selectOption(firstReason!);
    await dialog.getByRole('button', { name: 'Move' }).click();
    await expect.poll(() => lost.locator('.count').textContent()).toBe('1');
    await lost.getByRole('button', { name: 'Expand Lost' }).click();
    await expect.poll(() => lost.locator('.lead-card', { hasText: 'Grace Hopper' }).count()).toBe(1);

    await page.goto(leadUrl);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await expect.poll(() => timeline.getByText(/Lost|lost/).count()).toBeGreaterThan(0);
  });

  it('imports a CSV file and shows the progress bar finish with the counts', async () => {
    const copy = path.join(s.tmp, 'Lead_Data.csv');
    fs.copyFileSync(DATA_FILE, copy);
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByLabel('CSV, Excel (XLSX) or JSON file').setInputFiles(copy);
    await page.getByRole('button', { name: 'Upload and preview' }).click();
    await expect.poll(() => page.getByTestId('detected').textContent()).toMatch(/CSV.*12 columns/);
    expect(await page.getByLabel('Map column FirstName to').inputValue()).toBe('first_name');
    expect(await page.getByLabel('Map column Email to').inputValue()).toBe('email');
    await page.getByLabel('Source for new leads').fill('Trailhead');
    await shot(page, 'import-preview');
    await page.getByRole('button', { name: 'Start import' }).click();
    await expect
      .poll(() => page.getByTestId('import-status').textContent(), { timeout: 30_000 })
      .toBe('completed');
    expect(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value')).toBe(
      '100',
    );
    // The file has 11 data rows, all valid and all new.
    expect(await page.getByTestId('count-read').locator('dd').textContent()).toBe('11');
    expect(await page.getByTestId('count-created').locator('dd').textContent()).toBe('11');
    expect(await page.getByTestId('count-failed').locator('dd').textContent()).toBe('0');
    await shot(page, 'import-done');

    await page.getByRole('link', { name: 'See the leads' }).click();
    await expect.poll(() => page.getByText('12 leads').count()).toBe(1);
    await shot(page, 'leads');
  });

  it('moves cards with the keyboard menu too, and totals the columns', async () => {
    await page.getByRole('link', { name: 'Board', exact: true }).click();
    const fresh = page.locator('section.column[data-status="new"]');
    await expect.poll(() => fresh.locator('.count').textContent()).toBe('11');
    // The keyboard menu asks before it moves (arrow keys change a select at once).
    const ask = page.getByRole('dialog', { name: 'Move this lead?' });
    await page.getByLabel('Move Serena Patterfield to').selectOption('won');
    await expect.poll(() => ask.textContent()).toContain('Move Serena Patterfield to Won?');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => fresh.locator('.count').textContent()).toBe('11');
    await page.getByLabel('Move Serena Patterfield to').selectOption('won');
    await ask.getByRole('button', { name: 'Move to Won' }).click();
    await page.getByLabel('Move Grace Hopper to').selectOption('won');
    await ask.getByRole('button', { name: 'Move to Won' }).click();
    const won = page.locator('section.column[data-status="won"]');
    await expect.poll(() => won.locator('.count').textContent()).toBe('2');
    await expect.poll(() => fresh.locator('.count').textContent()).toBe('10');
    await won.getByRole('button', { name: 'Expand Won' }).click();
    // Grace's 12,000 is the only value among the two.
    expect(await won.locator('.sum').textContent()).toMatch(/12,000/);
    await shot(page, 'board');
  });

  it('searches as you type and filters the list', async () => {
    await page.getByRole('link', { name: 'Leads', exact: true }).click();
    await page.getByLabel('Search leads').fill('Skitral');
    await expect.poll(() => page.getByText('1 lead', { exact: true }).count()).toBe(1);
    expect(await page.locator('table.grid tbody tr[aria-rowindex]').count()).toBe(1);
    await page.getByLabel('Search leads').fill('');
    await expect.poll(() => page.getByText('12 leads').count()).toBe(1);
  });

  it('opens the dashboard with its charts', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Funnel by status' }).waitFor();
    const funnel = chart(page, /Leads per status/);
    await expect.poll(() => funnel.getAttribute('aria-label')).toMatch(/New 10\b/);
    expect(await funnel.getAttribute('aria-label')).toMatch(/Won 2\b/);
    const conversion = chart(page, /share per source/);
    expect(await conversion.getAttribute('aria-label')).toMatch(/Trailhead 9% \(1\/11\)/);
    const wonValue = chart(page, /Won value per month/);
    expect(await wonValue.getAttribute('aria-label')).toMatch(/12,000/);
    const weekly = chart(page, /New leads per week/);
    expect(await weekly.getAttribute('aria-label')).toMatch(/: 12\b/);
    // Grace's next follow-up is in 2030: nothing is overdue yet.
    await expect.poll(() => page.getByText('Nothing overdue. Nice.').count()).toBe(1);
    await shot(page, 'dashboard', true);
  });

  it('shows the settings screens', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Pipeline statuses' }).waitFor();
    expect(await page.getByLabel('Label of lost').inputValue()).toBe('Lost');
    await shot(page, 'settings-statuses');
    await page.getByRole('link', { name: 'Web-to-lead' }).click();
    await page.getByRole('heading', { name: 'Web-to-lead' }).waitFor();
    await page.getByLabel('Name').fill('Contact form');
    await page.getByLabel('Allowed origins').fill('https://www.acme.test');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Form snippet' }).click();
    await expect.poll(() => page.getByLabel('Paste this into your site:').inputValue()).toContain('<form');
    await shot(page, 'settings-web-to-lead');
  });

  it('is usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${s.baseUrl}/leads`);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Board', exact: true }).click();
    await page.waitForURL('**/board');
    await expect
      .poll(() => page.locator('section.column[data-status="new"] .count').textContent())
      .toBe('10');
    // Nothing is wider than the phone: no sideways scrolling of the page.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'phone-board');
    for (const url of [
      `${s.baseUrl}/leads`,
      leadUrl,
      `${s.baseUrl}/dashboard`,
      `${s.baseUrl}/settings/statuses`,
    ]) {
      await page.goto(url);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth'), url).toBeLessThanOrEqual(390);
    }
    await page.goto(leadUrl);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await shot(page, 'phone-lead');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out and back in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    // The session cookie is gone, and no token was ever kept where a script could read it.
    expect((await s.context.cookies()).some((c) => c.name === 'lf_session')).toBe(false);
    expect(await page.evaluate("localStorage.getItem('leadflow.token')")).toBeNull();
    await page.getByLabel('Email').fill('dana@acme.test');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/leads');
  });

  it('lets a user of two organizations switch between them', async () => {
    // Dana invites Bo, who already runs another organization, as a manager of Acme Sales.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Users & teams' }).click();
    await page.getByLabel('Invite by email').fill('bo@beta.test');
    await page.getByLabel('Role', { exact: true }).selectOption('manager');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.locator('code.secret').textContent())!;
    expect(link).toContain('/invite/');
    const bo = await page.request.post(`${s.baseUrl}/api/v1/auth/signup`, {
      data: {
        email: 'bo@beta.test',
        password: 'bo password 123',
        name: 'Bo Beta',
        organization_name: 'Beta Corp',
      },
    });
    expect(bo.status()).toBe(201);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await page.goto(link);
    await page.getByLabel('Password').fill('bo password 123');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL('**/leads');
    const switcher = page.getByLabel('Organization');
    await expect
      .poll(() => switcher.locator('option').allTextContents())
      .toEqual(['Beta Corp', 'Acme Sales']);
    await expect.poll(() => page.getByText('12 leads').count()).toBe(1);
    await shot(page, 'org-switcher');
    await switcher.selectOption({ label: 'Beta Corp' });
    await expect.poll(() => page.getByText('No leads yet.').count()).toBe(1);
    await switcher.selectOption({ label: 'Acme Sales' });
    await expect.poll(() => page.getByText('12 leads').count()).toBe(1);
  });
});
