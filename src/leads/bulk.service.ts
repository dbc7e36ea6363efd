import type { Kysely, Selectable } from 'kysely';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction } from '../db/unit-of-work.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import type { JobContext, JobQueue } from '../jobs/job.worker.js';
import type { LeadRepository } from './lead.repository.js';
import type { LeadService } from './lead.service.js';
import type { LeadPatchInput } from './lead.schema.js';
import type { BulkJobsTable } from './bulk.tables.js';

/** Most leads one bulk request changes (docs/api.md, "Bulk actions"). */
export const BULK_MAX = 10_000;
/** Up to this many leads a bulk action runs in one transaction and answers 200; above it, a job (202). */
export const BULK_SYNC_MAX = 500;
/** Leads a bulk job changes per transaction (its progress is committed with them). */
export const BULK_CHUNK = 250;
export const BULK_JOB = 'leads.bulk';

export type BulkAction =
  'status' | 'owner' | 'team' | 'add_tags' | 'remove_tags' | 'custom_field' | 'delete' | 'restore';

export interface BulkInput {
  ids?: number[];
  filter?: Record<string, unknown>;
  action: BulkAction;
  status?: string;
  sub_status?: string;
  reason_id?: number;
  owner_id?: number | null;
  team_id?: number | null;
  tags?: string[];
  field?: string;
  value?: string | number | boolean | null;
}

export interface BulkRefusal {
  id: number;
  /** not_found and reason_required, or (in a job) the error code that refused the lead. */
  code: string;
  field?: string;
  message: string;
}

