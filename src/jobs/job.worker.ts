import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import type { JobRepository, JobRow } from './job.repository.js';

export interface JobContext {
  job: JobRow;
  /** Aborted when the worker stops: the handler should stop after its current committed step. */
  signal: AbortSignal;
}

/**
 * A handler runs one job to the end. It must be resumable: if it is interrupted (signal aborted, or the process
 * dies) it is called again later with the same job and must carry on from what it committed.
 */
export type JobHandler = (ctx: JobContext) => Promise<void>;

/** Thrown by a handler whose work should be tried again later (e.g. an SMTP server that is down): requeued. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

export interface JobWorkerOptions {
  /** How often to look for work queued by other processes. */
  pollMs?: number;
  /** A running job whose heartbeat is older than this belongs to a dead process and is taken over. */
  staleMs?: number;
  heartbeatMs?: number;
  log?: { error(obj: unknown, msg: string): void; info?(obj: unknown, msg: string): void };
}

/** Runs queued jobs one at a time, in this process, polling the jobs table. */
export function createJobQueue(jobs: JobRepository, opts: JobWorkerOptions = {}) {
  const pollMs = opts.pollMs ?? 1000;
  const staleMs = opts.staleMs ?? 30_000;
  const heartbeatMs = opts.heartbeatMs ?? Math.max(1000, Math.floor(staleMs / 3));
  const workerId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const handlers = new Map<string, JobHandler>();
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let stopping = false;
  let current: Promise<void> | null = null;
  let abort: AbortController | null = null;
  let wakeRequested = false;

  function schedule(ms: number) {
    if (stopping || !running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
  }

  async function runOne(job: JobRow) {
    const handler = handlers.get(job.kind)!;
    abort = new AbortController();
    const beat = setInterval(
      () => void jobs.heartbeat(job.id, workerId, nowIso()).catch(() => undefined),
      heartbeatMs,
    );
    try {
      await handler({ job, signal: abort.signal });
      if (abort.signal.aborted) await jobs.release(job.id, workerId, nowIso());
      else await jobs.finish(job.id, workerId, 'completed', null, nowIso());
    } catch (err) {
      if (err instanceof RetryLaterError && !abort.signal.aborted) {
        const at = new Date(Date.now() + err.delayMs).toISOString();
        opts.log?.info?.(
          { jobId: job.id, kind: job.kind, retryAt: at, error: err.message },
          'job retried later',
        );
        await jobs.retryLater(job.id, workerId, at, err.message, nowIso()).catch(() => undefined);
        return;
      }
      opts.log?.error({ err, jobId: job.id, kind: job.kind }, 'job failed');
      if (abort.signal.aborted) await jobs.release(job.id, workerId, nowIso()).catch(() => undefined);
      else
        await jobs
          .finish(job.id, workerId, 'failed', (err as Error).message ?? String(err), nowIso())
          .catch(() => undefined);
    } finally {
      clearInterval(beat);
      abort = null;
    }
  }

  async function tick() {
    timer = null;
    if (stopping || current) return;
    wakeRequested = false;
    let didWork = false;
    current = (async () => {
      const now = new Date();
      if (jobs.dialect === 'postgres') {
        // One statement claims the next job (FOR UPDATE SKIP LOCKED): no candidate list to race over.
        const job = await jobs.claimNext(
          now.toISOString(),
          new Date(now.getTime() - staleMs).toISOString(),
          [...handlers.keys()],
          workerId,
        );
        if (job && !stopping) {
          didWork = true;
          await runOne(job);
        } else if (job) await jobs.release(job.id, workerId, nowIso());
        return;
      }
      // SQLite (one writer at a time): read candidates, then take one with a compare-and-set update.
      const candidates = await jobs.findClaimable(
        now.toISOString(),
        new Date(now.getTime() - staleMs).toISOString(),
        [...handlers.keys()],
        5,
      );
      for (const job of candidates) {
        if (stopping) return;
        if (await jobs.claim(job, workerId, nowIso())) {
          didWork = true;
          await runOne({ ...job, status: 'running', attempts: job.attempts + 1, locked_by: workerId });
          return;
        }
      }
    })()
      .catch((err) => opts.log?.error({ err }, 'job queue poll failed'))
      .finally(() => {
        current = null;
      });
    await current;
    // More work may be waiting: look again at once after a job, else wait for the next poll.
    schedule(didWork || wakeRequested ? 0 : pollMs);
  }

  return {
    workerId,
    register(kind: string, handler: JobHandler) {
      handlers.set(kind, handler);
    },
    /** Adds a job (inside the caller's transaction when given) and wakes the worker. */
    async enqueue(trx: Kysely<Database>, orgId: number, kind: string, payload: unknown): Promise<number> {
      return jobs.insert(trx, { org_id: orgId, kind, payload: JSON.stringify(payload), now: nowIso() });
    },
    /** Asks the worker to look for work now (after the enqueuing transaction committed). */
    wake() {
      wakeRequested = true;
      if (running && !stopping && !current) schedule(0);
    },
    start() {
      if (running) return;
      running = true;
      stopping = false;
      schedule(0);
    },
    /** Stops polling, asks the running job to stop after its current step and waits for it. */
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      abort?.abort();
      if (current) await current;
      running = false;
    },
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;
