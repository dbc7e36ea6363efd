import { visibleExpr } from '../leads/lead.repository.js';
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import { LEAD_COLUMNS, type LeadRow } from '../leads/lead.repository.js';
import type { AttachmentsTable, CommentsTable, FollowUpsTable, TasksTable } from './activity.tables.js';

type Q = Kysely<Database>;
export type FollowUpRow = Selectable<FollowUpsTable>;
export type TaskRow = Selectable<TasksTable>;
export type CommentRow = Selectable<CommentsTable>;
export type AttachmentRow = Selectable<AttachmentsTable>;

type ActivityTable = 'follow_ups' | 'tasks' | 'comments' | 'attachments';

/** Follow-ups, tasks, comments and attachments of leads. Every query is scoped by organization. */
export function createActivityRepository(db: Q) {
  function listFor<T extends ActivityTable>(table: T, orgId: number, leadId: number, trx: Q = db) {
    return trx
      .selectFrom(table as ActivityTable)
      .selectAll()
      .where('org_id', '=', orgId)
      .where('lead_id', '=', leadId)
      .orderBy('id')
      .execute();
  }
  function findOne<T extends ActivityTable>(
    table: T,
    orgId: number,
    leadId: number,
    id: number,
    trx: Q = db,
  ) {
    return trx
      .selectFrom(table as ActivityTable)
      .selectAll()
      .where('org_id', '=', orgId)
      .where('lead_id', '=', leadId)
      .where('id', '=', id)
      .executeTakeFirst();
  }
  async function remove(table: ActivityTable, trx: Q, orgId: number, id: number) {
    await trx.deleteFrom(table).where('org_id', '=', orgId).where('id', '=', id).execute();
  }

  return {
    // Follow-ups
    listFollowUps: (orgId: number, leadId: number, trx: Q = db) =>
      listFor('follow_ups', orgId, leadId, trx) as Promise<FollowUpRow[]>,
    /** The follow-ups of several leads in one query (batched views), oldest first per lead. */
    listFollowUpsForLeads: (orgId: number, leadIds: number[], trx: Q = db): Promise<FollowUpRow[]> =>
      leadIds.length === 0
        ? Promise.resolve([])
        : trx
            .selectFrom('follow_ups')
            .selectAll()
            .where('org_id', '=', orgId)
            .where('lead_id', 'in', [...new Set(leadIds)])
            .orderBy('lead_id')
            .orderBy('id')
            .execute(),
    findFollowUp: (orgId: number, leadId: number, id: number, trx: Q = db) =>
      findOne('follow_ups', orgId, leadId, id, trx) as Promise<FollowUpRow | undefined>,
    insertFollowUp: (trx: Q, row: Insertable<FollowUpsTable>) =>
      trx.insertInto('follow_ups').values(row).returningAll().executeTakeFirstOrThrow(),
    updateFollowUp: (trx: Q, orgId: number, id: number, set: Updateable<FollowUpsTable>) =>
      trx
        .updateTable('follow_ups')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    deleteFollowUp: (trx: Q, orgId: number, id: number) => remove('follow_ups', trx, orgId, id),

    /**
     * What the lead's follow-up columns should say: the latest done follow-up, and the earliest of the planned
     * ones and of the "next" decided during the latest done one.
     */
    async followUpSummary(
      trx: Q,
      orgId: number,
      leadId: number,
    ): Promise<{ last: string | null; next: string | null }> {
      const last = await trx
        .selectFrom('follow_ups')
        .select(['done_at', 'next_follow_up_at'])
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('done_at', 'is not', null)
        .orderBy('done_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const planned = await trx
        .selectFrom('follow_ups')
        .select((eb) => eb.fn.min('scheduled_at').as('m'))
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('done_at', 'is', null)
        .executeTakeFirst();
      return followUpColumns(last ?? null, planned?.m ?? null);
    },

    /** Several follow-ups of one lead in one statement, returned in the order given. */
    async insertFollowUps(trx: Q, rows: Array<Insertable<FollowUpsTable>>): Promise<FollowUpRow[]> {
      if (rows.length === 0) return [];
      const written = await trx.insertInto('follow_ups').values(rows).returningAll().execute();
      return written.sort((a, b) => a.id - b.id);
    },

    /** Leads whose next follow-up is due (the sales person's queue), soonest first, keyset-paged. */
    async followUpQueue(
      orgId: number,
      f: {
        dueBefore?: string;
        ownerId?: number;
        /** Only leads in these status categories (the queue is open work by default). */
        categories?: string[];
        limit: number;
        after?: { at: string; id: number };
      },
    ): Promise<LeadRow[]> {
      let q = db
        .selectFrom('leads')
        .select(LEAD_COLUMNS)
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .where('next_follow_up_at', 'is not', null);
      if (f.dueBefore) q = q.where('next_follow_up_at', '<=', f.dueBefore);
      if (f.ownerId !== undefined) q = q.where('owner_id', '=', f.ownerId);
      if (f.categories) {
        const cats = f.categories;
        q = q.where('status_id', 'in', (eb) =>
          eb
            .selectFrom('statuses')
            .select('statuses.id')
            .where('statuses.org_id', '=', orgId)
            .where('statuses.category', 'in', cats),
        );
      }
      if (f.after) {
        const { at, id } = f.after;
        q = q.where((eb) =>
          eb.or([
            eb('next_follow_up_at', '>', at),
            eb.and([eb('next_follow_up_at', '=', at), eb('id', '>', id)]),
          ]),
        );
      }
      return q.orderBy('next_follow_up_at').orderBy('id').limit(f.limit).execute();
    },

    // Tasks
    listTasks: (orgId: number, leadId: number, trx: Q = db) =>
      listFor('tasks', orgId, leadId, trx) as Promise<TaskRow[]>,
    findTask: (orgId: number, leadId: number, id: number, trx: Q = db) =>
      findOne('tasks', orgId, leadId, id, trx) as Promise<TaskRow | undefined>,
    insertTask: (trx: Q, row: Insertable<TasksTable>) =>
      trx.insertInto('tasks').values(row).returningAll().executeTakeFirstOrThrow(),
    updateTask: (trx: Q, orgId: number, id: number, set: Updateable<TasksTable>) =>
      trx
        .updateTable('tasks')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    deleteTask: (trx: Q, orgId: number, id: number) => remove('tasks', trx, orgId, id),
    /** Open tasks across leads (someone's agenda), by due date, keyset-paged. */
    async taskQueue(
      orgId: number,
      f: { assigneeId?: number; done?: boolean; dueBefore?: string; limit: number; afterId?: number },
    ) {
      let q = db
        .selectFrom('tasks')
        .leftJoin('leads', (j) =>
          j
            .onRef('leads.id', '=', 'tasks.lead_id')
            .on('leads.org_id', '=', orgId)
            .on('leads.deleted_at', 'is', null),
        )
        .selectAll('tasks')
        .where('tasks.org_id', '=', orgId)
        // Tasks of a live lead, and tasks of no lead (migration 0084).
        .where((eb) => eb.or([eb('tasks.lead_id', 'is', null), eb('leads.id', 'is not', null)]));
      if (f.assigneeId !== undefined) q = q.where('tasks.assignee_id', '=', f.assigneeId);
      if (f.done !== undefined) q = q.where('tasks.done_at', f.done ? 'is not' : 'is', null);
      if (f.dueBefore) q = q.where('tasks.due_at', '<=', f.dueBefore);
      if (f.afterId !== undefined) q = q.where('tasks.id', '>', f.afterId);
      return q.orderBy('tasks.id').limit(f.limit).execute();
    },

    // Comments
    listComments: (orgId: number, leadId: number, trx: Q = db) =>
      listFor('comments', orgId, leadId, trx) as Promise<CommentRow[]>,
    findComment: (orgId: number, leadId: number, id: number, trx: Q = db) =>
      findOne('comments', orgId, leadId, id, trx) as Promise<CommentRow | undefined>,
    insertComment: (trx: Q, row: Insertable<CommentsTable>) =>
      trx.insertInto('comments').values(row).returningAll().executeTakeFirstOrThrow(),
    updateComment: (trx: Q, orgId: number, id: number, set: Updateable<CommentsTable>) =>
      trx
        .updateTable('comments')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    deleteComment: (trx: Q, orgId: number, id: number) => remove('comments', trx, orgId, id),

    // Attachments
    listAttachments: (orgId: number, leadId: number, trx: Q = db) =>
      listFor('attachments', orgId, leadId, trx) as Promise<AttachmentRow[]>,
    findAttachment: (orgId: number, leadId: number, id: number, trx: Q = db) =>
      findOne('attachments', orgId, leadId, id, trx) as Promise<AttachmentRow | undefined>,
    insertAttachment: (trx: Q, row: Insertable<AttachmentsTable>) =>
      trx.insertInto('attachments').values(row).returningAll().executeTakeFirstOrThrow(),
    deleteAttachment: (trx: Q, orgId: number, id: number) => remove('attachments', trx, orgId, id),

    /** Tags in use on live leads, most used first. */
    /** `visibleTo`: only the leads this agent sees (src/access/policy.ts); undefined: every lead. */
    async tagCounts(
      orgId: number,
      visibleTo: number | undefined,
    ): Promise<Array<{ tag: string; count: number }>> {
      let q = db
        .selectFrom('lead_tags')
        .innerJoin('leads', (j) =>
          j
            .onRef('leads.id', '=', 'lead_tags.lead_id')
            .on('leads.org_id', '=', orgId)
            .on('leads.deleted_at', 'is', null),
        )
        .select(['lead_tags.tag', sql<number>`count(*)`.as('n')])
        .where('lead_tags.org_id', '=', orgId);
      if (visibleTo !== undefined) {
        const u = visibleTo;
        q = q.where((eb) => visibleExpr(eb as never, orgId, u));
      }
      const rows = await q
        .groupBy('lead_tags.tag')
        .orderBy(sql`count(*)`, 'desc')
        .orderBy('lead_tags.tag')
        .execute();
      return rows.map((r) => ({ tag: r.tag, count: Number(r.n) }));
    },
  };
}

export type ActivityRepository = ReturnType<typeof createActivityRepository>;

/** A lead's follow-up columns: the last follow-up done, and the sooner of what is planned and what it set next. */
function followUpColumns(
  last: { done_at: string | null; next_follow_up_at: string | null } | null,
  planned: string | null,
): { last: string | null; next: string | null } {
  const candidates = [planned, last?.next_follow_up_at ?? null].filter((x): x is string => x !== null).sort();
  return { last: last?.done_at ?? null, next: candidates[0] ?? null };
}

/**
 * `followUpSummary` computed from the follow-ups themselves (in order of writing), for a lead whose follow-ups
 * are all at hand: a new lead and the follow-ups it is created with.
 */
export function summarizeFollowUps(
  rows: Array<{ scheduled_at: string | null; done_at: string | null; next_follow_up_at: string | null }>,
): { last: string | null; next: string | null } {
  let last: (typeof rows)[number] | null = null;
  let planned: string | null = null;
  for (const r of rows) {
    // The latest done_at wins; on a tie the later row (the higher id, as the SQL orders).
    if (r.done_at !== null) {
      if (last === null || r.done_at >= last.done_at!) last = r;
    } else if (r.scheduled_at !== null && (planned === null || r.scheduled_at < planned))
      planned = r.scheduled_at;
  }
  return followUpColumns(last, planned);
}
