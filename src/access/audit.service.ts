import type { TxOptions } from '../db/unit-of-work.js';
import { nowIso } from '../db/dialect.js';
import { AppError } from '../http/errors.js';
import type { AuditInsert, AuditRepository } from './audit.repository.js';
import { assertCan, type AuthContext } from './roles.js';

/** Who did it when there is no AuthContext (a failed sign-in, a public form). */
export interface AuditActor {
  orgId: number;
  userId?: number | null;
  apiKeyId?: number | null;
  ip?: string | null;
}

export interface AuditEvent {
  action: string;
  targetType?: string;
  targetId?: number | string;
  details?: Record<string, unknown>;
}

export interface AuditEntryDto {
  id: number;
  action: string;
  actor: { type: 'user' | 'api_key' | 'anonymous'; user_id: number | null; api_key_id: number | null };
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  created_at: string;
}

function toRow(actor: AuditActor, e: AuditEvent, now: string): AuditInsert {
  return {
    org_id: actor.orgId,
    action: e.action,
    actor_user_id: actor.userId ?? null,
    actor_api_key_id: actor.apiKeyId ?? null,
    target_type: e.targetType ?? null,
    target_id: e.targetId === undefined ? null : String(e.targetId),
    ip: actor.ip ?? null,
    details: JSON.stringify(e.details ?? {}),
    created_at: now,
  };
}

export function actorOf(auth: AuthContext): AuditActor {
  return { orgId: auth.orgId, userId: auth.userId, apiKeyId: auth.apiKeyId ?? null, ip: auth.ip ?? null };
}

/**
 * The append-only audit log. Other features record through `record(auth, { action, ... })`:
 * exports call it with action 'leads.exported', deletions with 'lead.deleted', and so on.
 */
export function createAuditService({ audit }: { audit: AuditRepository }) {
  return {
    /** With `{ tx }` the entry is part of the change it records: rolled back with it, never written alone. */
    async record(auth: AuthContext | AuditActor, event: AuditEvent, opts: TxOptions = {}): Promise<void> {
      const actor = 'kind' in auth ? actorOf(auth) : auth;
      await audit.insert([toRow(actor, event, nowIso())], opts.tx);
    },
    /** One event in several organizations at once (a failed sign-in of a member of many). */
    async recordMany(actors: AuditActor[], event: AuditEvent, opts: TxOptions = {}): Promise<void> {
      const now = nowIso();
      await audit.insert(
        actors.map((a) => toRow(a, event, now)),
        opts.tx,
      );
    },
    async list(
      auth: AuthContext,
      q: { action?: string; actor_user_id?: number; cursor?: string; limit?: number },
    ) {
      assertCan(auth, 'audit:read');
      let beforeId: number | undefined;
      if (q.cursor !== undefined) {
        beforeId = Number(q.cursor);
        if (!Number.isInteger(beforeId) || beforeId < 1) {
          throw new AppError('validation_failed', 'cursor is not valid.', [
            { field: 'cursor', message: 'is not a cursor from this list' },
          ]);
        }
      }
      const limit = q.limit ?? 50;
      const rows = await audit.list(auth.orgId, {
        action: q.action,
        actorUserId: q.actor_user_id,
        beforeId,
        limit: limit + 1,
      });
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const data: AuditEntryDto[] = page.map((r) => ({
        id: r.id,
        action: r.action,
        actor: {
          type: r.actor_api_key_id ? 'api_key' : r.actor_user_id ? 'user' : 'anonymous',
          user_id: r.actor_user_id,
          api_key_id: r.actor_api_key_id,
        },
        target_type: r.target_type,
        target_id: r.target_id,
        ip: r.ip,
        details: JSON.parse(r.details || '{}'),
        created_at: r.created_at,
      }));
      return { data, next_cursor: more ? String(page[page.length - 1].id) : null };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
