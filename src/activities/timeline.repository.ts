import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Q = Kysely<Database>;

export const TIMELINE_TYPES = [
  'created',
  'status_change',
  'field_change',
  'follow_up',
  'task',
  'comment',
  'attachment',
] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

export interface TimelineKey {
  kind: TimelineType;
  id: number;
  at: string;
}

/** One union over everything that happens to a lead, so the timeline pages with one keyset query. */
export function createTimelineRepository(db: Q) {
  return {
    /** Newest first; ties broken by type then id, which the cursor carries too. */
    async page(
      orgId: number,
      leadId: number,
      kinds: readonly TimelineType[],
      limit: number,
      after?: TimelineKey,
    ): Promise<TimelineKey[]> {
      const parts = {
        created: sql`SELECT 'created' AS kind, id, created_at AS at FROM leads WHERE org_id = ${orgId} AND id = ${leadId}`,
        // The first history row is the creation itself.
        status_change: sql`SELECT 'status_change' AS kind, id, created_at AS at FROM status_history WHERE org_id = ${orgId} AND lead_id = ${leadId} AND from_status_id IS NOT NULL`,
        field_change: sql`SELECT 'field_change' AS kind, id, changed_at AS at FROM lead_field_changes WHERE org_id = ${orgId} AND lead_id = ${leadId}`,
        follow_up: sql`SELECT 'follow_up' AS kind, id, COALESCE(done_at, created_at) AS at FROM follow_ups WHERE org_id = ${orgId} AND lead_id = ${leadId}`,
        task: sql`SELECT 'task' AS kind, id, created_at AS at FROM tasks WHERE org_id = ${orgId} AND lead_id = ${leadId}`,
        comment: sql`SELECT 'comment' AS kind, id, created_at AS at FROM comments WHERE org_id = ${orgId} AND lead_id = ${leadId}`,
        attachment: sql`SELECT 'attachment' AS kind, id, created_at AS at FROM attachments WHERE org_id = ${orgId} AND lead_id = ${leadId}`,
      } as const;
      const union = sql.join(
        kinds.map((k) => parts[k]),
        sql` UNION ALL `,
      );
      const cond = after
        ? sql`WHERE t.at < ${after.at} OR (t.at = ${after.at} AND (t.kind < ${after.kind} OR (t.kind = ${after.kind} AND t.id < ${after.id})))`
        : sql``;
      const r =
        await sql<TimelineKey>`SELECT t.kind, t.id, t.at FROM (${union}) t ${cond} ORDER BY t.at DESC, t.kind DESC, t.id DESC LIMIT ${limit}`.execute(
          db,
        );
      return r.rows.map((x) => ({ kind: x.kind, id: Number(x.id), at: x.at }));
    },

    async fieldChanges(orgId: number, ids: number[]) {
      if (!ids.length) return [];
      return db
        .selectFrom('lead_field_changes')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },
    async followUps(orgId: number, ids: number[]) {
      if (!ids.length) return [];
      return db
        .selectFrom('follow_ups')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },
    async tasks(orgId: number, ids: number[]) {
      if (!ids.length) return [];
      return db.selectFrom('tasks').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
    },
    async comments(orgId: number, ids: number[]) {
      if (!ids.length) return [];
      return db
        .selectFrom('comments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },
    async attachments(orgId: number, ids: number[]) {
      if (!ids.length) return [];
      return db
        .selectFrom('attachments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },
  };
}

export type TimelineRepository = ReturnType<typeof createTimelineRepository>;
