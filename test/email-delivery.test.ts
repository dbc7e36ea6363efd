import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { buildApp } from '../src/app.js';
import { loadConfig, ConfigError } from '../src/config.js';
import { createTestApp, signup, type TestApp } from './helpers.js';
import { freePort, linkIn, startSmtp, until, type TestSmtp } from './email.helpers.js';
import { upload, waitForImport } from './imports.helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function jobOf(t: TestApp, emailId: number) {
  const jobs = await t.db.kysely.selectFrom('jobs').selectAll().where('kind', '=', 'email.send').execute();
  return jobs.find((j) => JSON.parse(j.payload).email_id === emailId)!;
}

describe('email delivery', () => {
  it('without SMTP_URL, writes each email to data/mail as an .eml file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-mail-'));
    const t = await createTestApp(
      { DATA_DIR: dataDir, PUBLIC_URL: 'http://laptop.test:3000' },
      { email: { digest: false } },
    );
    cleanups.push(async () => {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    const owner = await signup(t.app, { organization_name: 'Laptop Co' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: owner.headers,
      payload: { email: 'friend@example.test', role: 'agent' },
    });
    expect(res.statusCode).toBe(201);
    const dir = path.join(dataDir, 'mail');
    const file = await until(
      async () => fs.existsSync(dir) && fs.readdirSync(dir).find((f) => f.endsWith('.eml')),
    );
    const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('friend@example.test');
    expect(mail.subject).toContain('Laptop Co');
    expect(mail.from?.text).toContain('leadflow@localhost');
    expect(linkIn(mail.text, 'http://laptop.test:3000/invite/')).toBe(
      `http://laptop.test:3000/invite/${res.json().token}`,
    );
    const settings = await t.app.inject({
      method: 'GET',
      url: '/api/v1/email/settings',
      headers: owner.headers,
    });
    expect(settings.json().delivery).toBe('file');
  });

  it('an email queued while the SMTP server is down is sent after a restart, once, when it is back', async () => {
    const port = await freePort();
    const url = `smtp://leadflow:secret@127.0.0.1:${port}`;
    const env = { SMTP_URL: url, MAIL_FROM: 'crm@example.test', PUBLIC_URL: 'http://crm.example.test' };
    const retry = { baseDelayMs: 100, maxDelayMs: 300 };
    const t = await createTestApp(env, { email: { retry, digest: false } });
    const later: { smtp?: TestSmtp; app?: Awaited<ReturnType<typeof buildApp>> } = {};
    cleanups.push(async () => {
      await later.app?.close();
      await t.close();
      await later.smtp?.close();
    });
    const owner = await signup(t.app);
    const inv = await t.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: owner.headers,
      payload: { email: 'later@example.test', role: 'agent' },
    });
    expect(inv.statusCode).toBe(201);
    const emailId = (await t.db.kysely.selectFrom('emails').select('id').executeTakeFirstOrThrow()).id;
    // Connection refused: the attempt is recorded, the job goes back to the queue with a later run_after.
    const failed = await until(async () => {
      const e = await t.db.kysely
        .selectFrom('emails')
        .selectAll()
        .where('id', '=', emailId)
        .executeTakeFirst();
      return e && e.attempts >= 1 && e;
    });
    expect(failed.status).toBe('queued');
    expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
    await t.app.close(); // the process stops
    const job = await jobOf(t, emailId);
    expect(job.status).toBe('queued');

    const smtp = (later.smtp = await startSmtp({ port }));
    const second = (later.app = await buildApp({
      config: loadConfig({
        ...env,
        LOG_LEVEL: 'silent',
        DATABASE_URL: t.config.databaseUrl,
        DATA_DIR: t.config.dataDir,
      }),
      db: t.db,
      webDir: null,
      email: { retry, digest: false },
    }));
    await second.ready();
    const msg = await smtp.waitFor((r) => r.to.includes('later@example.test'));
    const token = linkIn(msg.mail.text, 'http://crm.example.test/invite/').split('/').pop()!;
    const accept = await second.inject({
      method: 'POST',
      url: `/api/v1/invitations/${token}/accept`,
      payload: { name: 'Later', password: 'a long password' },
    });
    expect(accept.statusCode).toBe(200);
    await until(async () => (await jobOf(t, emailId)).status === 'completed');
    expect(smtp.received).toHaveLength(1);
  });

  it('gives up after the last attempt: the message is marked failed with the server answer', async () => {
    const smtp = await startSmtp();
    smtp.state.refuse = true;
    const t = await createTestApp(
      { SMTP_URL: smtp.url, MAIL_FROM: 'crm@example.test' },
      { email: { retry: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 }, digest: false } },
    );
    cleanups.push(async () => {
      await t.close();
      await smtp.close();
    });
    const owner = await signup(t.app);
    const inv = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/invitations',
        headers: owner.headers,
        payload: { email: 'never@example.test', role: 'agent' },
      })
    ).json();
    const row = await until(async () => {
      const list = (
        await t.app.inject({ method: 'GET', url: '/api/v1/invitations', headers: owner.headers })
      ).json();
      const i = list.data.find((x: { id: number }) => x.id === inv.id);
      return i.delivery.status === 'failed' && i;
    });
    expect(row.state).toBe('pending');
    expect(row.delivery.attempts).toBe(3);
    expect(row.delivery.last_error).toContain('451');
    expect(smtp.state.refused).toBe(3);
    // An admin can try again once the server is fixed.
    smtp.state.refuse = false;
    const resent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.id}/resend`,
      headers: owner.headers,
    });
    expect(resent.statusCode).toBe(200);
    await smtp.waitFor((r) => r.to.includes('never@example.test'));
  });

  it('tells whoever started an import that it finished', async () => {
    const smtp = await startSmtp();
    const t = await createTestApp(
      { SMTP_URL: smtp.url, MAIL_FROM: 'crm@example.test', PUBLIC_URL: 'http://crm.example.test' },
      { email: { digest: false } },
    );
    cleanups.push(async () => {
      await t.close();
      await smtp.close();
    });
    const owner = await signup(t.app, { name: 'Ivan Importer' });
    const id = (
      await upload(t.app, owner, 'people.csv', 'Email,First name\na@x.io,A\nb@x.io,B\nnot-an-email,C\n')
    ).json().id;
    const run = await t.app.inject({
      method: 'POST',
      url: `/api/v1/imports/${id}/run`,
      headers: owner.headers,
      payload: {},
    });
    expect(run.statusCode).toBe(202);
    const done = await waitForImport(t.app, owner, id);
    const msg = await smtp.waitFor((r) => r.to.includes(owner.email));
    expect(msg.mail.subject).toBe('Import finished: people.csv');
    expect(done.counts.created).toBeGreaterThan(0);
    expect(msg.mail.text).toContain(
      `${done.counts.created} created, ${done.counts.updated} updated, ${done.counts.failed} rejected`,
    );
    expect(msg.mail.text).toContain('http://crm.example.test/import');
  });

  it('refuses SMTP_URL without MAIL_FROM, and a malformed SMTP_URL, at start', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.test:587' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMTP_URL: 'mail.example.test', MAIL_FROM: 'a@b.c' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'crm.example.test' })).toThrow(/PUBLIC_URL/);
    const c = loadConfig({
      SMTP_URL: 'smtps://u:p@mail.example.test:465',
      MAIL_FROM: 'Leadflow <crm@example.test>',
    });
    expect(c.smtpUrl).toBe('smtps://u:p@mail.example.test:465');
  });
});
