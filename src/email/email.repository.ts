import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EmailsTable } from './email.tables.js';

type Q = Kysely<Database>;
export type EmailRow = Selectable<EmailsTable>;

/** All SQL of the email feature. Every function takes the connection to use (the caller's transaction or db). */
export function createEmailRepository() {
  return {
    async insertEmail(
      trx: Q,
      e: Omit<EmailRow, 'id' | 'attempts' | 'last_error' | 'message_id' | 'sent_at' | 'status'>,
    ): Promise<number> {
      const r = await trx
        .insertInto('emails')
        .values({ ...e, status: 'queued', attempts: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    findEmail(q: Q, orgId: number, id: number) {
      return q
        .selectFrom('emails')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async updateEmail(q: Q, orgId: number, id: number, set: Partial<Omit<EmailRow, 'id' | 'org_id'>>) {
      await q.updateTable('emails').set(set).where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    /** The latest message about each of `ids` (e.g. invitations), for "sent" / "not delivered yet". */
    async latestFor(q: Q, orgId: number, relatedType: string, ids: number[]) {
      if (ids.length === 0) return new Map<number, EmailRow>();
      const rows = await q
        .selectFrom('emails')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('related_type', '=', relatedType)
        .where('related_id', 'in', ids)
        .orderBy('id')
        .execute();
      return new Map(rows.map((r) => [r.related_id!, r]));
    },
    listEmails(q: Q, orgId: number, opts: { status?: string; limit: number }) {
      let s = q
        .selectFrom('emails')
        .select([
          'id',
          'template',
          'to_address',
          'subject',
          'status',
          'attempts',
          'last_error',
          'related_type',
          'related_id',
          'created_at',
          'sent_at',
        ])
        .where('org_id', '=', orgId);
      if (opts.status) s = s.where('status', '=', opts.status);
      return s.orderBy('id', 'desc').limit(opts.limit).execute();
    },

    /** What every email of an organization is written with: its name, language and time zone. */
    async orgContext(q: Q, orgId: number) {
      return q
        .selectFrom('organizations as o')
        .leftJoin('email_settings as s', 's.org_id', 'o.id')
        .select(['o.id', 'o.name', 'o.time_zone', 's.language', 's.web_lead_recipient'])
        .where('o.id', '=', orgId)
        .executeTakeFirst();
    },
    async upsertSettings(
      q: Q,
      orgId: number,
      s: { language: string | null; web_lead_recipient: string | null; updated_at: string },
    ) {
      await q
        .insertInto('email_settings')
        .values({ org_id: orgId, ...s })
        .onConflict((oc) => oc.column('org_id').doUpdateSet(s))
        .execute();
    },

    /** An active member's address and name; undefined for a deactivated or unknown member. */
    activeMember(q: Q, orgId: number, userId: number) {
      return q
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.email', 'u.name', 'm.role'])
        .where('m.org_id', '=', orgId)
        .where('m.user_id', '=', userId)
        .where('m.deactivated_at', 'is', null)
        .executeTakeFirst();
    },
    firstOwner(q: Q, orgId: number) {
      return q
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.email', 'u.name'])
        .where('m.org_id', '=', orgId)
        .where('m.role', '=', 'owner')
        .where('m.deactivated_at', 'is', null)
        .orderBy('m.created_at')
        .executeTakeFirst();
    },
    /** The organization a user-level email (password reset) is written for: their oldest active membership. */
    firstOrgOf(q: Q, userId: number) {
      return q
        .selectFrom('memberships')
        .select('org_id')
        .where('user_id', '=', userId)
        .where('deactivated_at', 'is', null)
        .orderBy('created_at')
        .executeTakeFirst();
    },

    async preferences(q: Q, orgId: number, userId: number): Promise<Map<string, boolean>> {
      const rows = await q
        .selectFrom('notification_preferences')
        .select(['kind', 'enabled'])
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .execute();
      return new Map(rows.map((r) => [r.kind, r.enabled === 1]));
    },
    async setPreference(q: Q, orgId: number, userId: number, kind: string, enabled: boolean, now: string) {
      await q
        .insertInto('notification_preferences')
        .values({ org_id: orgId, user_id: userId, kind, enabled: enabled ? 1 : 0, updated_at: now })
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'user_id', 'kind'])
            .doUpdateSet({ enabled: enabled ? 1 : 0, updated_at: now }),
        )
        .execute();
    },

    lead(q: Q, orgId: number, id: number) {
      return q
        .selectFrom('leads')
        .select(['id', 'first_name', 'last_name', 'company_name', 'email', 'owner_id'])
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    importRow(q: Q, orgId: number, id: number) {
      return q
        .selectFrom('imports')
        .select([
          'id',
          'created_by',
          'status',
          'file_name',
          'dry_run',
          'rows_created',
          'rows_updated',
          'rows_failed',
        ])
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    // Password resets -------------------------------------------------------------------------------------
    async insertReset(
      q: Q,
      r: { user_id: number; token_hash: string; created_at: string; expires_at: string },
    ) {
      await q.insertInto('password_resets').values(r).execute();
    },
    findResetByHash(q: Q, tokenHash: string) {
      return q
        .selectFrom('password_resets')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    /** Uses a reset token once: false if another request used it first. */
    async useReset(q: Q, id: number, now: string): Promise<boolean> {
      const r = await q
        .updateTable('password_resets')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Earlier unused tokens of the user stop working: only the newest link (or none, after a reset) is valid. */
    async expireResets(q: Q, userId: number, now: string) {
      await q
        .updateTable('password_resets')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute();
    },
    async countRecentResets(q: Q, userId: number, since: string): Promise<number> {
      const r = await q
        .selectFrom('password_resets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('created_at', '>', since)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async setPassword(q: Q, userId: number, passwordHash: string) {
      await q.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
    },
    async revokeSessions(q: Q, userId: number, now: string) {
      await q
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },

    // Invitations (resend: a new token, since only the hash of the old one is kept) --------------------------
    async rotateInvitation(
      q: Q,
      orgId: number,
      id: number,
      tokenHash: string,
      expiresAt: string,
      now: string,
    ) {
      const r = await q
        .updateTable('invitations')
        .set({ token_hash: tokenHash, expires_at: expiresAt })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      void now;
      return Number(r.numUpdatedRows) === 1;
    },
    findInvitation(q: Q, orgId: number, id: number) {
      return q
        .selectFrom('invitations')
        .select(['id', 'email', 'role', 'invited_by', 'expires_at', 'accepted_at', 'revoked_at'])
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    // Daily digest -----------------------------------------------------------------------------------------
    organizations(q: Q) {
      return q.selectFrom('organizations').select(['id', 'time_zone']).orderBy('id').execute();
    },
    /** Records that the digest of `localDate` is queued; false when another run (or process) did it already. */
    async claimDigest(q: Q, orgId: number, localDate: string, now: string): Promise<boolean> {
      const r = await q
        .insertInto('digest_runs')
        .values({ org_id: orgId, local_date: localDate, created_at: now })
        .onConflict((oc) => oc.columns(['org_id', 'local_date']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    /** Open follow-ups and tasks due in [from, to), with whom each is for: assignee, else the lead's owner. */
    async dueBetween(q: Q, orgId: number, from: string, to: string) {
      const followUps = await q
        .selectFrom('follow_ups as f')
        .innerJoin('leads as l', (j) => j.onRef('l.id', '=', 'f.lead_id').onRef('l.org_id', '=', 'f.org_id'))
        .select([
          'f.id',
          'f.scheduled_at as at',
          'f.notes as title',
          'l.id as lead_id',
          'l.first_name',
          'l.last_name',
          'l.company_name',
          'l.email',
          sql<number | null>`coalesce(l.owner_id, f.created_by)`.as('user_id'),
        ])
        .where('f.org_id', '=', orgId)
        .where('f.done_at', 'is', null)
        .where('f.scheduled_at', '>=', from)
        .where('f.scheduled_at', '<', to)
        .where('l.deleted_at', 'is', null)
        .execute();
      const tasks = await q
        .selectFrom('tasks as t')
        .innerJoin('leads as l', (j) => j.onRef('l.id', '=', 't.lead_id').onRef('l.org_id', '=', 't.org_id'))
        .select([
          't.id',
          't.due_at as at',
          't.title',
          'l.id as lead_id',
          'l.first_name',
          'l.last_name',
          'l.company_name',
          'l.email',
          sql<number | null>`coalesce(t.assignee_id, l.owner_id)`.as('user_id'),
        ])
        .where('t.org_id', '=', orgId)
        .where('t.done_at', 'is', null)
        .where('t.due_at', '>=', from)
        .where('t.due_at', '<', to)
        .where('l.deleted_at', 'is', null)
        .execute();
      return [
        ...followUps.map((r) => ({ ...r, kind: 'follow_up' as const })),
        ...tasks.map((r) => ({ ...r, kind: 'task' as const })),
      ];
    },
  };
}

export type EmailRepository = ReturnType<typeof createEmailRepository>;
