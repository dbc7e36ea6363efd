import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, fieldError } from '../http/errors.js';
import type { AccessRepository } from './access.repository.js';
import type { AuditService } from './audit.service.js';
import { hashToken, newToken, verifyPassword } from './crypto.js';
import { assertCan, roleRank, type AuthContext, type Role } from './roles.js';

/** How long the step between the password and the code may last. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Wrong codes one challenge takes before it is spent (a new one needs the password again). */
export const CHALLENGE_MAX_ATTEMPTS = 5;
export const RECOVERY_CODE_COUNT = 10;
/** One 30-second step either side, for clocks a little off. */
const TOLERANCE_SECONDS = 30;
const ISSUER = 'Leadflow';
// No 0/O, 1/I/L: recovery codes are read off paper. 10 characters of 31 = about 50 bits.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}
/** Recovery codes are compared without case, spaces or dashes. */
function normalizeRecovery(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}
const isTotpShape = (code: string) => /^\d{6}$/.test(code.replace(/\s/g, ''));

/** The TOTP time step a right code belongs to (null: wrong, or not after `afterTimeStep`). */
async function totpStep(secret: string, code: string, afterTimeStep?: number | null): Promise<number | null> {
  if (!isTotpShape(code)) return null;
  const r = await verify({
    secret,
    token: code.replace(/\s/g, ''),
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterTimeStep !== null && afterTimeStep !== undefined ? { afterTimeStep } : {}),
  });
  // otplib's result type covers HOTP too; a valid TOTP result always carries its time step.
  const step = r.valid ? (r as { timeStep?: number }).timeStep : undefined;
  return typeof step === 'number' ? step : null;
}

/** Throttle hooks the HTTP layer passes in (the service keeps no counters: they live in rate-limit.ts). */
export interface CodeGuard {
  /** Throws 429 when this person must wait before another try. */
  check(userId: number): Promise<void>;
  failed(userId: number): Promise<void>;
  succeeded(userId: number): Promise<void>;
}

/**
 * Optional TOTP two-factor sign-in per person (docs/security.md, "Two-factor sign-in"), on otplib: enrolment
 * (secret + otpauth URI + QR code), confirmation with a first code, single-use recovery codes stored hashed, the
 * sign-in challenge between the password and the code, disabling (password or code), and an admin reset.
 */
