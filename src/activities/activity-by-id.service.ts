import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { notFound } from '../http/errors.js';
import { assertCan, seesOnlyOwnLeads, type AuthContext } from '../access/roles.js';
import type { ActivityRepository, CommentRow, TaskRow } from './activity.repository.js';
import type { LeadGuard } from './lead-access.js';
import {
  toCommentResponse,
  toTaskResponse,
  type CommentDto,
  type CommentLinks,
  type TaskDto,
  type TaskInput,
  type TaskService,
} from './task.service.js';
import { toFollowUpResponse, type FollowUpDto } from './follow-up.service.js';
import type { FollowUpRow } from './activity.repository.js';

export interface ActivityByIdDeps {
  db: Kysely<Database>;
  activities: ActivityRepository;
  tasks: TaskService;
  guard: LeadGuard;
}

/**
 * Every activity by its own id, without its lead's id (seed 004's comment/{id}), and tasks and events of no
 * lead. A lead's activity keeps the lead's rules (the guard: 404 unless the caller sees the lead); a task of no
 * lead is the organization's, and an agent reaches only those assigned to them or that they created.
 */
export function createActivityByIdService({ db, activities, tasks, guard }: ActivityByIdDeps) {
  function find(
    table: 'tasks' | 'comments' | 'follow_ups' | 'attachments',
    orgId: number,
    id: number,
    trx: Kysely<Database>,
  ) {
    const q = trx
      .selectFrom(table as 'tasks')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id);
    return q.executeTakeFirst() as Promise<unknown>;
  }

  async function loadTask(
    auth: AuthContext,
    id: number,
    mode: 'read' | 'write',
    trx: Kysely<Database>,
  ): Promise<TaskRow> {
    const t = (await find('tasks', auth.orgId, id, trx)) as TaskRow | undefined;
    if (!t) throw notFound('Task', id);
    if (t.lead_id !== null) await guard(auth, t.lead_id, mode);
    else {
      assertCan(auth, mode === 'read' ? 'leads:read' : 'leads:write');
      if (seesOnlyOwnLeads(auth) && t.assignee_id !== auth.userId && t.created_by !== auth.userId)
        throw notFound('Task', id);
    }
    return t;
  }

  return {
    async createTask(
      auth: AuthContext,
      input: TaskInput & { title: string; lead_id?: number | null },
      opts: TxOptions = {},
    ): Promise<TaskDto> {
      const { lead_id, ...rest } = input;
      if (lead_id != null) return tasks.createTask(auth, lead_id, rest, opts);
      assertCan(auth, 'leads:write');
      const cols = await tasks.taskColumns(auth.orgId, rest, null, runner(db, opts));
      return inTransaction(db, opts, async (trx) => {
        const now = nowIso();
        const row = await activities.insertTask(trx, {
          org_id: auth.orgId,
          lead_id: null,
          type: rest.type ?? 'todo',
          title: rest.title,
          description: rest.description ?? null,
          due_at: cols.due_at ?? null,
          start_at: cols.start_at,
          end_at: cols.end_at,
          // An agent's own task is theirs unless they give it to someone: otherwise they could not see it.
          assignee_id: rest.assignee_id ?? (seesOnlyOwnLeads(auth) ? auth.userId : null),
          done_at: cols.done_at,
          priority: cols.priority ?? null,
          canceled: cols.canceled ?? 0,
          confirmed: cols.confirmed ?? 0,
          no_show: cols.no_show ?? 0,
          created_by: auth.userId,
          created_at: now,
          updated_at: now,
        });
        return toTaskResponse(row);
      });
    },

    async getTask(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<TaskDto> {
      return toTaskResponse(await loadTask(auth, id, 'read', runner(db, opts)));
    },

    async updateTask(
      auth: AuthContext,
      id: number,
      input: TaskInput,
      opts: TxOptions = {},
    ): Promise<TaskDto> {
      const t = await loadTask(auth, id, 'write', runner(db, opts));
      if (t.lead_id !== null) return tasks.updateTask(auth, t.lead_id, id, input, opts);
      const cols = await tasks.taskColumns(auth.orgId, input, t, runner(db, opts));
      return inTransaction(db, opts, async (trx) =>
        toTaskResponse(await activities.updateTask(trx, auth.orgId, id, { ...cols, updated_at: nowIso() })),
      );
    },

    async deleteTask(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<void> {
      const t = await loadTask(auth, id, 'write', runner(db, opts));
      if (t.lead_id !== null) return tasks.deleteTask(auth, t.lead_id, id);
      await inTransaction(db, opts, (trx) => activities.deleteTask(trx, auth.orgId, id));
    },

    async getComment(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<CommentDto> {
      const c = (await find('comments', auth.orgId, id, runner(db, opts))) as CommentRow | undefined;
      if (!c) throw notFound('Comment', id);
      await guard(auth, c.lead_id, 'read');
      return toCommentResponse(c);
    },
    async updateComment(
      auth: AuthContext,
      id: number,
      body: string,
      links: CommentLinks,
    ): Promise<CommentDto> {
      const c = (await find('comments', auth.orgId, id, db)) as CommentRow | undefined;
      if (!c) throw notFound('Comment', id);
      return tasks.editComment(auth, c.lead_id, id, body, links);
    },
    async deleteComment(auth: AuthContext, id: number): Promise<void> {
      const c = (await find('comments', auth.orgId, id, db)) as CommentRow | undefined;
      if (!c) throw notFound('Comment', id);
      await tasks.deleteComment(auth, c.lead_id, id);
    },

    /** The lead of an attachment known by its id alone (seed 004's attachment/{id}); 404 unless visible. */
    async attachmentLead(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<number> {
      const a = (await find('attachments', auth.orgId, id, runner(db, opts))) as
        { lead_id: number } | undefined;
      if (!a) throw notFound('Attachment', id);
      await guard(auth, a.lead_id, 'read', opts);
      return a.lead_id;
    },

    async getFollowUp(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<FollowUpDto> {
      const f = (await find('follow_ups', auth.orgId, id, runner(db, opts))) as FollowUpRow | undefined;
      if (!f) throw notFound('Follow-up', id);
      await guard(auth, f.lead_id, 'read');
      return toFollowUpResponse(f);
    },
  };
}

export type ActivityByIdService = ReturnType<typeof createActivityByIdService>;
