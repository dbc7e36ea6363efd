import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, startStack, type Stack } from './harness.js';
import { apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/**
 * Every screen, at desktop and phone size: it renders its heading, axe-core finds no violation, nothing overflows
 * a 390 px phone, and the browser console stays free of errors (any console error or uncaught exception fails).
 */
describe.skipIf(!run)('every screen (chromium)', () => {
  let s: Stack;
  let page: Page;
  let leadId = 0;
  const acct: Record<string, number> = {};
  const errors: string[] = [];

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    const { token } = await signUp(page, s.baseUrl, 'all@screens.test', 'Screens Co');
    const api = apiAs(page, s.baseUrl, token);
    const lead = await api.post('/leads', {
      first_name: 'Scarlett',
      last_name: 'Screens',
      email: 'scarlett@screens.test',
      value: '5000',
      tags: ['hot'],
    });
    leadId = lead.id;
    await api.post(`/leads/${leadId}/follow-ups`, {
      scheduled_at: new Date(Date.now() - 3600_000).toISOString(),
    });
    await api.post(`/leads/${leadId}/comments`, { body: 'Called, wants a demo' });
    const other = await api.post('/leads', { first_name: 'Oscar', company_name: 'Screens Ltd' });
    const conv = await api.post(`/leads/${other.id}/convert`, { create_opportunity: { amount: '900' } });
    acct.company = conv.company.id;
    acct.contact = conv.contact.id;
    acct.opportunity = conv.opportunity.id;
    await useToken(page, s.baseUrl, token);
  });
  afterAll(async () => {
    await s?.close();
  });

  const screens = () => [
    ['/leads', 'Leads'],
    [`/leads/${leadId}`, 'Scarlett Screens'],
    ['/my-day', 'My day'],
    ['/companies', 'Companies'],
    [`/companies/${acct.company}`, 'Screens Ltd'],
    ['/contacts', 'Contacts'],
    [`/contacts/${acct.contact}`, 'Oscar'],
    ['/opportunities', 'Opportunities'],
    ['/opportunities?view=board', 'Opportunities'],
    [`/opportunities/${acct.opportunity}`, 'Screens Ltd'],
    ['/board', 'Pipeline'],
    ['/dashboard', 'Dashboard'],
    ['/import', 'Import'],
    ['/settings/statuses', 'Settings'],
    ['/settings/reasons', 'Settings'],
    ['/settings/custom-fields', 'Settings'],
    ['/settings/catalogs', 'Settings'],
    ['/settings/users', 'Settings'],
    ['/settings/api-keys', 'Settings'],
    ['/settings/web-to-lead', 'Settings'],
    ['/settings/profile', 'Settings'],
    ['/settings/notifications', 'Settings'],
  ];

  for (const [size, viewport] of [
    ['desktop 1440x900', DESKTOP],
    ['phone 390x844', PHONE],
  ] as const) {
    it(`loads every screen at ${size} with no console error and no axe violation`, async () => {
      await page.setViewportSize(viewport);
      const found: Record<string, string[]> = {};
      for (const [path, heading] of screens()) {
        await page.goto(`${s.baseUrl}${path}`);
        await page.getByRole('heading', { level: 1, name: heading }).first().waitFor();
        // Let the screen's requests settle before judging it.
        await page.waitForLoadState('networkidle');
        const v = await axeViolations(page);
        if (v.length) found[path] = v;
        if (viewport === PHONE) {
          const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
          if (width > 390) found[path] = [...(found[path] ?? []), `page is ${width} px wide`];
        }
      }
      expect(found).toEqual({});
      expect(errors).toEqual([]);
    });
  }
});
