import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { allLeads, upload, waitForImport } from './imports.helpers.js';

// (120 s per test: 12,000 rows on a loaded PostgreSQL, deduped by default on email and external id since issue 15.)
// The job queue lives in the database: an import interrupted by a stop (or a dead process) is finished by the
// next process from its last committed batch, without losing or doubling a row.
let t: TestApp;
const extra: FastifyInstance[] = [];
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  for (const a of extra) await a.close();
  await t.close();
});

const ROWS = 12_000;
const file = () =>
  `Lead Id,First Name,Last Name,Email\n${Array.from({ length: ROWS }, (_, i) => `L${i},First${i},Last${i},p${i}@example.com`).join('\n')}\n`;

async function startImport(app: FastifyInstance, s: Session) {
  const id = (await upload(app, s, 'big.csv', file())).json().id as number;
  expect(
    (await app.inject({ method: 'POST', url: `/api/v1/imports/${id}/run`, headers: s.headers, payload: {} }))
      .statusCode,
  ).toBe(202);
  // Wait until some batches are committed but the import is not done.
  for (;;) {
    const j = (await app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: s.headers })).json();
    if (j.counts.read > 0) {
      expect(j.status).toBe('running');
      return id;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function secondProcess() {
  const app = await buildApp({ config: t.config, db: t.db, webDir: null });
  await app.ready();
  extra.push(app as unknown as FastifyInstance);
  return app as unknown as FastifyInstance;
}

async function checkComplete(app: FastifyInstance, s: Session, id: number) {
  const done = await waitForImport(app, s, id);
  expect(done.status).toBe('completed');
  expect(done.counts).toEqual({ read: ROWS, created: ROWS, updated: 0, skipped: 0, failed: 0 });
  const leads = await allLeads(app, s);
  expect(leads).toHaveLength(ROWS);
  expect(new Set(leads.map((l) => l.external_id)).size).toBe(ROWS);
}

describe('database-backed job queue', () => {
  it('an import stopped with its process is resumed by the next one from the last committed row', async () => {
    const a = await secondProcess();
    const s = await signup(a);
    const id = await startImport(a, s);
    await a.close();
    const mid = (
      await t.app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: s.headers })
    ).json();
    // t.app's worker may already have taken it over; either way nothing was counted twice.
    expect(mid.counts.read).toBeLessThanOrEqual(ROWS);
    await checkComplete(t.app, s, id);
  }, 120_000);

  it("a job left 'running' by a dead process is taken over once its heartbeat is stale", async () => {
    const a = await secondProcess();
    const s = await signup(a);
    const id = await startImport(a, s);
    await a.close();
    // What a killed process leaves behind: the job still marked running, with an old heartbeat.
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    await t.db.kysely
      .updateTable('jobs')
      .set({ status: 'running', locked_by: 'dead-process', heartbeat_at: hourAgo })
      .where('kind', '=', 'import.run')
      .where('status', 'in', ['queued', 'running'])
      .execute();
    const b = await secondProcess();
    await checkComplete(b, s, id);
    const job = await t.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where(
        'id',
        '=',
        (
          await t.db.kysely
            .selectFrom('imports')
            .select('job_id')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).job_id!,
      )
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('completed');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('a failing import marks the job and the import failed with the reason', async () => {
    const s = await signup(t.app);
    const id = (await upload(t.app, s, 'x.csv', 'Email\na@x.io\n')).json().id as number;
    const imp = await t.db.kysely
      .selectFrom('imports')
      .select('file_path')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await import('node:fs').then((fs) => fs.rmSync(imp.file_path));
    await t.app.inject({ method: 'POST', url: `/api/v1/imports/${id}/run`, headers: s.headers, payload: {} });
    const done = await waitForImport(t.app, s, id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/ENOENT/);
  });
});
