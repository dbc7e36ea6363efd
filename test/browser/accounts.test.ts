import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, holdRequests, shot, startStack, type Stack } from './harness.js';
import { apiAs, axeViolations, DESKTOP, PHONE, signUp, useToken } from './axe.js';

const run = browserAvailable();

/**
 * Companies, contacts and opportunities: a lead converted on its page links at once to what it created; each
 * account has a list and a detail screen with its leads, a timeline and click-to-edit fields; opportunities have a
 * board by stage.
 */
describe.skipIf(!run)('accounts (chromium)', () => {
  let s: Stack;
  let page: Page;
  let leadId = 0;
  let api: ReturnType<typeof apiAs>;
  const ids: Record<string, number> = {};
  const errors: string[] = [];

  beforeAll(async () => {
    s = await startStack();
    page = s.page;
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    const { token } = await signUp(page, s.baseUrl, 'owner@acct.test', 'Accounts Co', 'Ada Admin');
    api = apiAs(page, s.baseUrl, token);
    const lead = await api.post('/leads', {
      first_name: 'Carla',
      last_name: 'Buyer',
      email: 'carla@acme.test',
      company_name: 'Acme Corp',
      value: '12000',
    });
    leadId = lead.id;
    await api.post(`/leads/${leadId}/comments`, { body: 'Asked for a quote' });
    await useToken(page, s.baseUrl, token);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('converts a lead on its page and links at once to the company, contact and opportunity', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('button', { name: 'Convert…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Convert', exact: true }).click();
    const done = page.getByTestId('converted');
    await done.getByRole('link', { name: 'Acme Corp', exact: true }).waitFor();
    expect(await done.textContent()).toContain('Contact');
    const opp = done.getByRole('link').nth(2);
    const oppHref = (await opp.getAttribute('href')) ?? '';
    expect(oppHref).toMatch(/^\/opportunities\/\d+$/);
    ids.opp = Number(oppHref.split('/').pop());
    const contactHref = (await done.getByRole('link').nth(1).getAttribute('href')) ?? '';
    expect(contactHref).toMatch(/^\/contacts\/\d+$/);
    ids.contact = Number(contactHref.split('/').pop());
    await done.getByRole('link', { name: 'Acme Corp', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Corp' }).waitFor();
    ids.company = Number(page.url().split('/').pop());
    expect(errors).toEqual([]);
  });

  it('shows a company with its contacts, leads, opportunities and timeline, and edits fields in place', async () => {
    await page.goto(`${s.baseUrl}/companies/${ids.company}`);
    await page.getByRole('heading', { level: 1, name: 'Acme Corp' }).waitFor();
    await page
      .getByRole('region', { name: /^Leads/ })
      .getByRole('link', { name: 'Carla Buyer' })
      .waitFor();
    await page
      .getByRole('region', { name: /^Contacts/ })
      .getByRole('link', { name: 'Carla Buyer' })
      .waitFor();
    await page
      .getByRole('region', { name: /^Opportunities/ })
      .getByRole('link')
      .first()
      .waitFor();
    const tl = page.getByRole('region', { name: 'Timeline' });
    await expect.poll(() => tl.textContent()).toContain('Asked for a quote');
    expect(await tl.textContent()).toContain('Company created');
    expect(await tl.textContent()).toContain('converted');

    // Click-to-edit: a value saved with Enter; a bad email refused with a sentence, in place.
    await page.getByRole('button', { name: /^Industry/ }).click();
    await page.getByLabel('Industry').fill('Manufacturing');
    await page.getByLabel('Industry').press('Enter');
    await page.getByRole('button', { name: /^Industry Manufacturing/ }).waitFor();
    await page.getByRole('button', { name: 'Edit email' }).click();
    await page.getByLabel('Email', { exact: true }).fill('not an email');
    await page.getByLabel('Email', { exact: true }).press('Enter');
    const alert = page.locator('[data-field="email"] [role="alert"]');
    await expect.poll(() => alert.textContent()).toBe('Enter an email address such as name@example.com.');
    await page.getByLabel('Email', { exact: true }).press('Escape');
    expect(await alert.count()).toBe(0);
    await page.getByRole('button', { name: /^Name Acme Corp/ }).click();
    await page.getByLabel('Name', { exact: true }).fill('');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await expect
      .poll(() => page.locator('[data-field="name"] [role="alert"]').textContent())
      .toBe('Name cannot be empty.');
    await page.getByLabel('Name', { exact: true }).press('Escape');
    await page.getByRole('button', { name: 'Edit phone' }).click();
    await page.getByLabel('Phone', { exact: true }).fill('+1 415 555 0100');
    await page.getByLabel('Phone', { exact: true }).press('Enter');
    const tel = page.getByRole('link', { name: '+1 415 555 0100' });
    expect(await tel.getAttribute('href')).toBe('tel:+14155550100');
    expect(errors).toEqual([]);
  });

  it('moves an opportunity between stages on the board', async () => {
    await page.goto(`${s.baseUrl}/opportunities?view=board`);
    await page.getByRole('heading', { level: 1, name: 'Opportunities' }).waitFor();
    const qual = page.getByRole('region', { name: 'Qualification' });
    await qual.getByRole('listitem').first().waitFor();
    await qual.getByRole('combobox').first().selectOption('proposal');
    const proposal = page.getByRole('region', { name: 'Proposal' });
    await expect.poll(() => proposal.getByRole('listitem').count()).toBe(1);
    expect(await qual.getByRole('listitem').count()).toBe(0);
    expect(await proposal.textContent()).toMatch(/12,000|12 000|12\.000/);
    await page.goto(`${s.baseUrl}/opportunities/${ids.opp}`);
    await page.getByRole('button', { name: /^Stage Proposal/ }).waitFor();
    await page.getByRole('link', { name: `Lead #${leadId}` }).waitFor();
    // A refusal only the server can make comes back in plain words under the field.
    await page.getByRole('button', { name: /^Currency/ }).click();
    await page.getByLabel('Currency', { exact: true }).fill('EURO');
    await page.getByLabel('Currency', { exact: true }).press('Enter');
    await expect
      .poll(() => page.locator('[data-field="currency"] [role="alert"]').textContent())
      .toBe('Currency needs a three-letter code such as EUR or USD.');
    // The browser logs the refused PATCH (a 400) as a console error: that one is expected.
    expect(errors.every((e) => e.includes('status of 400'))).toBe(true);
    errors.length = 0;
    await page.getByLabel('Currency', { exact: true }).fill('EUR');
    await page.getByLabel('Currency', { exact: true }).press('Enter');
    await page.getByRole('button', { name: /^Currency EUR/ }).waitFor();
  });

  for (const [size, viewport] of [
    ['desktop 1440x900', DESKTOP],
    ['phone 390x844', PHONE],
  ] as const) {
    it(`every account screen is clean for axe at ${size}`, async () => {
      await page.setViewportSize(viewport);
      const found: Record<string, string[]> = {};
      const screens: [string, string, string][] = [
        ['/companies', 'Companies', 'companies'],
        [`/companies/${ids.company}`, 'Acme Corp', 'company'],
        ['/contacts', 'Contacts', 'contacts'],
        [`/contacts/${ids.contact}`, 'Carla Buyer', 'contact'],
        ['/opportunities', 'Opportunities', 'opportunities'],
        ['/opportunities?view=board', 'Opportunities', 'opportunity-board'],
        [`/opportunities/${ids.opp}`, '', 'opportunity'],
      ];
      for (const [path, heading, name] of screens) {
        await page.goto(`${s.baseUrl}${path}`);
        if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        else await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        const v = await axeViolations(page);
        if (v.length) found[path] = v;
        if (viewport === PHONE) {
          const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
          if (width > 390) found[path] = [...(found[path] ?? []), `page is ${width} px wide`];
        }
        if (viewport === DESKTOP && (name === 'company' || name === 'opportunity-board'))
          await shot(page, name);
      }
      expect(found).toEqual({});
      expect(errors).toEqual([]);
    });
  }

  it('deletes a company, a contact and an opportunity without asking, and Undo in the toast brings each back', async () => {
    await page.setViewportSize(DESKTOP);
    const main = page.getByRole('main');
    const toast = page.locator('.toasts');
    // Should this test run again after a failure, what the first run deleted is brought back first.
    for (const [kind, id] of [
      ['contacts', ids.contact],
      ['opportunities', ids.opp],
      ['companies', ids.company],
    ] as const)
      await api.post(`/${kind}/${id}/restore`, {}).catch(() => undefined);
    for (const [path, name, list] of [
      [`/contacts/${ids.contact}`, 'Carla Buyer', '/contacts'],
      [`/opportunities/${ids.opp}`, '', '/opportunities'],
      [`/companies/${ids.company}`, 'Acme Corp', '/companies'],
    ] as const) {
      await page.goto(`${s.baseUrl}${path}`);
      const h1 = page.getByRole('heading', { level: 1 });
      await h1.waitFor();
      const title = name || ((await h1.textContent()) ?? '').trim();
      expect(title).not.toBe('');
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      // No question first: the list, without it, and a toast offering Undo.
      await page.waitForURL(`${s.baseUrl}${list}`);
      await expect.poll(() => toast.textContent()).toContain(`${title} deleted.`);
      expect(await page.getByRole('dialog').count()).toBe(0);
      await expect.poll(() => main.getByRole('link', { name: title, exact: true }).count()).toBe(0);
      await toast.getByRole('button', { name: 'Undo' }).click();
      await main.getByRole('link', { name: title, exact: true }).first().waitFor();
      expect(await toast.textContent()).not.toContain('deleted.');
    }
    // The company came back with its links: its page lists its lead, contact and opportunity again.
    await main.getByRole('link', { name: 'Acme Corp', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Acme Corp' }).waitFor();
    await page
      .getByRole('region', { name: /^Leads/ })
      .getByRole('link', { name: 'Carla Buyer' })
      .waitFor();
    await page
      .getByRole('region', { name: /^Contacts/ })
      .getByRole('link', { name: 'Carla Buyer' })
      .waitFor();
    await page
      .getByRole('region', { name: /^Opportunities/ })
      .getByRole('link')
      .first()
      .waitFor();
    await page.goto(`${s.baseUrl}/leads/${leadId}`);
    await page.getByRole('link', { name: 'Acme Corp' }).first().waitFor();
    expect(errors).toEqual([]);
  });

  it('fetches the list again when its first read was answered before the delete, so the deleted company is gone', async () => {
    // Clicking Delete moves to the list and sends the DELETE at once. Here the list's read is answered by the server
    // first and reaches the page only after the delete: the list must not keep that answer (a CI run on PostgreSQL
    // showed a deleted contact on its list this way, until the next visit).
    const n = Date.now().toString(36); // names of their own, should the test run again
    const gone = (await api.post('/companies', { name: `Raced ${n}` })) as { id: number };
    const kept = (await api.post('/companies', { name: `Stays ${n}` })) as { id: number };
    await page.setViewportSize(DESKTOP);
    await page.goto(`${s.baseUrl}/companies/${gone.id}`);
    await page.getByRole('heading', { level: 1, name: `Raced ${n}` }).waitFor();
    let listReads = 0;
    const releaseDelete = await holdRequests(page, `/api/v1/companies/${gone.id}`, 'DELETE');
    const toast = page.locator('.toasts');
    await page.route(
      (u) => u.pathname === '/api/v1/companies',
      async (route) => {
        if (route.request().method() !== 'GET' || ++listReads > 1) return route.fallback();
        const response = await route.fetch();
        releaseDelete();
        await toast.getByText(`Raced ${n} deleted.`).waitFor();
        // The page may have given up this read by now; then there is nothing to deliver.
        await route.fulfill({ response }).catch(() => undefined);
      },
    );
    try {
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.waitForURL(`${s.baseUrl}/companies`);
      const main = page.getByRole('main');
      await main.getByRole('link', { name: `Stays ${n}`, exact: true }).waitFor();
      expect(await main.getByRole('link', { name: `Raced ${n}`, exact: true }).count()).toBe(0);
      expect(listReads).toBe(2);
    } finally {
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
    expect((await api.get(`/companies/${kept.id}`)).name).toBe(`Stays ${n}`);
    expect(errors).toEqual([]);
  });
});
