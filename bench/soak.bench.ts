/**
 * Soak: the real server on 127.0.0.1 under a mixed load for a fixed time (default 10 minutes); every answer must
 * be a non-5xx, and memory must stay flat. Bounded: a few connections, only loopback traffic.
 *
 *   npm run bench:soak -- [--minutes 10] [--connections 4] [--db sqlite|postgres] [--pg-url postgres://...]
 *
 * Prints requests, errors, p50/p99 and RSS at start and end (after a GC when --expose-gc is on); writes
 * bench/results/soak-<time>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildApp } from '../src/app.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    db: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? '' },
  },
});
const durationMs = Number(args.minutes) * 60_000;
const connections = Math.min(16, Math.max(1, Number(args.connections)));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-soak-'));
const file = path.join(tmp, 'soak.db');
const usePg = args.db === 'postgres';
const db = usePg
  ? openDb({ dialect: 'postgres', databaseUrl: args['pg-url'] })
  : openDb({ dialect: 'sqlite', sqlitePath: file });
await migrateToLatest(db.kysely);
const config = loadConfig({
  LOG_LEVEL: 'silent',
  DATABASE_URL: usePg ? args['pg-url']! : `sqlite:${file}`,
  DATA_DIR: path.join(tmp, 'data'),
});
const app = await buildApp({
  config,
  db,
  webDir: null,
  rateLimits: { authenticatedPerMinute: 0, anonymousPerMinute: 0 },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  return Math.round(process.memoryUsage().rss / 1048576);
};

async function call(method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(base + url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text) };
}

const signup = await call('POST', '/api/v1/auth/signup', undefined, {
  email: `soak${Date.now()}@example.com`,
  password: 'soak password 1',
  name: 'Soak',
  organization_name: 'Soak Co',
});
const token = signup.json().token as string;

const latencies: number[] = [];
const statusCounts: Record<string, number> = {};
const errors: string[] = [];
let requests = 0;
const samples: Array<{ s: number; rssMb: number }> = [];
const started = Date.now();
const rssStart = rss();
samples.push({ s: 0, rssMb: rssStart });
const sampler = setInterval(
  () => samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: rss() }),
  10_000,
);

async function worker(n: number) {
  const mine: number[] = [];
  let i = 0;
  while (Date.now() - started < durationMs) {
    i++;
    const t0 = performance.now();
    let r: { status: number; json: () => any };
    const pick = i % 10;
    try {
      if (pick < 3) {
        r = await call('POST', '/api/v1/leads', token, {
          first_name: `W${n}`,
          last_name: `Lead${i}`,
          email: `w${n}.${i}@example.com`,
          tags: ['soak'],
          custom_fields: { n: i },
        });
        if (r.status === 201) mine.push(r.json().id);
      } else if (pick < 5) r = await call('GET', '/api/v1/leads?limit=50', token);
      else if (pick === 5) r = await call('GET', `/api/v1/leads?q=Lead${i % 100}`, token);
      else if (pick === 6 && mine.length) {
        const id = mine[i % mine.length];
        r = await call('PATCH', `/api/v1/leads/${id}`, token, { description: `touched ${i}` });
      } else if (pick === 7 && mine.length) {
        const id = mine[i % mine.length];
        r = await call('POST', `/api/v1/leads/${id}/comments`, token, { body: `comment ${i}` });
      } else if (pick === 8 && mine.length > 20) {
        const id = mine.shift()!;
        r = await call('DELETE', `/api/v1/leads/${id}`, token);
      } else if (pick === 9) r = await call('POST', '/api/v1/leads', token, { email: 'not an email' });
      else r = await call('GET', '/health');
    } catch (e) {
      errors.push(`network: ${(e as Error).message}`);
      continue;
    }
    requests++;
    latencies.push(performance.now() - t0);
    statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
    if (r.status >= 500) errors.push(`${r.status}`);
  }
}

await Promise.all(Array.from({ length: connections }, (_, n) => worker(n)));
clearInterval(sampler);
const rssEnd = rss();
samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: rssEnd });
latencies.sort((a, b) => a - b);
const pct = (p: number) => Math.round(latencies[Math.floor((latencies.length - 1) * p)] * 10) / 10;
const result = {
  at: new Date().toISOString(),
  db: db.dialect,
  minutes: Number(args.minutes),
  connections,
  requests,
  rps: Math.round(requests / ((Date.now() - started) / 1000)),
  statuses: statusCounts,
  errors: errors.length,
  p50_ms: pct(0.5),
  p99_ms: pct(0.99),
  rss_start_mb: rssStart,
  rss_end_mb: rssEnd,
  rss_samples: samples,
};
await app.close();
await db.close();
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(path.join('bench', 'results'), { recursive: true });
const out = path.join('bench', 'results', `soak-${result.at.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify(result, null, 2));
console.log(JSON.stringify({ ...result, rss_samples: undefined }, null, 2));
console.log(`written to ${out}`);
if (errors.length) process.exit(1);
