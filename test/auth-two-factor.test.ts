/** TOTP two-factor sign-in (docs/security.md, "Two-factor sign-in"); codes come from otplib, as an app makes them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../src/app.js';
import { createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { changedTables, countAllTables } from './table-counts.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const PASSWORD = 'correct horse battery';
const inject = (method: string, url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({
    method: method as 'POST',
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  } as InjectOptions);
const login = (email: string, password = PASSWORD) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
const second = (challenge_token: string, code: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login/two-factor', payload: { challenge_token, code } });
/** The code of the step `steps` periods from now (each step's code is accepted once). */
const codeAt = (secret: string, steps = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

async function enrol(s: Session) {
  const begin = await inject('POST', '/api/v1/me/two-factor', s.headers, { password: PASSWORD });
  expect(begin.statusCode).toBe(200);
  const { secret } = begin.json();
  const confirm = await inject('POST', '/api/v1/me/two-factor/confirm', s.headers, {
    code: await codeAt(secret),
  });
  expect(confirm.statusCode).toBe(200);
  return { secret: secret as string, recovery: confirm.json().recovery_codes as string[] };
}

describe('enrolment', () => {
  it('needs the password, gives a secret, an otpauth URI and a QR code, and turns on with a first code', async () => {
    const s = await signup(t.app);
    const wrong = await inject('POST', '/api/v1/me/two-factor', s.headers, { password: 'not it' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0].field).toBe('password');

    const begin = await inject('POST', '/api/v1/me/two-factor', s.headers, { password: PASSWORD });
    expect(begin.statusCode).toBe(200);
    const b = begin.json();
    expect(b.secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(b.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Leadflow:.+\?.*secret=/);
    expect(b.otpauth_uri).toContain(encodeURIComponent(s.email).replace(/%40/, '%40'));
    expect(b.qr_code).toMatch(/^data:image\/png;base64,/);
    expect((await inject('GET', '/api/v1/me/two-factor', s.headers)).json()).toMatchObject({
      enabled: false,
      pending: true,
    });
    // Not on yet: the password alone still signs in.
    expect((await login(s.email)).json().token).toMatch(/^lf_/);

    const before = await countAllTables(t.db);
    const bad = await inject('POST', '/api/v1/me/two-factor/confirm', s.headers, { code: '000000' });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});

    const ok = await inject('POST', '/api/v1/me/two-factor/confirm', s.headers, {
      code: await codeAt(b.secret),
    });
    expect(ok.statusCode).toBe(200);
    const codes = ok.json().recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const status = (await inject('GET', '/api/v1/me/two-factor', s.headers)).json();
    expect(status).toMatchObject({ enabled: true, pending: false, recovery_codes_left: 10 });
    // Recovery codes are stored only as hashes.
    const rows = await t.db.kysely.selectFrom('two_factor_recovery_codes').selectAll().execute();
    expect(rows.some((r) => codes.includes(r.code_hash))).toBe(false);
    // A second enrolment while on is a conflict.
    expect(
      (await inject('POST', '/api/v1/me/two-factor', s.headers, { password: PASSWORD })).statusCode,
    ).toBe(409);
  });

  it('is a person’s: an API key gets 403', async () => {
    const s = await signup(t.app);
    const key = await inject('POST', '/api/v1/api-keys', s.headers, { name: 'k', scopes: ['leads:write'] });
    const h = { authorization: `Bearer ${key.json().key}` };
    expect((await inject('GET', '/api/v1/me/two-factor', h)).statusCode).toBe(403);
  });
});

describe('secrets at rest', () => {
  it('stores the TOTP secret encrypted, and still reads one stored before encryption', async () => {
    const s = await signup(t.app);
    const { secret } = await enrol(s);
    const userId = (await inject('GET', '/api/v1/me', s.headers)).json().user.id as number;
    const stored = async () =>
      (
        await t.db.kysely
          .selectFrom('user_two_factor')
          .select('secret')
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).secret;
    // A database dump alone does not give the secret away.
    expect(await stored()).toMatch(/^v1:/);
    expect(await stored()).not.toContain(secret);
    const ch = (await login(s.email)).json();
    expect((await second(ch.challenge_token, await codeAt(secret, 1))).statusCode).toBe(200);

    // A row written by an earlier version (plain text) keeps working.
    await t.db.kysely
      .updateTable('user_two_factor')
      .set({ secret, last_time_step: null })
      .where('user_id', '=', userId)
      .execute();
    const again = (await login(s.email)).json();
    expect((await second(again.challenge_token, await codeAt(secret, 1))).statusCode).toBe(200);
  });
});