export function createTwoFactorService({
  db,
  access,
  audit,
  secrets,
}: {
  db: Kysely<Database>;
  access: AccessRepository;
  audit: AuditService;
  /** Encrypts the TOTP secrets at rest (src/lib/secret-box.ts). */
  secrets: SecretBox;
}) {
  const row = async (userId: number, trx: Kysely<Database> = db) => {
    const r = await trx
      .selectFrom('user_two_factor')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r && { ...r, secret: secrets.open(r.secret) };
  };

  function personOf(auth: AuthContext): number {
    if (auth.kind !== 'user' || !auth.userId)
      throw new AppError('forbidden', 'Two-factor sign-in belongs to a person (not an API key).');
    return auth.userId;
  }

  async function replaceRecoveryCodes(trx: Kysely<Database>, userId: number, now: string) {
    await trx.deleteFrom('two_factor_recovery_codes').where('user_id', '=', userId).execute();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await trx
      .insertInto('two_factor_recovery_codes')
      .values(
        codes.map((c) => ({
          user_id: userId,
          code_hash: hashToken(normalizeRecovery(c)),
          created_at: now,
          used_at: null,
        })),
      )
      .execute();
    return codes;
  }

  /**
   * Checks a code for a person with confirmed two-factor: a TOTP code (each time step once) or an unused
   * recovery code (then spent). Writes only when the code is right.
   */
  async function acceptCode(trx: Kysely<Database>, userId: number, code: string): Promise<boolean> {
    const tf = await row(userId, trx);
    if (!tf?.confirmed_at) return false;
    if (isTotpShape(code)) {
      const step = await totpStep(
        tf.secret,
        code,
        tf.last_time_step === null ? null : Number(tf.last_time_step),
      );
      if (step === null) return false;
      // Conditional on the step still being new: two requests with one code, only one passes.
      const upd = await trx
        .updateTable('user_two_factor')
        .set({ last_time_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_time_step', 'is', null), eb('last_time_step', '<', step)]))
        .executeTakeFirst();
      return Number(upd.numUpdatedRows) === 1;
    }
    const upd = await trx
      .updateTable('two_factor_recovery_codes')
      .set({ used_at: nowIso() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hashToken(normalizeRecovery(code)))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(upd.numUpdatedRows) === 1;
  }

  /** Password or code, for the changes a stolen session alone must not make. */
  async function assertProof(
    userId: number,
    input: { password?: string; code?: string },
    guard: CodeGuard | undefined,
    opts: TxOptions,
  ): Promise<void> {
    if (input.password === undefined && input.code === undefined)
      throw fieldError('password', 'send your password or a code from your authenticator app');
    await guard?.check(userId);
    let ok: boolean;
    if (input.password !== undefined) {
      const user = await access.findUserWithHash(runner(db, opts), userId);
      ok = !!user && (await verifyPassword(input.password, user.password_hash));
    } else {
      ok = await inTransaction(db, opts, (trx) => acceptCode(trx, userId, input.code!));
    }
    if (!ok) {
      await guard?.failed(userId);
      throw input.password !== undefined
        ? fieldError('password', 'is not your password')
        : fieldError('code', 'is not a valid code');
    }
    await guard?.succeeded(userId);
  }

  return {
    async isEnabled(userId: number, opts: TxOptions = {}): Promise<boolean> {
      return !!(await row(userId, runner(db, opts)))?.confirmed_at;
    },

    async status(auth: AuthContext) {
      const userId = personOf(auth);
      const tf = await row(userId);
      const left = tf?.confirmed_at
        ? await db
            .selectFrom('two_factor_recovery_codes')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('user_id', '=', userId)
            .where('used_at', 'is', null)
            .executeTakeFirstOrThrow()
        : { n: 0 };
      return {
        enabled: !!tf?.confirmed_at,
        pending: !!tf && !tf.confirmed_at,
        enabled_at: tf?.confirmed_at ?? null,
        recovery_codes_left: Number(left.n),
      };
    },

    /** Starts (or restarts) an enrolment: a new secret that counts only once confirmed with a code. */
    async begin(auth: AuthContext, input: { password: string }, guard?: CodeGuard, opts: TxOptions = {}) {
      const userId = personOf(auth);
      const q = runner(db, opts);
      if ((await row(userId, q))?.confirmed_at)
        throw new AppError('conflict', 'Two-factor sign-in is already on; turn it off first to change it.');
      await assertProof(userId, { password: input.password }, guard, opts);
      const user = await access.findUserById(userId, q);
      const secret = generateSecret();
      const now = nowIso();
      await inTransaction(db, opts, async (trx) => {
        await trx.deleteFrom('user_two_factor').where('user_id', '=', userId).execute();
        await trx
          .insertInto('user_two_factor')
          .values({
            user_id: userId,
            secret: secrets.seal(secret),
            created_at: now,
            confirmed_at: null,
            last_time_step: null,
          })
          .execute();
      });
      const otpauth_uri = generateURI({ issuer: ISSUER, label: user!.email, secret });
      const qr_code = await QRCode.toDataURL(otpauth_uri, { margin: 1, width: 220 });
      return { secret, otpauth_uri, qr_code };
    },

    /** The first code turns two-factor on; the recovery codes are shown this once. */
    async confirm(auth: AuthContext, input: { code: string }, guard?: CodeGuard, opts: TxOptions = {}) {
      const userId = personOf(auth);
      const tf = await row(userId, runner(db, opts));
      if (!tf) throw new AppError('conflict', 'Start the enrolment first (POST /api/v1/me/two-factor).');
      if (tf.confirmed_at) throw new AppError('conflict', 'Two-factor sign-in is already on.');
      await guard?.check(userId);
      const step = await totpStep(tf.secret, input.code);
      if (step === null) {
        await guard?.failed(userId);
        throw fieldError('code', 'is not the current code of your authenticator app');
      }
      await guard?.succeeded(userId);
      const now = nowIso();
      const codes = await inTransaction(db, opts, async (trx) => {
        await trx
          .updateTable('user_two_factor')
          .set({ confirmed_at: now, last_time_step: step })
          .where('user_id', '=', userId)
          .execute();
        const fresh = await replaceRecoveryCodes(trx, userId, now);
        await audit.record(
          auth,
          { action: 'user.two_factor_enabled', targetType: 'user', targetId: userId },
          { tx: trx },
        );
        return fresh;
      });
      return { recovery_codes: codes };
    },

    /** New recovery codes (the old ones stop working); needs the password or a code. */
    async regenerateRecoveryCodes(
      auth: AuthContext,
      input: { password?: string; code?: string },
      guard?: CodeGuard,
      opts: TxOptions = {},
    ) {
      const userId = personOf(auth);
      if (!(await row(userId, runner(db, opts)))?.confirmed_at)
        throw new AppError('conflict', 'Two-factor sign-in is off: there are no recovery codes.');
      await assertProof(userId, input, guard, opts);
      const codes = await inTransaction(db, opts, async (trx) => {
        const fresh = await replaceRecoveryCodes(trx, userId, nowIso());
        await audit.record(
          auth,
          { action: 'user.two_factor_recovery_codes', targetType: 'user', targetId: userId },
          { tx: trx },
        );
        return fresh;
      });
      return { recovery_codes: codes };
    },

    /** Turns two-factor off (or drops a pending enrolment); needs the password or a code. */
    async disable(
      auth: AuthContext,
      input: { password?: string; code?: string },
      guard?: CodeGuard,
      opts: TxOptions = {},
    ) {
      const userId = personOf(auth);
      const tf = await row(userId, runner(db, opts));
      if (!tf) throw new AppError('conflict', 'Two-factor sign-in is already off.');
      if (input.code !== undefined && !tf.confirmed_at)
        throw fieldError('code', 'use your password: the enrolment was never confirmed');
      await assertProof(userId, input, guard, opts);
      await inTransaction(db, opts, async (trx) => {
        await trx.deleteFrom('two_factor_recovery_codes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('user_two_factor').where('user_id', '=', userId).execute();
        await audit.record(
          auth,
          { action: 'user.two_factor_disabled', targetType: 'user', targetId: userId },
          { tx: trx },
        );
      });
    },

    /**
     * An admin turns off a member's two-factor (lost phone and codes). Same rules as the admin password reset:
     * only below the admin's rank (owners: anyone but themselves), and not a person another organization relies on.
     */
    async resetByAdmin(auth: AuthContext, userId: number, opts: TxOptions = {}) {
      assertCan(auth, 'users:manage');
      if (auth.kind !== 'user')
        throw new AppError('forbidden', 'Only a person can reset two-factor sign-in.');
      if (userId === auth.userId)
        throw fieldError('id', 'turn off your own two-factor sign-in in your profile');
      const q = runner(db, opts);
      const member = await access.findMembership(auth.orgId, userId, q);
      if (!member) throw new AppError('not_found', `User ${userId} was not found.`);
      const role = member.role as Role;
      if (auth.role !== 'owner' && roleRank(role) >= roleRank(auth.role))
        throw new AppError('forbidden', `A ${auth.role} cannot reset the two-factor sign-in of a ${role}.`);
      const orgs = await access.listMemberships(userId, q);
      if (orgs.some((o) => o.id !== auth.orgId))
        throw new AppError(
          'conflict',
          'This person also belongs to another organization; they must use a recovery code themselves.',
        );
      if (!(await row(userId, q))) throw new AppError('conflict', 'Two-factor sign-in is already off.');
      await inTransaction(db, opts, async (trx) => {
        await trx.deleteFrom('two_factor_recovery_codes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('user_two_factor').where('user_id', '=', userId).execute();
        await trx.deleteFrom('login_challenges').where('user_id', '=', userId).execute();
        await audit.record(
          auth,
          { action: 'user.two_factor_reset', targetType: 'user', targetId: userId },
          { tx: trx },
        );
      });
    },

    /** After a right password: the token for the code step (no session yet). */
    async startChallenge(userId: number, opts: TxOptions = {}) {
      const token = newToken('lfc');
      const now = nowIso();
      const expires_at = new Date(Date.parse(now) + CHALLENGE_TTL_MS).toISOString();
      await inTransaction(db, opts, async (trx) => {
        // Spent and expired challenges of this person go: the table holds only live ones.
        await trx
          .deleteFrom('login_challenges')
          .where('user_id', '=', userId)
          .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<=', now)]))
          .execute();
        await trx
          .insertInto('login_challenges')
          .values({
            token_hash: hashToken(token),
            user_id: userId,
            created_at: now,
            expires_at,
            used_at: null,
          })
          .execute();
      });
      return { challenge_token: token, expires_at };
    },

    /**
     * The code step: the person the challenge names, once the code is right. A wrong code counts against the
     * challenge (spent after CHALLENGE_MAX_ATTEMPTS) and the person's throttle; the challenge is single use.
     */
    async completeChallenge(
      token: string,
      code: string,
      guard?: CodeGuard,
      opts: TxOptions = {},
    ): Promise<number> {
      const expired = () =>
        new AppError(
          'unauthorized',
          'The sign-in step has expired or was used; sign in with your password again.',
        );
      const q = runner(db, opts);
      const ch = await q
        .selectFrom('login_challenges')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst();
      const now = nowIso();
      if (!ch || ch.used_at || ch.expires_at <= now || ch.attempts >= CHALLENGE_MAX_ATTEMPTS) throw expired();
      await guard?.check(ch.user_id);
      const ok = await inTransaction(db, opts, async (trx) => {
        if (!(await acceptCode(trx, ch.user_id, code))) return false;
        const used = await trx
          .updateTable('login_challenges')
          .set({ used_at: now })
          .where('id', '=', ch.id)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1) throw expired();
        return true;
      });
      if (!ok) {
        // Its own statement: a wrong code counts even though the request fails.
        await q
          .updateTable('login_challenges')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('id', '=', ch.id)
          .execute();
        await guard?.failed(ch.user_id);
        throw new AppError('unauthorized', 'The code is wrong or was already used.', [
          { field: 'code', message: 'is not a valid code' },
        ]);
      }
      await guard?.succeeded(ch.user_id);
      return ch.user_id;
    },
  };
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
