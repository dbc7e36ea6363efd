import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { signInWithToken } from './harness.js';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (its source injected into the page) and returns the violations, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  const has = await page.evaluate('typeof window.axe');
  if (has === 'undefined') await page.evaluate(axeSource);
  const result = (await page.evaluate(
    `window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`,
  )) as Array<{ id: string; nodes: string[] }>;
  return result.map((v) => `${v.id}: ${v.nodes.join(', ')}`);
}

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Signs up an organization's owner through the API; returns the token. */
export async function signUp(page: Page, baseUrl: string, email: string, org: string, name = 'Ada Admin') {
  const r = await page.request.post(`${baseUrl}/api/v1/auth/signup`, {
    data: { email, password: 'correct horse battery', name, organization_name: org },
  });
  return (await r.json()) as { token: string; user: { id: number } };
}

/** Invites `email` with `role` and accepts the invitation; returns the new member's token and id. */
export async function addMember(
  page: Page,
  baseUrl: string,
  adminToken: string,
  email: string,
  name: string,
  role: string,
) {
  const inv = await page.request.post(`${baseUrl}/api/v1/invitations`, {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { email, role },
  });
  const { token } = (await inv.json()) as { token: string };
  const acc = await page.request.post(`${baseUrl}/api/v1/invitations/${token}/accept`, {
    data: { name, password: 'member password 1' },
  });
  return (await acc.json()) as { token: string; user: { id: number } };
}

/** An API caller with a bearer token. */
export function apiAs(page: Page, baseUrl: string, token: string) {
  const headers = { authorization: `Bearer ${token}` };
  return {
    get: async (path: string) => (await page.request.get(`${baseUrl}/api/v1${path}`, { headers })).json(),
    post: async (path: string, data: unknown) => {
      const r = await page.request.post(`${baseUrl}/api/v1${path}`, { headers, data });
      if (!r.ok()) throw new Error(`POST ${path}: ${r.status()} ${await r.text()}`);
      return r.json();
    },
  };
}

export async function useToken(page: Page, baseUrl: string, token: string) {
  await page.goto(`${baseUrl}/signin`);
  await page.evaluate(`localStorage.clear()`);
  await page.context().clearCookies();
  await signInWithToken(page, baseUrl, token);
}

/** A chart by its accessible name: an img, or a group when its bars are links. */
export const chart = (page: Page, name: RegExp) =>
  page.getByRole('img', { name }).or(page.getByRole('group', { name }));