describe('sign-in with two-factor on', () => {
  it('asks for a code after the password, with no session before the code', async () => {
    const s = await signup(t.app);
    const { secret } = await enrol(s);
    const sessionsBefore = (await t.db.kysely.selectFrom('sessions').select('id').execute()).length;
    const first = await login(s.email);
    expect(first.statusCode).toBe(200);
    const ch = first.json();
    expect(ch).toMatchObject({ two_factor_required: true });
    expect(ch.token).toBeUndefined();
    expect(Date.parse(ch.expires_at) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect((await t.db.kysely.selectFrom('sessions').select('id').execute()).length).toBe(sessionsBefore);
    // The challenge is no credential.
    const asBearer = await inject('GET', '/api/v1/me', { authorization: `Bearer ${ch.challenge_token}` });
    expect(asBearer.statusCode).toBe(401);

    const wrong = await second(ch.challenge_token, '123456');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    // The confirmation used this step's code: the next step's code signs in.
    const ok = await second(ch.challenge_token, await codeAt(secret, 1));
    expect(ok.statusCode).toBe(200);
    const token = ok.json().token;
    expect(token).toMatch(/^lf_/);
    expect((await inject('GET', '/api/v1/me', { authorization: `Bearer ${token}` })).statusCode).toBe(200);
    // The challenge is single use, and so is the code.
    expect((await second(ch.challenge_token, await codeAt(secret, 1))).statusCode).toBe(401);
    const again = (await login(s.email)).json();
    expect((await second(again.challenge_token, await codeAt(secret, 1))).statusCode).toBe(401);
  });

  it('takes a recovery code once, whatever its case and dashes', async () => {
    const s = await signup(t.app);
    const { recovery } = await enrol(s);
    const ch = (await login(s.email)).json();
    const used = await second(ch.challenge_token, recovery[0].toLowerCase().replace('-', ' '));
    expect(used.statusCode).toBe(200);
    const ch2 = (await login(s.email)).json();
    expect((await second(ch2.challenge_token, recovery[0])).statusCode).toBe(401);
    expect((await second(ch2.challenge_token, recovery[1])).statusCode).toBe(200);
    const status = (await inject('GET', '/api/v1/me/two-factor', s.headers)).json();
    expect(status.recovery_codes_left).toBe(8);
  });

  it('spends a challenge after 5 wrong codes: the right one then needs the password again', async () => {
    const s = await signup(t.app);
    const { secret } = await enrol(s);
    const ch = (await login(s.email)).json();
    for (let i = 0; i < 5; i++) expect((await second(ch.challenge_token, '000000')).statusCode).toBe(401);
    const late = await second(ch.challenge_token, await codeAt(secret, 1));
    expect(late.statusCode).toBe(401);
    expect(late.json().detail).toMatch(/sign in with your password again/);
  });

  it('refuses the password-only doors (HTTP Basic on compatible surfaces)', async () => {
    const s = await signup(t.app);
    await enrol(s);
    const basic = `Basic ${Buffer.from(`${s.email}:${PASSWORD}`).toString('base64')}`;
    const r = await inject('GET', '/compat/entreprise-facile/leads', { authorization: basic });
    expect(r.statusCode).toBe(401);
  });
});

describe('new recovery codes, turning off, admin reset', () => {
  it('replaces the recovery codes with the password', async () => {
    const s = await signup(t.app);
    const { recovery } = await enrol(s);
    const none = await inject('POST', '/api/v1/me/two-factor/recovery-codes', s.headers, {});
    expect(none.statusCode).toBe(422);
    const r = await inject('POST', '/api/v1/me/two-factor/recovery-codes', s.headers, { password: PASSWORD });
    expect(r.statusCode).toBe(200);
    const fresh = r.json().recovery_codes as string[];
    expect(fresh).toHaveLength(10);
    const ch = (await login(s.email)).json();
    expect((await second(ch.challenge_token, recovery[0])).statusCode).toBe(401);
    expect((await second(ch.challenge_token, fresh[0])).statusCode).toBe(200);
  });

  it('turns off with a code (not without proof), and the password alone signs in again', async () => {
    const s = await signup(t.app);
    const { secret } = await enrol(s);
    const before = await countAllTables(t.db);
    const noProof = await inject('POST', '/api/v1/me/two-factor/disable', s.headers, {});
    expect(noProof.statusCode).toBe(422);
    const badPw = await inject('POST', '/api/v1/me/two-factor/disable', s.headers, { password: 'nope' });
    expect(badPw.statusCode).toBe(422);
    expect(changedTables(before, await countAllTables(t.db))).toEqual({});
    const off = await inject('POST', '/api/v1/me/two-factor/disable', s.headers, {
      code: await codeAt(secret, 1),
    });
    expect(off.statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/me/two-factor', s.headers)).json().enabled).toBe(false);
    expect((await login(s.email)).json().token).toMatch(/^lf_/);
    expect(
      (await inject('POST', '/api/v1/me/two-factor/disable', s.headers, { password: PASSWORD })).statusCode,
    ).toBe(409);
  });

  it('lets an owner reset a member’s two-factor, not the other way round', async () => {
    const owner = await signup(t.app);
    const email = `m${Date.now()}@example.com`;
    const inv = await inject('POST', '/api/v1/invitations', owner.headers, { email, role: 'agent' });
    const acc = await t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.json().token}/accept`,
      payload: { name: 'Member', password: PASSWORD },
    });
    expect(acc.statusCode).toBe(200);
    const member: Session = {
      token: acc.json().token,
      userId: acc.json().user.id,
      orgId: owner.orgId,
      email,
      headers: { authorization: `Bearer ${acc.json().token}` },
    };
    await enrol(member);
    await enrol(owner);
    expect(
      (await inject('DELETE', `/api/v1/users/${owner.userId}/two-factor`, member.headers)).statusCode,
    ).toBe(403);
    expect(
      (await inject('DELETE', `/api/v1/users/${owner.userId}/two-factor`, owner.headers)).statusCode,
    ).toBe(422);
    const reset = await inject('DELETE', `/api/v1/users/${member.userId}/two-factor`, owner.headers);
    expect(reset.statusCode).toBe(204);
    expect((await login(email)).json().token).toMatch(/^lf_/);
    expect(
      (await inject('DELETE', `/api/v1/users/${member.userId}/two-factor`, owner.headers)).statusCode,
    ).toBe(409);
    const other = await signup(t.app);
    expect(
      (await inject('DELETE', `/api/v1/users/${member.userId}/two-factor`, other.headers)).statusCode,
    ).toBe(404);
  });
});

describe('throttling of codes', () => {
  let tt: { app: FastifyInstance };
  beforeAll(async () => {
    const app = (await buildApp({
      config: t.config,
      db: t.db,
      webDir: null,
      rateLimits: { anonymousPerMinute: 0, loginFailuresPerEmail: 3, loginFailuresPerIp: 1000 },
    })) as unknown as FastifyInstance;
    await app.ready();
    tt = { app };
  });
  afterAll(async () => tt.app.close());

  it('slows code guessing per person across challenges (429 with Retry-After), never a lockout', async () => {
    const s = await signup(tt.app);
    const begin = await tt.app.inject({
      method: 'POST',
      url: '/api/v1/me/two-factor',
      headers: s.headers,
      payload: { password: PASSWORD },
    });
    const { secret } = begin.json();
    await tt.app.inject({
      method: 'POST',
      url: '/api/v1/me/two-factor/confirm',
      headers: s.headers,
      payload: { code: await codeAt(secret) },
    });
    const challenge = async () =>
      (
        await tt.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: s.email, password: PASSWORD },
        })
      ).json().challenge_token as string;
    const try2 = (token: string, code: string) =>
      tt.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login/two-factor',
        payload: { challenge_token: token, code },
      });
    // Three wrong codes over two challenges, then the fourth try must wait.
    const a = await challenge();
    expect((await try2(a, '000000')).statusCode).toBe(401);
    expect((await try2(a, '000001')).statusCode).toBe(401);
    const b = await challenge();
    expect((await try2(b, '000002')).statusCode).toBe(401);
    const slowed = await try2(b, await codeAt(secret, 1));
    expect(slowed.statusCode).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(slowed.headers['content-type']).toContain('application/problem+json');
    // Waiting out the backoff, the right code passes.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await try2(b, await codeAt(secret, 1))).statusCode).toBe(200);
  });
});
