/**
 * kill -9 during a webhook delivery: a child process runs the job worker, the receiver holds the first request
 * open, the test kills the child with SIGKILL mid-delivery, starts another one, and every event arrives (0 lost).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openDb, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildApp } from '../src/app.js';
import type { JobQueue } from '../src/jobs/job.worker.js';
import { createLead, signup } from './helpers.js';
import { eventIds, startReceiver } from './webhooks.helpers.js';

const pgUrl = process.env.TEST_DATABASE_URL;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-crash-'));
const sqlitePath = path.join(dir, 'crash.db');
const schema = `t_${randomBytes(6).toString('hex')}`;
let db: Db;
let app: FastifyInstance;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    db = openDb({ dialect: 'postgres', databaseUrl: pgUrl, pgSchema: schema, poolSize: 3 });
  } else db = openDb({ dialect: 'sqlite', sqlitePath });
  await migrateToLatest(db.kysely);
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: pgUrl ?? `sqlite:${sqlitePath}`,
    DATA_DIR: dir,
  });
  app = (await buildApp({
    config,
    db,
    webDir: null,
    email: { digest: false },
  })) as unknown as FastifyInstance;
  await app.ready();
  // This process only writes: the children deliver.
  await (app as unknown as { background: { jobs: JobQueue } }).background.jobs.stop();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await app.close();
  await db.close();
  if (pgUrl) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'webhooks.child.ts')], {
    env: {
      ...process.env,
      CHILD_DATABASE_URL: pgUrl ?? '',
      CHILD_PG_SCHEMA: schema,
      CHILD_SQLITE_PATH: sqlitePath,
      CHILD_DATA_DIR: dir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
  return child;
}

describe('webhook delivery survives kill -9', () => {
  it('a worker killed mid-delivery: a restarted one delivers every event, none lost', async () => {
    const s = await signup(app);
    await app.inject({
      method: 'PUT',
      url: '/api/v1/webhook-settings',
      headers: s.headers,
      payload: { allow_private_networks: true },
    });
    let hold = true;
    const rx = await startReceiver(() => (hold ? null : 200));
    const ep = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: s.headers,
      payload: { url: rx.url },
    });
    expect(ep.statusCode).toBe(201);
    const N = 5;
    for (let i = 0; i < N; i++) await createLead(app, s);

    const first = await startWorker();
    await rx.waitFor(1);
    // The first delivery is on the wire, unanswered: kill the worker the hard way.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(first.signalCode).toBe('SIGKILL');
    hold = false;

    const second = await startWorker();
    const end = Date.now() + 150_000;
    let rows: Array<{ status: string; attempts: number }> = [];
    while (Date.now() < end) {
      rows = await db.kysely
        .selectFrom('webhook_deliveries')
        .select(['status', 'attempts'])
        .where('org_id', '=', s.orgId)
        .execute();
      if (rows.length === N && rows.every((r) => r.status === 'succeeded')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    second.kill('SIGTERM');
    expect(rows.map((r) => r.status)).toEqual(Array(N).fill('succeeded'));
    const answered = rx.received.filter((r) => r.status === 200);
    expect(new Set(eventIds(answered)).size).toBe(N);
    // At least once: the interrupted event was sent twice (receivers dedupe on its id).
    const all = eventIds(rx.received);
    expect(all.length).toBeGreaterThan(N);
    console.log(
      `kill -9 mid-delivery: ${N} events, ${new Set(all).size} delivered, 0 lost, ${all.length} requests`,
    );
    await rx.close();
  }, 300_000);
});
