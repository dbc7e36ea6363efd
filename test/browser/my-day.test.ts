import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { addMember, apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/** A rep works the day: overdue and today's follow-ups and tasks, done or moved to tomorrow in one click. */
describe.skipIf(!run)('my day (chromium)', () => {
  let s: Stack;
  let page: Page;
  let admin: { token: string; user: { id: number } };
  let agent: { token: string; user: { id: number } };
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    admin = await signUp(page, s.baseUrl, 'boss@day.test', 'Day Co', 'Mia Manager');
    agent = await addMember(page, s.baseUrl, admin.token, 'rep@day.test', 'Rex Rep', 'agent');
    const api = apiAs(page, s.baseUrl, admin.token);
    const now = Date.now();
    const endOfToday = new Date();
    endOfToday.setHours(23, 59, 0, 0);
    const lead = async (first: string, at: number, owner = agent.user.id) => {
      const l = await api.post('/leads', { first_name: first, last_name: 'Buyer', owner_id: owner });
      await api.post(`/leads/${l.id}/follow-ups`, { scheduled_at: new Date(at).toISOString() });
      return l.id as number;
    };
    ids.late = await lead('Olive', now - 26 * 3600_000);
    ids.today = await lead('Tara', Math.max(endOfToday.getTime(), now + 60_000));
    // Someone else's follow-up is not in the rep's day.
    ids.other = await lead('Nobody', now - 3600_000, admin.user.id);
    const task = await api.post(`/leads/${ids.late}/tasks`, {
      title: 'Send the quote',
      type: 'task',
      due_at: new Date(now - 3600_000).toISOString(),
      assignee_id: agent.user.id,
    });
    ids.task = task.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the overdue and today items with a count in the navigation, clean for axe at both sizes', async () => {
    await useToken(page, s.baseUrl, agent.token);
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/my-day`);
    const overdue = page.getByRole('region', { name: /^Overdue/ });
    await expect.poll(() => overdue.getByRole('listitem').count()).toBe(2);
    expect(await overdue.textContent()).toContain('Olive Buyer');
    expect(await overdue.textContent()).toContain('Send the quote');
    await expect
      .poll(() => page.getByRole('region', { name: /^Today/ }).textContent())
      .toContain('Tara Buyer');
    expect(await page.getByText('Nobody Buyer').count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /My day/ });
    await expect.poll(() => nav.textContent()).toContain('3');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'my-day');
    await page.setViewportSize(PHONE);
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize(DESKTOP);
  });

  it('marks a follow-up and a task done, and moves one to tomorrow, in one click each', async () => {
    const api = apiAs(page, s.baseUrl, agent.token);
    await page.getByRole('button', { name: 'Done: Follow-up with Olive Buyer' }).click();
    await expect.poll(async () => (await api.get(`/leads/${ids.late}`)).next_follow_up_at).toBeNull();
    const fus = await api.get(`/leads/${ids.late}/follow-ups`);
    expect(fus.data.map((f: { state: string }) => f.state)).toEqual(['done']);

    await page.getByRole('button', { name: /^Done: Send the quote/ }).click();
    await expect.poll(async () => (await api.get(`/tasks/${ids.task}`)).done).toBe(true);

    await page.getByRole('button', { name: 'Move to tomorrow: Follow-up with Tara Buyer' }).click();
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(9, 0, 0, 0);
    await expect
      .poll(async () => (await api.get(`/leads/${ids.today}`)).next_follow_up_at)
      .toBe(tomorrow.toISOString());
    await expect.poll(() => page.getByRole('region', { name: /^Overdue|^Today/ }).count()).toBe(0);
    // Nothing is due any more today: the navigation count goes away.
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /My day/ });
    await expect.poll(() => nav.textContent()).toBe('My day');
  });

  it('shows an agent only the settings they can change', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const sub = page.getByRole('navigation', { name: 'Settings sections' });
    await expect
      .poll(() => sub.getByRole('link').allTextContents())
      .toEqual(['Profile', 'Security', 'Notifications']);
    await expect.poll(() => page.getByRole('heading', { name: 'Profile' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("lets a manager pick a teammate's day, kept in the URL", async () => {
    const api = apiAs(page, s.baseUrl, admin.token);
    const l = await api.post('/leads', { first_name: 'Quinn', last_name: 'Later', owner_id: agent.user.id });
    await api.post(`/leads/${l.id}/follow-ups`, {
      scheduled_at: new Date(Date.now() - 60_000).toISOString(),
    });
    await useToken(page, s.baseUrl, admin.token);
    await page.goto(`${s.baseUrl}/my-day`);
    // The manager's own day holds only the lead they own.
    await expect
      .poll(() => page.getByRole('region', { name: /^Overdue/ }).textContent())
      .toContain('Nobody Buyer');
    await page.getByLabel('Whose day').selectOption({ label: 'Rex Rep' });
    await page.waitForURL(`**/my-day?user=${agent.user.id}`);
    await expect
      .poll(() => page.getByRole('region', { name: /^Overdue/ }).textContent())
      .toContain('Quinn Later');
    expect(await page.getByText('Nobody Buyer').count()).toBe(0);
    await page.goBack();
    await expect.poll(() => page.getByText('Nobody Buyer').count()).toBe(1);
    await page.goForward();
    await expect.poll(() => page.getByLabel('Whose day').inputValue()).toBe(String(agent.user.id));
    expect(await axeViolations(page)).toEqual([]);
  });
});
