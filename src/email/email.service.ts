import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { AuditService } from '../access/audit.service.js';
import { hashToken, newToken } from '../access/crypto.js';
import type { EmailRepository, EmailRow } from './email.repository.js';
import type { Notifications, NotificationKind } from './notifications.js';
import { LANGUAGES } from './i18n.js';

const INVITATION_DAYS = 7;

/** What an admin sees of a message about something (an invitation): never its body. */
export function toDeliveryDto(e: EmailRow | undefined) {
  if (!e) return null;
  return {
    email_id: e.id,
    status: e.status as 'queued' | 'sent' | 'failed',
    attempts: e.attempts,
    last_error: e.last_error,
    sent_at: e.sent_at,
  };
}

export interface EmailServiceDeps {
  db: Kysely<Database>;
  repo: EmailRepository;
  notifications: Notifications;
  audit: AuditService;
  transportKind: 'smtp' | 'file';
}

/** The settings, preferences, outbox and invitation-resend endpoints of the email feature. */
export function createEmailService({ db, repo, notifications, audit, transportKind }: EmailServiceDeps) {
  function requireUser(auth: AuthContext): number {
    if (!auth.userId)
      throw new AppError('forbidden', 'Notification preferences belong to a person; sign in as a user.');
    return auth.userId;
  }

  return {
    async getPreferences(auth: AuthContext) {
      const userId = requireUser(auth);
      return notifications.preferences(db, auth.orgId, userId);
    },
    async setPreferences(auth: AuthContext, input: Partial<Record<NotificationKind, boolean>>) {
      const userId = requireUser(auth);
      return inTransaction(db, {}, async (trx) => {
        await notifications.setPreferences(trx, auth.orgId, userId, input);
        return notifications.preferences(trx, auth.orgId, userId);
      });
    },

    async getSettings(auth: AuthContext) {
      assertCan(auth, 'settings:read');
      const o = await repo.orgContext(db, auth.orgId);
      return {
        language: o?.language ?? null,
        web_lead_recipient: o?.web_lead_recipient ?? null,
        time_zone: o?.time_zone ?? null,
        delivery: transportKind,
        languages: [...LANGUAGES],
      };
    },
    async setSettings(
      auth: AuthContext,
      input: { language?: string | null; web_lead_recipient?: string | null },
    ) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, {}, async (trx) => {
        const o = await repo.orgContext(trx, auth.orgId);
        await repo.upsertSettings(trx, auth.orgId, {
          language: input.language !== undefined ? input.language : (o?.language ?? null),
          web_lead_recipient:
            input.web_lead_recipient !== undefined
              ? (input.web_lead_recipient?.trim().toLowerCase() ?? null)
              : (o?.web_lead_recipient ?? null),
          updated_at: nowIso(),
        });
      });
      return this.getSettings(auth);
    },

    async listOutbox(auth: AuthContext, q: { status?: string; limit?: number }) {
      assertCan(auth, 'users:manage');
      return { data: await repo.listEmails(db, auth.orgId, { status: q.status, limit: q.limit ?? 50 }) };
    },

    /** Delivery of the latest email of each invitation, for the invitations list. */
    async invitationDelivery(orgId: number, ids: number[], opts: TxOptions = {}) {
      const map = await repo.latestFor(runner(db, opts), orgId, 'invitation', ids);
      return new Map(ids.map((id) => [id, toDeliveryDto(map.get(id))]));
    },

    /**
     * Sends a pending invitation again. Only the hash of its token is kept, so it gets a new token (the old link
     * stops working) and a new expiry.
     */
    async resendInvitation(auth: AuthContext, id: number) {
      assertCan(auth, 'users:manage');
      const now = nowIso();
      const token = newToken('lfi');
      const expires = new Date(Date.parse(now) + INVITATION_DAYS * 86400_000).toISOString();
      await inTransaction(db, {}, async (trx) => {
        const inv = await repo.findInvitation(trx, auth.orgId, id);
        if (!inv) throw notFound('Invitation', id);
        if (inv.accepted_at || inv.revoked_at)
          throw new AppError(
            'conflict',
            `Invitation ${id} was already ${inv.accepted_at ? 'accepted' : 'revoked'}; invite again instead.`,
          );
        if (!(await repo.rotateInvitation(trx, auth.orgId, id, hashToken(token), expires, now)))
          throw new AppError('conflict', `Invitation ${id} changed at the same time; try again.`);
        await notifications.invitationCreated(
          trx,
          auth.orgId,
          {
            id,
            email: inv.email,
            role: inv.role,
            invited_by: auth.userId ?? inv.invited_by,
            expires_at: expires,
          },
          token,
        );
      });
      await audit.record(auth, { action: 'invitation.resent', targetType: 'invitation', targetId: id });
      return {
        id,
        expires_at: expires,
        token,
        accept_path: `/api/v1/invitations/${token}/accept`,
        delivery: (await this.invitationDelivery(auth.orgId, [id])).get(id)!,
      };
    },
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
