import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import type { EmailRepository } from './email.repository.js';
import type { Outbox } from './outbox.js';
import { toLanguage } from './i18n.js';
import {
  renderImportFinished,
  renderInvitation,
  renderLeadAssigned,
  renderWebLead,
  type Ctx,
} from './templates.js';

type Q = Kysely<Database>;

/** Notifications a member can turn off; invitations and password resets always go. */
export const NOTIFICATION_KINDS = ['lead_assigned', 'daily_digest', 'web_lead', 'import_finished'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function leadName(l: {
  id: number;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  email: string | null;
}): string {
  const person = [l.first_name, l.last_name].filter(Boolean).join(' ');
  return person || l.company_name || l.email || `#${l.id}`;
}

export interface NotificationDeps {
  repo: EmailRepository;
  outbox: Outbox;
  baseUrl: string;
}

export function createNotifications({ repo, outbox, baseUrl }: NotificationDeps) {
  async function context(q: Q, orgId: number) {
    const o = await repo.orgContext(q, orgId);
    const ctx: Ctx = { lang: toLanguage(o?.language), timeZone: o?.time_zone || 'UTC', baseUrl };
    return { ctx, org: o };
  }

  async function wants(q: Q, orgId: number, userId: number, kind: NotificationKind) {
    return (await repo.preferences(q, orgId, userId)).get(kind) ?? true;
  }

  return {
    context,

    /** In the invitation's transaction: the email exists exactly when the invitation does. */
    async invitationCreated(
      trx: Q,
      orgId: number,
      inv: { id: number; email: string; role: string; invited_by: number | null; expires_at: string },
      token: string,
    ) {
      const { ctx, org } = await context(trx, orgId);
      const inviter = inv.invited_by ? await repo.activeMember(trx, orgId, inv.invited_by) : undefined;
      await outbox.enqueue(trx, {
        orgId,
        template: 'invitation',
        to: inv.email,
        related: { type: 'invitation', id: inv.id },
        rendered: renderInvitation(ctx, {
          org: org?.name ?? '',
          inviter: inviter?.name ?? null,
          role: inv.role,
          token,
          expiresAt: inv.expires_at,
        }),
      });
    },

    /** In the lead's transaction, after its owner changed: tells the new owner, unless they did it themselves. */
    async leadAssigned(
      trx: Q,
      orgId: number,
      lead: {
        id: number;
        owner_id: number | null;
        first_name: string | null;
        last_name: string | null;
        company_name: string | null;
        email: string | null;
      },
      byUserId: number | null,
    ) {
      if (lead.owner_id === null || lead.owner_id === byUserId) return;
      const owner = await repo.activeMember(trx, orgId, lead.owner_id);
      if (!owner || !(await wants(trx, orgId, owner.id, 'lead_assigned'))) return;
      const by = byUserId ? await repo.activeMember(trx, orgId, byUserId) : undefined;
      const { ctx } = await context(trx, orgId);
      await outbox.enqueue(trx, {
        orgId,
        template: 'lead_assigned',
        to: owner.email,
        userId: owner.id,
        related: { type: 'lead', id: lead.id },
        rendered: renderLeadAssigned(ctx, {
          name: owner.name,
          lead: leadName(lead),
          leadId: lead.id,
          by: by?.name ?? null,
        }),
      });
    },

    /** A web-to-lead submission: to the organization's chosen address, else the key's creator, else the owner. */
    async webLeadReceived(
      trx: Q,
      orgId: number,
      key: { name: string; created_by: number | null },
      leadId: number,
    ) {
      const { ctx, org } = await context(trx, orgId);
      const lead = await repo.lead(trx, orgId, leadId);
      if (!lead) return;
      let to: string | undefined = org?.web_lead_recipient ?? undefined;
      let userId: number | null = null;
      if (!to) {
        const person =
          (key.created_by ? await repo.activeMember(trx, orgId, key.created_by) : undefined) ??
          (await repo.firstOwner(trx, orgId));
        if (!person || !(await wants(trx, orgId, person.id, 'web_lead'))) return;
        to = person.email;
        userId = person.id;
      }
      await outbox.enqueue(trx, {
        orgId,
        template: 'web_lead',
        to,
        userId,
        related: { type: 'lead', id: leadId },
        rendered: renderWebLead(ctx, { lead: leadName(lead), leadId, form: key.name }),
      });
    },

    /** In the transaction that marks the import finished: tells whoever started it. */
    async importFinished(trx: Q, orgId: number, importId: number) {
      const imp = await repo.importRow(trx, orgId, importId);
      if (!imp || imp.created_by === null || imp.dry_run === 1) return;
      const person = await repo.activeMember(trx, orgId, imp.created_by);
      if (!person || !(await wants(trx, orgId, person.id, 'import_finished'))) return;
      const { ctx } = await context(trx, orgId);
      await outbox.enqueue(trx, {
        orgId,
        template: 'import_finished',
        to: person.email,
        userId: person.id,
        related: { type: 'import', id: imp.id },
        rendered: renderImportFinished(ctx, {
          name: person.name,
          file: imp.file_name,
          failed: imp.status === 'failed',
          created: imp.rows_created,
          updated: imp.rows_updated,
          rejected: imp.rows_failed,
        }),
      });
    },

    async preferences(q: Q, orgId: number, userId: number) {
      const set = await repo.preferences(q, orgId, userId);
      return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, set.get(k) ?? true])) as Record<
        NotificationKind,
        boolean
      >;
    },

    async setPreferences(
      trx: Q,
      orgId: number,
      userId: number,
      input: Partial<Record<NotificationKind, boolean>>,
    ) {
      const now = nowIso();
      for (const k of NOTIFICATION_KINDS)
        if (input[k] !== undefined) await repo.setPreference(trx, orgId, userId, k, input[k]!, now);
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
