import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { buildApp } from '../../src/app.js';
import { csrfTokenFor } from '../../src/http/session-cookie.js';
import { buildWeb } from './build-web.js';

export const CHROMIUM = '/usr/bin/chromium';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Screenshots for the docs are refreshed with `npm run screenshots`; ordinary runs write them to a temp folder
// so that running the tests never changes tracked files.
export const screenshotDir = process.env.UPDATE_SCREENSHOTS
  ? path.join(repo, 'docs', 'screenshots')
  : path.join(os.tmpdir(), 'leadflow-screenshots');

/**
 * Without Debian's chromium the browser tests are skipped with a message, except in CI where a missing browser
 * is a broken machine and must fail.
 */
export function browserAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium).`);
  console.warn(`Skipping browser tests: ${CHROMIUM} not found (apt-get install -y chromium to run them).`);
  return false;
}

export interface Stack {
  baseUrl: string;
  tmp: string;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * The real thing: the web app built from web/src, the server from src/app.ts on a SQLite file (or PostgreSQL),
 * listening on a free port, and chromium driving it with a fresh profile.
 */
export async function startStack(opts: { env?: Record<string, string>; port?: number } = {}): Promise<Stack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-browser-'));
  // The suite's globalSetup (test/browser/build-web.ts) built the web app from web/src once for every file; a
  // file run by other means builds its own.
  let webDir = inject('webDir');
  if (!webDir) {
    webDir = path.join(tmp, 'web');
    await buildWeb(webDir);
  }

  // A SQLite file by default; a fresh PostgreSQL schema (dropped on close) when TEST_DATABASE_URL is set.
  const pgUrl = process.env.TEST_DATABASE_URL;
  const sqlitePath = path.join(tmp, 'leadflow.db');
  let db: Db;
  let dropSchema = async () => {};
  if (pgUrl) {
    const schema = `b_${randomBytes(6).toString('hex')}`;
    const admin = async (q: string) => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(q);
      await c.end();
    };
    await admin(`CREATE SCHEMA ${schema}`);
    db = openDb({ dialect: 'postgres', databaseUrl: pgUrl, pgSchema: schema, poolSize: 5 });
    dropSchema = () => admin(`DROP SCHEMA ${schema} CASCADE`);
  } else {
    db = openDb({ dialect: 'sqlite', sqlitePath });
  }
  await migrateToLatest(db.kysely);
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: pgUrl ?? `sqlite:${sqlitePath}`,
    DATA_DIR: path.join(tmp, 'data'),
    ...opts.env,
  });
  // Route schemas compile on first use (src/app.ts, lazySchemas): compiling all ~220 routes' took ~10 s of each
  // file's set-up on a loaded machine; the API test files that call buildApp themselves compile them all.
  const app = await buildApp({ config, db, webDir, lazySchemas: true });
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;

  const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    tmp,
    context,
    page,
    async close() {
      await context.close();
      await app.close();
      await db.close();
      await dropSchema();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export async function shot(page: Page, name: string, fullPage = false) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage });
}

/**
 * Signs the browser in with a session token made through the API, as a sign-in in the app would: the HttpOnly
 * session cookie and its CSRF cookie (docs/security.md, "Browser sessions and CSRF"). With `orgId`, the page
 * (already on the app's origin) also remembers that organization.
 */
export async function signInWithToken(page: Page, baseUrl: string, token: string, orgId?: number) {
  const host = new URL(baseUrl).hostname;
  // Leave the app first: a page still running could clear the CSRF cookie when its own session check fails
  // (the sign-in page of a first visit), racing the cookies set here.
  await page.goto('about:blank');
  await page.context().addCookies([
    { name: 'lf_session', value: token, domain: host, path: '/api/v1', httpOnly: true, sameSite: 'Lax' },
    { name: 'lf_csrf', value: csrfTokenFor(token), domain: host, path: '/', sameSite: 'Strict' },
  ]);
  if (orgId !== undefined) {
    await page.goto(baseUrl);
    await page.evaluate(`localStorage.setItem('leadflow.org', '${orgId}')`);
  }
}

/**
 * Holds the page's requests to one API path (GETs unless another method is named) until `release()` is called: to
 * see what a screen shows before its data arrives, or to order a read and a write. Call `page.unrouteAll()` when done.
 */
export async function holdRequests(page: Page, pathname: string, method = 'GET'): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(
    (u) => u.pathname === pathname,
    async (route) => {
      if (route.request().method() === method) await released;
      await route.fallback();
    },
  );
  return release;
}
