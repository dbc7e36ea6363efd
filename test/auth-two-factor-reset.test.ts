/** A password reset by email does not step around two-factor sign-in (docs/security.md, "Two-factor sign-in"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { createTestApp, signup, type TestApp } from './helpers.js';
import { linkIn, startSmtp, type TestSmtp } from './email.helpers.js';

const PUBLIC_URL = 'http://crm.example.test';
let smtp: TestSmtp;
let t: TestApp;
beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp(
    { SMTP_URL: smtp.url, MAIL_FROM: 'Leadflow <crm@example.test>', PUBLIC_URL },
    { email: { retry: { baseDelayMs: 50, maxDelayMs: 200 }, digest: false } },
  );
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('password reset with two-factor on', () => {
  it('sets the password but opens no session: the sign-in still asks for a code', async () => {
    const s = await signup(t.app, { email: 'tf.reset@example.test', password: 'old password 1' });
    const begin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/two-factor',
      headers: s.headers,
      payload: { password: 'old password 1' },
    });
    const { secret } = begin.json();
    const on = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/two-factor/confirm',
      headers: s.headers,
      payload: { code: await generate({ secret }) },
    });
    expect(on.statusCode).toBe(200);
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: 'tf.reset@example.test' },
    });
    const msg = await smtp.waitFor((r) => r.to.includes('tf.reset@example.test'));
    const token = linkIn(msg.mail.text, `${PUBLIC_URL}/reset-password/`).split('/').pop()!;
    const sessionsBefore = (await t.db.kysely.selectFrom('sessions').select('id').execute()).length;
    const done = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      headers: { 'x-leadflow-session': 'cookie' },
      payload: { token, password: 'new password 2' },
    });
    expect(done.statusCode).toBe(200);
    expect(done.json().token).toBeUndefined();
    expect(String(done.headers['set-cookie'] ?? '')).not.toContain('lf_session=');
    expect((await t.db.kysely.selectFrom('sessions').select('id').execute()).length).toBe(sessionsBefore);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'tf.reset@example.test', password: 'new password 2' },
    });
    expect(login.json().two_factor_required).toBe(true);
  });
});
