import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { assertCan, can, seesOnlyOwnLeads, type AuthContext } from '../access/roles.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { LeadRepository } from '../leads/lead.repository.js';
import { parseOptionalInstant } from '../pipeline/instant.js';
import type { ActivityRepository, CommentRow, TaskRow } from './activity.repository.js';
import { checkMember, defaultGuard, loadLead, type LeadGuard } from './lead-access.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { emitEvent } from '../webhooks/events.js';

export interface TaskInput {
  type?: string;
  title?: string;
  description?: string | null;
  due_at?: string | null;
  start_at?: string | null;
  end_at?: string | null;
  assignee_id?: number | null;
  done?: boolean;
  /** When it was done (backdated); implies done. */
  done_at?: string | null;
  priority?: string | null;
  canceled?: boolean;
  confirmed?: boolean;
  no_show?: boolean;
}

export function toTaskResponse(r: TaskRow) {
  return {
    id: r.id,
    lead_id: r.lead_id,
    type: r.type,
    title: r.title,
    description: r.description,
    due_at: r.due_at,
    start_at: r.start_at,
    end_at: r.end_at,
    assignee_id: r.assignee_id,
    done: r.done_at !== null,
    done_at: r.done_at,
    priority: r.priority ?? null,
    canceled: r.canceled === 1,
    confirmed: r.confirmed === 1,
    no_show: r.no_show === 1,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
export type TaskDto = ReturnType<typeof toTaskResponse>;

export function toCommentResponse(r: CommentRow) {
  return {
    id: r.id,
    lead_id: r.lead_id,
    body: r.body,
    author_id: r.author_id,
    parent_id: r.parent_id ?? null,
    file_url: r.file_url ?? null,
    attachment_id: r.attachment_id ?? null,
    created_at: r.created_at,
    updated_at: r.updated_at,
    edited: r.updated_at !== r.created_at,
  };
}
export type CommentDto = ReturnType<typeof toCommentResponse>;

/** What a note links to (migration 0084). */
export interface CommentLinks {
  parent_id?: number | null;
  file_url?: string | null;
  attachment_id?: number | null;
}

export interface TaskDeps {
  db: Kysely<Database>;
  activities: ActivityRepository;
  leads: LeadRepository;
  access: AccessRepository;
  guard?: LeadGuard;
}

/** Tasks and events (calls, meetings, appointments, road tests...) and comments on leads. */
export function createTaskService({ db, activities, leads, access, ...deps }: TaskDeps) {
  const guard = deps.guard ?? defaultGuard(leads);
  async function columns(orgId: number, input: TaskInput, base: TaskRow | null, trx: Kysely<Database>) {
    const v = {
      due_at: parseOptionalInstant('due_at', input.due_at),
      start_at: parseOptionalInstant('start_at', input.start_at),
      end_at: parseOptionalInstant('end_at', input.end_at),
      done_at: parseOptionalInstant('done_at', input.done_at, { notFuture: true }),
    };
    const start = v.start_at !== undefined ? v.start_at : (base?.start_at ?? null);
    const end = v.end_at !== undefined ? v.end_at : (base?.end_at ?? null);
    if (start && end && end < start) throw fieldError('end_at', 'must not be before start_at');
    await checkMember(access, orgId, 'assignee_id', input.assignee_id, trx);
    let doneAt = v.done_at !== undefined ? v.done_at : (base?.done_at ?? null);
    if (input.done === true && !doneAt) doneAt = nowIso();
    if (input.done === false) {
      if (v.done_at) throw fieldError('done', 'contradicts done_at');
      doneAt = null;
    }
    return {
      ...(input.type !== undefined ? { type: input.type } : {}),
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(v.due_at !== undefined ? { due_at: v.due_at } : {}),
      ...(input.assignee_id !== undefined ? { assignee_id: input.assignee_id } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      ...(input.canceled !== undefined ? { canceled: input.canceled ? 1 : 0 } : {}),
      ...(input.confirmed !== undefined ? { confirmed: input.confirmed ? 1 : 0 } : {}),
      ...(input.no_show !== undefined ? { no_show: input.no_show ? 1 : 0 } : {}),
      start_at: start,
      end_at: end,
      done_at: doneAt,
    };
  }

  /** A note answers a note of the same lead (never itself) and carries an attachment of the same lead. */
  async function checkLinks(
    trx: Kysely<Database>,
    orgId: number,
    leadId: number,
    l: CommentLinks,
    self?: number,
  ) {
    if (
      l.parent_id != null &&
      (l.parent_id === self || !(await activities.findComment(orgId, leadId, l.parent_id, trx)))
    )
      throw fieldError('parent_id', `is not another comment of lead ${leadId}`);
    if (l.attachment_id != null) {
      const a = await trx
        .selectFrom('attachments')
        .select('id')
        .where('org_id', '=', orgId)
        .where('lead_id', '=', leadId)
        .where('id', '=', l.attachment_id)
        .executeTakeFirst();
      if (!a) throw fieldError('attachment_id', `is not an attachment of lead ${leadId}`);
    }
  }

  async function loadTask(orgId: number, leadId: number, id: number, trx?: Kysely<Database>) {
    const t = await activities.findTask(orgId, leadId, id, trx);
    if (!t) throw notFound('Task', id);
    return t;
  }
  async function loadComment(orgId: number, leadId: number, id: number, trx?: Kysely<Database>) {
    const c = await activities.findComment(orgId, leadId, id, trx);
    if (!c) throw notFound('Comment', id);
    return c;
  }

  return {
    /** The checked columns of a task body, for the by-id routes (src/activities/activity-by-id.service.ts). */
    taskColumns: columns,

    async listTasks(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<TaskDto[]> {
      await guard(auth, leadId, 'read', opts);
      const q = runner(db, opts);
      await loadLead(leads, auth.orgId, leadId, q);
      return (await activities.listTasks(auth.orgId, leadId, q)).map(toTaskResponse);
    },

    async createTask(
      auth: AuthContext,
      leadId: number,
      input: TaskInput & { title: string },
      opts: TxOptions = {},
    ): Promise<TaskDto> {
      await guard(auth, leadId, 'write', opts);
      const cols = await columns(auth.orgId, input, null, runner(db, opts));
      return inTransaction(db, opts, async (trx) => {
        await loadLead(leads, auth.orgId, leadId, trx);
        const now = nowIso();
        const row = await activities.insertTask(trx, {
          org_id: auth.orgId,
          lead_id: leadId,
          type: input.type ?? 'todo',
          title: input.title,
          description: input.description ?? null,
          due_at: cols.due_at ?? null,
          start_at: cols.start_at,
          end_at: cols.end_at,
          assignee_id: input.assignee_id ?? null,
          done_at: cols.done_at,
          priority: cols.priority ?? null,
          canceled: cols.canceled ?? 0,
          confirmed: cols.confirmed ?? 0,
          no_show: cols.no_show ?? 0,
          created_by: auth.userId,
          created_at: now,
          updated_at: now,
        });
        const dto = toTaskResponse(row);
        await emitEvent(trx, auth.orgId, 'task.created', { lead_id: leadId, task: dto });
        return dto;
      });
    },

    async updateTask(
      auth: AuthContext,
      leadId: number,
      id: number,
      input: TaskInput,
      opts: TxOptions = {},
    ): Promise<TaskDto> {
      await guard(auth, leadId, 'write', opts);
      return inTransaction(db, opts, async (trx) => {
        await loadLead(leads, auth.orgId, leadId, trx);
        const current = await loadTask(auth.orgId, leadId, id, trx);
        const cols = await columns(auth.orgId, input, current, trx);
        const dto = toTaskResponse(
          await activities.updateTask(trx, auth.orgId, id, { ...cols, updated_at: nowIso() }),
        );
        await emitEvent(trx, auth.orgId, 'task.updated', { lead_id: leadId, task: dto });
        return dto;
      });
    },

    async deleteTask(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<void> {
      await guard(auth, leadId, 'write', opts);
      await inTransaction(db, opts, async (trx) => {
        await loadLead(leads, auth.orgId, leadId, trx);
        await loadTask(auth.orgId, leadId, id, trx);
        await activities.deleteTask(trx, auth.orgId, id);
        await emitEvent(trx, auth.orgId, 'task.deleted', { lead_id: leadId, task: { id } });
      });
    },

    /** Tasks across leads: an agenda (?assignee_id=&done=false&due_before=). */
    async listAllTasks(
      auth: AuthContext,
      q: { assignee_id?: number; done?: boolean; due_before?: string; limit?: number; cursor?: string },
    ) {
      assertCan(auth, 'leads:read');
      const limit = q.limit ?? 50;
      const c = q.cursor ? decodeCursor(q.cursor, 'tasks') : undefined;
      const rows = await activities.taskQueue(auth.orgId, {
        // Agents see their own agenda only.
        assigneeId: seesOnlyOwnLeads(auth) ? auth.userId! : q.assignee_id,
        done: q.done,
        dueBefore: parseOptionalInstant('due_before', q.due_before) ?? undefined,
        limit: limit + 1,
        afterId: c?.id,
      });
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      return {
        data: page.map(toTaskResponse),
        next_cursor: more ? encodeCursor({ s: 'tasks', v: null, id: page[page.length - 1].id }) : null,
      };
    },

    async listComments(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<CommentDto[]> {
      await guard(auth, leadId, 'read', opts);
      const q = runner(db, opts);
      await loadLead(leads, auth.orgId, leadId, q);
      return (await activities.listComments(auth.orgId, leadId, q)).map(toCommentResponse);
    },

    async addComment(
      auth: AuthContext,
      leadId: number,
      body: string,
      opts: { created_at?: string } & CommentLinks & TxOptions = {},
    ): Promise<CommentDto> {
      await guard(auth, leadId, 'write', opts);
      if (body.trim() === '') throw fieldError('body', 'must not be blank');
      const at = parseOptionalInstant('created_at', opts.created_at, { notFuture: true }) ?? nowIso();
      return inTransaction(db, opts, async (trx) => {
        await loadLead(leads, auth.orgId, leadId, trx);
        await checkLinks(trx, auth.orgId, leadId, opts);
        return toCommentResponse(
          await activities.insertComment(trx, {
            org_id: auth.orgId,
            lead_id: leadId,
            body,
            author_id: auth.userId,
            created_at: at,
            updated_at: at,
            parent_id: opts.parent_id ?? null,
            file_url: opts.file_url ?? null,
            attachment_id: opts.attachment_id ?? null,
          }),
        );
      });
    },

    /** Only the author edits a comment: what someone wrote stays theirs. */
    async editComment(
      auth: AuthContext,
      leadId: number,
      id: number,
      body: string,
      links: CommentLinks = {},
      opts: TxOptions = {},
    ): Promise<CommentDto> {
      await guard(auth, leadId, 'write', opts);
      if (body.trim() === '') throw fieldError('body', 'must not be blank');
      return inTransaction(db, opts, async (trx) => {
        await loadLead(leads, auth.orgId, leadId, trx);
        const c = await loadComment(auth.orgId, leadId, id, trx);
        if (c.author_id === null || c.author_id !== auth.userId)
          throw new AppError('forbidden', 'Only the author of a comment can edit it.');
        await checkLinks(trx, auth.orgId, leadId, links, id);
        return toCommentResponse(
          await activities.updateComment(trx, auth.orgId, id, { body, ...links, updated_at: nowIso() }),
        );
      });
    },

    /** The author, or someone who manages the organization's settings (moderation), deletes a comment. */
    async deleteComment(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<void> {
      await guard(auth, leadId, 'write', opts);
      await inTransaction(db, opts, async (trx) => {
        await loadLead(leads, auth.orgId, leadId, trx);
        const c = await loadComment(auth.orgId, leadId, id, trx);
        if (c.author_id !== auth.userId && !can(auth, 'settings:write'))
          throw new AppError('forbidden', 'Only the author or an admin can delete a comment.');
        await activities.deleteComment(trx, auth.orgId, id);
      });
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
