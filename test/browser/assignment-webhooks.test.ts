import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, shot, startStack, type Stack } from './harness.js';
import { addMember, apiAs, axeViolations, DESKTOP, signUp, useToken } from './axe.js';
import { startReceiver } from '../webhooks.helpers.js';

const run = browserAvailable();

/** An admin sets who gets new leads (assignment rules, availability) and where events go (webhooks). */
describe.skipIf(!run)('assignment and webhook settings (chromium)', () => {
  let s: Stack;
  let page: Page;
  let token = '';
  let agent = { token: '', user: { id: 0 } };

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    token = (await signUp(page, s.baseUrl, 'admin@assign.test', 'Assign Co')).token;
    agent = await addMember(page, s.baseUrl, token, 'agent@assign.test', 'Alan Agent', 'agent');
    await useToken(page, s.baseUrl, token);
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/settings/assignment`);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('adds a rule (the API refusal shown next to the field first) and a new lead follows it', async () => {
    const form = page.getByRole('form', { name: 'Add an assignment rule' });
    await form.getByLabel('Rule name').fill('Web leads');
    await form.getByLabel('Strategy').selectOption('user');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => form.getByRole('alert').first().textContent()).toContain('exactly one user');
    await form.getByLabel('When field (optional)').fill('source');
    await form.getByLabel('Value').fill('web');
    await form.getByLabel('Alan Agent').check();
    await form.getByRole('button', { name: 'Add rule' }).click();
    const table = page.getByRole('table', { name: 'Assignment rules' });
    await expect.poll(() => table.getByText('source is web').count()).toBe(1);
    const api = apiAs(page, s.baseUrl, token);
    const lead = await api.post('/leads', { first_name: 'Routed', source: 'Web' });
    expect(lead.owner_id).toBe(agent.user.id);
    expect(lead.assignment_rule_id).toBe((await api.get('/assignment-rules')).data[0].id);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'settings-assignment');
  });

  it('marks a user away', async () => {
    const avail = page.getByRole('table', { name: 'Availability' });
    await avail.getByLabel('Alan Agent is away').check();
    await expect
      .poll(async () => {
        const users = await apiAs(page, s.baseUrl, token).get('/assignment-users');
        return users.data.find((u: { user_id: number }) => u.user_id === agent.user.id).away;
      })
      .toBe(true);
  });

  it('adds a webhook, shows its secret once and the delivery log', async () => {
    const rx = await startReceiver();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    const form = page.getByRole('form', { name: 'Add a webhook' });
    await form.getByLabel('Endpoint URL').fill(rx.url);
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await expect.poll(() => form.getByRole('alert').first().textContent()).toContain('loopback');
    await page.getByLabel(/Allow endpoints on private networks/).check();
    await expect
      .poll(async () => (await apiAs(page, s.baseUrl, token).get('/webhook-settings')).allow_private_networks)
      .toBe(true);
    await form.getByLabel('lead.created').check();
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'whsec_' }).count()).toBe(1);
    await apiAs(page, s.baseUrl, token).post('/leads', { first_name: 'Hooked' });
    await rx.waitFor(1);
    await page.getByRole('button', { name: `Deliveries of ${rx.url}` }).click();
    const log = page.getByRole('table', { name: `Deliveries to ${rx.url}` });
    await expect.poll(() => log.getByText('succeeded').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'settings-webhooks');
    await rx.close();
  });
});
