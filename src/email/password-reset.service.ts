import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction } from '../db/unit-of-work.js';
import { AppError } from '../http/errors.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { AuditService } from '../access/audit.service.js';
import { hashPassword, hashToken, newToken } from '../access/crypto.js';
import { normalizeEmail } from '../access/auth.service.js';
import type { EmailRepository } from './email.repository.js';
import type { Notifications } from './notifications.js';
import type { Outbox } from './outbox.js';
import { renderPasswordReset } from './templates.js';

const RESET_MS = 60 * 60 * 1000;
const SESSION_DAYS = 30;
/** Reset emails per account per hour; more requests are answered the same way and send nothing. */
const MAX_PER_HOUR = 5;

export interface PasswordResetDeps {
  db: Kysely<Database>;
  access: AccessRepository;
  repo: EmailRepository;
  outbox: Outbox;
  notifications: Notifications;
  audit: AuditService;
}

export const RESET_REQUESTED = {
  status: 'accepted',
  detail: 'If an account uses this email, a link to reset its password is on its way. It works for 1 hour.',
};

/** Password reset by email: a single-use token, valid 1 hour, whose use signs the account out everywhere. */
export function createPasswordResetService({
  db,
  access,
  repo,
  outbox,
  notifications,
  audit,
}: PasswordResetDeps) {
  return {
    /** Always the same answer: whether the email has an account is never revealed. */
    async request(input: { email: string }, meta: { ip?: string } = {}) {
      const email = normalizeEmail(input.email);
      const now = nowIso();
      const sent = await inTransaction(db, {}, async (trx) => {
        const user = await access.findUserByEmail(email, trx);
        if (!user) return null;
        const org = await repo.firstOrgOf(trx, user.id);
        if (!org) return null; // deactivated everywhere: they could not sign in anyway
        const since = new Date(Date.parse(now) - 3600_000).toISOString();
        if ((await repo.countRecentResets(trx, user.id, since)) >= MAX_PER_HOUR) return null;
        const token = newToken('lfr');
        await repo.insertReset(trx, {
          user_id: user.id,
          token_hash: hashToken(token),
          created_at: now,
          expires_at: new Date(Date.parse(now) + RESET_MS).toISOString(),
        });
        const { ctx } = await notifications.context(trx, org.org_id);
        await outbox.enqueue(trx, {
          orgId: org.org_id,
          template: 'password_reset',
          to: user.email,
          userId: user.id,
          related: { type: 'user', id: user.id },
          rendered: renderPasswordReset(ctx, { name: user.name, token }),
        });
        return { orgId: org.org_id, userId: user.id };
      });
      // The audit log is written after the commit (audit.record opens its own connection).
      if (sent)
        await audit.record(
          { orgId: sent.orgId, userId: sent.userId, ip: meta.ip },
          { action: 'auth.password_reset_requested', targetType: 'user', targetId: sent.userId },
        );
      return RESET_REQUESTED;
    },

    /** Sets the new password, uses the token, revokes every session of the account and opens a new one. */
    async confirm(input: { token: string; password: string }, meta: { ip?: string } = {}) {
      const passwordHash = await hashPassword(input.password);
      const now = nowIso();
      const out = await inTransaction(db, {}, async (trx) => {
        const reset = await repo.findResetByHash(trx, hashToken(input.token));
        const bad = (message: string) =>
          new AppError('unprocessable', `token: ${message}`, [{ field: 'token', message }]);
        if (!reset) throw bad('is not a valid reset link; ask for a new one');
        if (reset.used_at) throw bad('was already used (or a newer reset replaced it); ask for a new one');
        if (reset.expires_at <= now) throw bad('has expired (links work for 1 hour); ask for a new one');
        if (!(await repo.useReset(trx, reset.id, now))) throw bad('was already used; ask for a new one');
        await repo.setPassword(trx, reset.user_id, passwordHash);
        await repo.expireResets(trx, reset.user_id, now);
        await repo.revokeSessions(trx, reset.user_id, now);
        // With two-factor on, the emailed link alone opens no session: the person signs in with the new
        // password and a code (docs/security.md, "Two-factor sign-in").
        const twoFactor = await trx
          .selectFrom('user_two_factor')
          .select('confirmed_at')
          .where('user_id', '=', reset.user_id)
          .executeTakeFirst();
        const token = twoFactor?.confirmed_at ? undefined : newToken('lf');
        if (token)
          await access.insertSession(trx, {
            token_hash: hashToken(token),
            user_id: reset.user_id,
            created_at: now,
            expires_at: new Date(Date.parse(now) + SESSION_DAYS * 86400_000).toISOString(),
          });
        const org = await repo.firstOrgOf(trx, reset.user_id);
        return { token, userId: reset.user_id, orgId: org?.org_id };
      });
      if (out.orgId)
        await audit.record(
          { orgId: out.orgId, userId: out.userId, ip: meta.ip },
          { action: 'auth.password_reset', targetType: 'user', targetId: out.userId },
        );
      const user = (await access.findUserById(out.userId))!;
      return {
        ...(out.token ? { token: out.token } : {}),
        user: { id: user.id, email: user.email, name: user.name },
        organizations: await access.listMemberships(out.userId),
      };
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