export interface BulkJobDto {
  id: number;
  status: string;
  action: string;
  total: number;
  done: number;
  changed: number;
  refused: BulkRefusal[];
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export type BulkResult =
  | { kind: 'done'; body: { matched: number; changed: number; refused: BulkRefusal[] } }
  | { kind: 'job'; body: BulkJobDto };

type BulkJobRow = Selectable<BulkJobsTable>;

/** Another run of the same bulk job moved its progress on: this one stops (see runJob). */
class TakenOver extends Error {}

function toDto(r: BulkJobRow): BulkJobDto {
  return {
    id: r.id,
    status: r.status,
    action: r.action,
    total: r.total,
    done: r.done,
    changed: r.changed,
    refused: JSON.parse(r.refused) as BulkRefusal[],
    error: r.error,
    created_at: r.created_at,
    updated_at: r.updated_at,
    finished_at: r.finished_at,
  };
}

export function createBulkService(deps: {
  db: Kysely<Database>;
  leads: LeadRepository;
  service: LeadService;
  queue: JobQueue;
}) {
  const { db, leads, service, queue } = deps;

  /** The leads the request names that the caller may see, in id order; the others are refused. */
  async function resolve(auth: AuthContext, input: BulkInput) {
    const deleted = input.action === 'restore';
    const base = input.filter ?? {};
    const { filter } = await service.filterFor(auth, {
      ...(input.ids ? {} : base),
      include_converted: input.ids ? true : (base.include_converted as boolean | undefined),
      deleted,
    } as never);
    let q = leads.scope(db.selectFrom('leads').select('leads.id'), auth.orgId, filter);
    if (input.ids) q = q.where('leads.id', 'in', input.ids.length ? input.ids : [-1]);
    const found = (
      await q
        .orderBy('leads.id')
        .limit(BULK_MAX + 1)
        .execute()
    ).map((r) => r.id);
    if (found.length > BULK_MAX)
      throw new AppError(
        'payload_too_large',
        `A bulk action changes at most ${BULK_MAX} leads; narrow the filter.`,
      );
    const seen = new Set(found);
    const refused: BulkRefusal[] = (input.ids ?? [])
      .filter((id, i, a) => !seen.has(id) && a.indexOf(id) === i)
      .map((id) => ({ id, code: 'not_found', message: 'No such lead, or not one you can see' }));
    return { ids: found, refused };
  }

  /** The action on a few leads, through the same service calls as one lead at a time, in the caller's tx. */
  async function applyChunk(auth: AuthContext, input: BulkInput, ids: number[], tx: Kysely<Database>) {
    const tags =
      input.action === 'add_tags' || input.action === 'remove_tags'
        ? await leads.tagsFor(auth.orgId, ids, tx)
        : undefined;
    for (const id of ids) {
      if (input.action === 'delete') {
        await service.remove(auth, id, undefined, { tx });
        continue;
      }
      if (input.action === 'restore') {
        await service.restore(auth, id, { tx });
        continue;
      }
      let patch: LeadPatchInput;
      if (input.action === 'status')
        patch = { status: input.status, sub_status: input.sub_status, reason_id: input.reason_id };
      else if (input.action === 'owner') patch = { owner_id: input.owner_id };
      else if (input.action === 'team') patch = { team_id: input.team_id };
      else if (input.action === 'custom_field')
        patch = { custom_fields: { [input.field!]: input.value ?? null } } as LeadPatchInput;
      else {
        const now = tags!.get(id) ?? [];
        patch = {
          tags:
            input.action === 'add_tags'
              ? [...now, ...input.tags!]
              : now.filter((t) => !input.tags!.includes(t)),
        };
      }
      try {
        await service.update(auth, id, patch, undefined, { tx });
      } catch (e) {
        // Name the lead in the answer; the transaction rolls back as the error leaves it.
        if (e instanceof AppError) e.message = `Lead ${id}: ${e.message}`;
        throw e;
      }
    }
  }

  const findJob = (orgId: number, id: number) =>
    db
      .selectFrom('bulk_jobs')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();

  /**
   * The job (BULK_JOB): resumable. Each chunk of leads is changed in one transaction that also advances `done`,
   * so a job taken over after a crash carries on after the last committed chunk. A chunk that fails on a lead
   * is rolled back and retried one lead per transaction: the failing lead is refused (writing nothing), the
   * others are changed.
   */
  async function runJob({ job, signal }: JobContext): Promise<void> {
    const { bulk_id: bulkId } = JSON.parse(job.payload) as { bulk_id: number };
    const row = await findJob(job.org_id, bulkId);
    if (!row || row.status === 'completed' || row.status === 'failed') return;
    const input = JSON.parse(row.input) as BulkInput;
    const actor = JSON.parse(row.actor) as AuthContext;
    const ids = JSON.parse(row.lead_ids) as number[];
    // Progress moves on only from where this run left it: a run that was taken over (its heartbeat went stale
    // while it still ran) finds `done` moved and stops, rolling back its chunk.
    const advance = async (
      tx: Kysely<Database>,
      p: { from: number; done: number; changed: number; refused?: BulkRefusal[] },
    ) => {
      const r = await tx
        .updateTable('bulk_jobs')
        .set({
          done: p.done,
          changed: p.changed,
          ...(p.refused ? { refused: JSON.stringify(p.refused) } : {}),
          status: 'running',
          updated_at: nowIso(),
        })
        .where('org_id', '=', job.org_id)
        .where('id', '=', bulkId)
        .where('done', '=', p.from)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new TakenOver();
    };
    try {
      let { done, changed } = row;
      const refused = JSON.parse(row.refused) as BulkRefusal[];
      await advance(db, { from: done, done, changed });
      while (done < ids.length) {
        if (signal.aborted) return;
        const chunk = ids.slice(done, done + BULK_CHUNK);
        try {
          await inTransaction(db, {}, async (tx) => {
            await applyChunk(actor, input, chunk, tx);
            await advance(tx, { from: done, done: done + chunk.length, changed: changed + chunk.length });
          });
          done += chunk.length;
          changed += chunk.length;
          continue;
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
        }
        for (const id of chunk) {
          try {
            await inTransaction(db, {}, async (tx) => {
              await applyChunk(actor, input, [id], tx);
              await advance(tx, { from: done, done: done + 1, changed: changed + 1 });
            });
            changed++;
          } catch (e) {
            if (!(e instanceof AppError)) throw e;
            refused.push({
              id,
              code: e.code,
              ...(e.errors?.[0]?.field ? { field: e.errors[0].field } : {}),
              message: e.detail,
            });
            await advance(db, { from: done, done: done + 1, changed, refused });
          }
          done++;
        }
      }
      const now = nowIso();
      await db
        .updateTable('bulk_jobs')
        .set({ status: 'completed', updated_at: now, finished_at: now })
        .where('org_id', '=', job.org_id)
        .where('id', '=', bulkId)
        .execute();
    } catch (e) {
      if (e instanceof TakenOver) return;
      const now = nowIso();
      await db
        .updateTable('bulk_jobs')
        .set({ status: 'failed', error: (e as Error).message, updated_at: now, finished_at: now })
        .where('org_id', '=', job.org_id)
        .where('id', '=', bulkId)
        .execute();
      throw e;
    }
  }
  queue.register(BULK_JOB, runJob);

  return {
    /** GET /leads/bulk/{id}: a bulk job's progress; the person who started it (or an owner or admin) sees it. */
    async getJob(auth: AuthContext, id: number): Promise<BulkJobDto> {
      assertCan(auth, 'leads:read');
      const row = await findJob(auth.orgId, id);
      const admin = auth.kind === 'user' && (auth.role === 'owner' || auth.role === 'admin');
      if (!row || (!admin && row.created_by !== auth.userId)) throw notFound('Bulk job', id);
      return toDto(row);
    },

    async run(auth: AuthContext, input: BulkInput): Promise<BulkResult> {
      assertCan(
        auth,
        input.action === 'delete' || input.action === 'restore' ? 'leads:delete' : 'leads:write',
      );
      if (!input.ids === !input.filter) throw fieldError('ids', 'give either ids or filter');
      const need = (field: keyof BulkInput) => {
        if (input[field] === undefined) throw fieldError(field, `is required for action "${input.action}"`);
      };
      if (input.action === 'status') need('status');
      if (input.action === 'owner') need('owner_id');
      if (input.action === 'team') need('team_id');
      if (input.action === 'add_tags' || input.action === 'remove_tags') need('tags');
      if (input.action === 'custom_field') need('field');

      const { ids, refused } = await resolve(auth, input);
      let todo = ids;
      if (input.action === 'status') {
        const status = (await service.statusMap(auth.orgId)).byKey.get(input.status!);
        if (!status) throw fieldError('status', `unknown status "${input.status}"`);
        if (status.reason_required && input.reason_id === undefined) {
          refused.push(
            ...ids.map((id) => ({
              id,
              code: 'reason_required' as const,
              field: 'reason_id',
              message: `moving to "${status.key}" needs a reason_id`,
            })),
          );
          todo = [];
        }
      }
      // Above BULK_SYNC_MAX leads: a job, answered 202 with where to follow it (the leads are fixed now).
      if (todo.length > BULK_SYNC_MAX) {
        const now = nowIso();
        const bulkId = await inTransaction(db, {}, async (tx) => {
          const { id } = await tx
            .insertInto('bulk_jobs')
            .values({
              org_id: auth.orgId,
              created_by: auth.userId,
              action: input.action,
              input: JSON.stringify({ ...input, ids: undefined, filter: undefined }),
              actor: JSON.stringify({ ...auth, sessionId: undefined }),
              lead_ids: JSON.stringify(todo),
              status: 'queued',
              total: todo.length,
              done: 0,
              changed: 0,
              refused: JSON.stringify(refused),
              created_at: now,
              updated_at: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          const jobId = await queue.enqueue(tx, auth.orgId, BULK_JOB, { bulk_id: id });
          await tx
            .updateTable('bulk_jobs')
            .set({ job_id: jobId })
            .where('org_id', '=', auth.orgId)
            .where('id', '=', id)
            .execute();
          return id;
        });
        queue.wake();
        return { kind: 'job', body: toDto((await findJob(auth.orgId, bulkId))!) };
      }
      // Up to BULK_SYNC_MAX: everything accepted is changed in one transaction, through the same service calls
      // as one lead at a time: a failure on any lead rolls all of them back.
      if (todo.length) await inTransaction(db, {}, (tx) => applyChunk(auth, input, todo, tx));
      return { kind: 'done', body: { matched: ids.length, changed: todo.length, refused } };
    },
  };
}

export type BulkService = ReturnType<typeof createBulkService>;
