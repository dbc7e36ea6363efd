import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** The lead page: fields edited where they read, email and phone as links, a timeline a person reads. */
describe.skipIf(!run)('lead page click-to-edit and timeline (chromium)', () => {
  let s: Stack;
  let page: Page;
  let leadId = 0;
  const errors: string[] = [];

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    const { token } = await signUp(page, s.baseUrl, 'owner@edit.test', 'Edit Co', 'Ada Admin');
    const api = apiAs(page, s.baseUrl, token);
    const lead = await api.post('/leads', {
      first_name: 'Erin',
      last_name: 'Editable',
      email: 'erin@edit.test',
      phone: '+33 1 23 45 67 89',
    });
    leadId = lead.id;
    await useToken(page, s.baseUrl, token);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('edits in place, with links for email and phone, and tells the story in words', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('heading', { level: 1, name: 'Erin Editable' }).waitFor();
    expect(await page.getByRole('link', { name: 'erin@edit.test' }).first().getAttribute('href')).toBe(
      'mailto:erin@edit.test',
    );
    expect(await page.getByRole('link', { name: '+33 1 23 45 67 89' }).first().getAttribute('href')).toBe(
      'tel:+33123456789',
    );

    // A tag, a first name and an owner, each saved where it reads.
    const tags = page.locator('[data-field="tags"]');
    await tags.getByRole('button').click();
    await tags.getByRole('textbox').fill('hot');
    await tags.getByRole('textbox').press('Enter');
    await tags.getByRole('button', { name: /hot/ }).waitFor();
    const first = page.locator('[data-field="first_name"]');
    await first.getByRole('button').click();
    await first.getByRole('textbox').fill('Erina');
    await first.getByRole('textbox').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Erina Editable' }).waitFor();
    // Escape puts the value back without saving.
    await first.getByRole('button').click();
    await first.getByRole('textbox').fill('Nobody');
    await first.getByRole('textbox').press('Escape');
    await first.getByRole('button', { name: /Erina/ }).waitFor();
    const owner = page.locator('[data-field="owner_id"]');
    await owner.getByRole('button').click();
    await owner.getByRole('combobox').selectOption({ label: 'Ada Admin' });
    await owner.getByRole('button', { name: /Ada Admin/ }).waitFor();
    // An empty email is allowed, a malformed one is refused in words before any request.
    const email = page.locator('[data-field="email"]');
    await email.getByRole('button', { name: 'Edit email' }).click();
    await email.getByRole('textbox').fill('erin@');
    await email.getByRole('textbox').press('Enter');
    expect(await email.getByRole('alert').textContent()).toBe(
      'Enter an email address such as name@example.com.',
    );
    await email.getByRole('textbox').press('Escape');

    await page.getByRole('combobox', { name: 'Change status' }).selectOption({ label: 'Qualified' });
    const dialog = page.getByRole('dialog');
    await dialog
      .getByRole('button', { name: /Move|Change|Apply|Save/ })
      .first()
      .click();

    const timeline = page.getByRole('list', { name: 'Timeline' });
    await expect.poll(() => timeline.textContent()).toContain('added tag hot');
    await expect.poll(() => timeline.textContent()).toContain('Status New → Qualified');
    const text = (await timeline.textContent()) ?? '';
    expect(text).toContain('First name: Erin → Erina');
    expect(text).toContain('Owner set to Ada Admin');
    expect(text).toContain('Ada Admin');
    // No internals: ids, arrows of code, JSON or raw ISO times.
    expect(text).not.toMatch(/status id|->|\[\]|\d{4}-\d{2}-\d{2}T\d{2}/i);
    await shot(page, 'lead-timeline', true);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('deletes without a question and brings the lead back from the toast', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('heading', { level: 1, name: 'Erina Editable' }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(/\/leads$/);
    const toast = page.locator('.toast');
    await expect.poll(() => toast.textContent()).toContain('Erina Editable deleted.');
    expect(await axeViolations(page)).toEqual([]);
    await toast.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('heading', { level: 1, name: 'Erina Editable' }).waitFor();
    expect(await toast.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('is clean for axe and fits a phone', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('heading', { level: 1, name: 'Erina Editable' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await axeViolations(page)).toEqual([]);
    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
  });
});
