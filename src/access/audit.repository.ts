import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Q = Kysely<Database>;

export interface AuditInsert {
  org_id: number;
  action: string;
  actor_user_id: number | null;
  actor_api_key_id: number | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: string;
  created_at: string;
}

export interface AuditFilter {
  action?: string;
  actorUserId?: number;
  beforeId?: number;
  limit: number;
}

/** The audit log (append-only) and the idempotency store. */
export function createAuditRepository(db: Q) {
  return {
    async insert(rows: AuditInsert[], trx: Q = db) {
      if (rows.length) await trx.insertInto('audit_log').values(rows).execute();
    },
    async list(orgId: number, f: AuditFilter) {
      let q = db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
      if (f.action !== undefined) q = q.where('action', '=', f.action);
      if (f.actorUserId !== undefined) q = q.where('actor_user_id', '=', f.actorUserId);
      if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
      return q.orderBy('id', 'desc').limit(f.limit).execute();
    },

    async findIdempotency(orgId: number, principal: string, key: string) {
      return db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('principal', '=', principal)
        .where('key', '=', key)
        .executeTakeFirst();
    },
    /** Claims a key for a first request; false when another request holds it already. */
    async claimIdempotency(row: {
      org_id: number;
      principal: string;
      key: string;
      request_hash: string;
      created_at: string;
      expires_at: string;
    }): Promise<boolean> {
      const r = await db
        .insertInto('idempotency_keys')
        .values({ ...row, status_code: null, response_body: null, response_headers: null })
        .onConflict((oc) => oc.columns(['org_id', 'principal', 'key']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async completeIdempotency(
      orgId: number,
      principal: string,
      key: string,
      statusCode: number,
      body: string,
      headers: string,
    ) {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: statusCode, response_body: body, response_headers: headers })
        .where('org_id', '=', orgId)
        .where('principal', '=', principal)
        .where('key', '=', key)
        .execute();
    },
    async releaseIdempotency(orgId: number, principal: string, key: string) {
      await db
        .deleteFrom('idempotency_keys')
        .where('org_id', '=', orgId)
        .where('principal', '=', principal)
        .where('key', '=', key)
        .execute();
    },
    async purgeExpiredIdempotency(orgId: number, now: string) {
      await db
        .deleteFrom('idempotency_keys')
        .where('org_id', '=', orgId)
        .where('expires_at', '<=', now)
        .execute();
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
