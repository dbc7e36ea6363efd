import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobsTable } from './job.tables.js';

type Q = Kysely<Database>;
export type JobRow = Selectable<JobsTable>;

export function createJobRepository(db: Q, dialect: 'sqlite' | 'postgres' = 'sqlite') {
  return {
    dialect,

    async insert(
      trx: Q,
      job: { org_id: number; kind: string; payload: string; now: string; runAfter?: string },
    ): Promise<number> {
      const row = await trx
        .insertInto('jobs')
        .values({
          org_id: job.org_id,
          kind: job.kind,
          payload: job.payload,
          status: 'queued',
          attempts: 0,
          run_after: job.runAfter ?? job.now,
          created_at: job.now,
          updated_at: job.now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async findById(orgId: number, id: number): Promise<JobRow | undefined> {
      return db
        .selectFrom('jobs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /**
     * Candidates for a worker, across organizations: queued jobs that are due, and running jobs whose
     * heartbeat went stale (their process died).
     */
    async findClaimable(now: string, staleBefore: string, kinds: string[], limit: number): Promise<JobRow[]> {
      if (kinds.length === 0) return [];
      return db
        .selectFrom('jobs')
        .selectAll()
        .where('kind', 'in', kinds)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_after', '<=', now)]),
            eb.and([eb('status', '=', 'running'), eb('heartbeat_at', '<', staleBefore)]),
          ]),
        )
        .orderBy('id')
        .limit(limit)
        .execute();
    },

    /**
     * PostgreSQL: finds and takes the next claimable job in one statement. `FOR UPDATE SKIP LOCKED` lets workers
     * of every node poll at once without waiting on each other's row locks or racing for the same candidate.
     */
    async claimNext(
      now: string,
      staleBefore: string,
      kinds: string[],
      workerId: string,
    ): Promise<JobRow | undefined> {
      if (kinds.length === 0) return undefined;
      return db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          locked_by: workerId,
          heartbeat_at: now,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', (eb) =>
          eb
            .selectFrom('jobs')
            .select('id')
            .where('kind', 'in', kinds)
            .where((w) =>
              w.or([
                w.and([w('status', '=', 'queued'), w('run_after', '<=', now)]),
                w.and([w('status', '=', 'running'), w('heartbeat_at', '<', staleBefore)]),
              ]),
            )
            .orderBy('id')
            .limit(1)
            .forUpdate()
            .skipLocked(),
        )
        .returningAll()
        .executeTakeFirst();
    },

    /** Takes the job only if nobody else did in between (compare-and-set on status and heartbeat). */
    async claim(job: JobRow, workerId: string, now: string): Promise<boolean> {
      let q = db
        .updateTable('jobs')
        .set({
          status: 'running',
          locked_by: workerId,
          heartbeat_at: now,
          attempts: job.attempts + 1,
          updated_at: now,
        })
        .where('id', '=', job.id)
        .where('status', '=', job.status)
        .where('attempts', '=', job.attempts);
      q =
        job.heartbeat_at === null
          ? q.where('heartbeat_at', 'is', null)
          : q.where('heartbeat_at', '=', job.heartbeat_at);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async heartbeat(id: number, workerId: string, now: string): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ heartbeat_at: now })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    async finish(
      id: number,
      workerId: string,
      status: 'completed' | 'failed',
      error: string | null,
      now: string,
    ): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ status, error, finished_at: now, updated_at: now, heartbeat_at: null })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    /** Puts a job back in the queue to run again at `runAfter` (its handler asked for a retry). */
    async retryLater(id: number, workerId: string, runAfter: string, error: string, now: string) {
      await db
        .updateTable('jobs')
        .set({
          status: 'queued',
          locked_by: null,
          heartbeat_at: null,
          updated_at: now,
          run_after: runAfter,
          error,
        })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .where('status', '=', 'running')
        .execute();
    },

    /** Puts a job back in the queue (a worker stopping cleanly in the middle of it). */
    async release(id: number, workerId: string, now: string): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ status: 'queued', locked_by: null, heartbeat_at: null, updated_at: now, run_after: now })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .where('status', '=', 'running')
        .execute();
    },
  };
}

export type JobRepository = ReturnType<typeof createJobRepository>;
