import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError } from '../http/errors.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import type { AccessRepository } from './access.repository.js';
import type { AuditService } from './audit.service.js';
import { hashPassword, verifyPassword } from './crypto.js';
import { assertCan, roleRank, type AuthContext, type Role } from './roles.js';

/**
 * Password change by the user (current password required; every other session ends) and password reset by an
 * admin for a member, for installations where no email is configured (docs/security.md, "Passwords").
 */
export function createPasswordService({
  db,
  access,
  audit,
}: {
  db: Kysely<Database>;
  access: AccessRepository;
  audit: AuditService;
}) {
  return {
    async change(
      auth: AuthContext,
      input: { current_password: string; new_password: string },
      opts: TxOptions = {},
    ) {
      if (auth.kind !== 'user' || !auth.userId)
        throw new AppError('forbidden', 'Only a signed-in person can change a password (not an API key).');
      const hash = await hashPassword(input.new_password);
      return inTransaction(db, opts, async (trx) => {
        const user = await access.findUserWithHash(trx, auth.userId!);
        if (!user || !(await verifyPassword(input.current_password, user.password_hash)))
          throw fieldError('current_password', 'is not your current password');
        if (input.current_password === input.new_password)
          throw fieldError('new_password', 'must differ from the current password');
        await access.updatePasswordHash(trx, user.id, hash);
        const ended = await access.revokeSessionsOfUser(trx, user.id, nowIso(), auth.sessionId);
        await audit.record(
          auth,
          {
            action: 'user.password_changed',
            targetType: 'user',
            targetId: auth.userId!,
            details: { sessions_ended: ended },
          },
          { tx: trx },
        );
        return { sessions_ended: ended };
      });
    },

    /**
     * An admin sets a new password for a member ranked below them (owners: anyone but themselves). A person who
     * also belongs to another organization is refused: one organization's admin must not take over an account
     * another organization relies on. Every session of the member ends.
     */
    async resetByAdmin(
      auth: AuthContext,
      userId: number,
      input: { new_password: string },
      opts: TxOptions = {},
    ) {
      assertCan(auth, 'users:manage');
      if (auth.kind !== 'user') throw new AppError('forbidden', 'Only a person can reset a password.');
      if (userId === auth.userId)
        throw fieldError('id', 'use POST /api/v1/me/password to change your own password');
      const q = runner(db, opts);
      const member = await access.findMembership(auth.orgId, userId, q);
      if (!member) throw new AppError('not_found', `User ${userId} was not found.`);
      const role = member.role as Role;
      if (auth.role !== 'owner' && roleRank(role) >= roleRank(auth.role))
        throw new AppError('forbidden', `A ${auth.role} cannot reset the password of a ${role}.`);
      const orgs = await access.listMemberships(userId, q);
      if (orgs.some((o) => o.id !== auth.orgId))
        throw new AppError(
          'conflict',
          'This person also belongs to another organization; they must reset their password themselves.',
        );
      const hash = await hashPassword(input.new_password);
      return inTransaction(db, opts, async (trx) => {
        await access.updatePasswordHash(trx, userId, hash);
        const ended = await access.revokeSessionsOfUser(trx, userId, nowIso());
        await audit.record(
          auth,
          {
            action: 'user.password_reset',
            targetType: 'user',
            targetId: userId,
            details: { sessions_ended: ended },
          },
          { tx: trx },
        );
        return { sessions_ended: ended };
      });
    },
  };
}

export type PasswordService = ReturnType<typeof createPasswordService>;
