import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { JobQueue, JobContext } from '../jobs/job.worker.js';
import type { LeadPart } from '../leads/lead-parts.js';
import type { LeadRow } from '../leads/lead.repository.js';
import type { LeadSample } from './features.js';
import { explain, MIN_OUTCOMES, MIN_PER_CLASS, type Factor, type TrainedModel } from './model.js';
import type { ScoredLeadRow, ScoringRepository } from './scoring.repository.js';
import { trainInWorker } from './run-worker.js';
import { cachedOrgRead } from '../db/org-cache.js';

export const TRAIN_JOB = 'scoring.train';
export const RESCORE_JOB = 'scoring.rescore';
/** A won outcome: the lead was won or converted. A lost one: lost or closed. */
export const WON_CATEGORIES = ['won', 'converted'];
export const LOST_CATEGORIES = ['lost', 'closed'];
const OUTCOME_CATEGORIES = [...WON_CATEGORIES, ...LOST_CATEGORIES];
/** A trained model older than this is retrained by the scheduler. */
const RETRAIN_MS = 24 * 3600_000;
/** Scores of open leads are refreshed this often (activities and status changes made elsewhere). */
const RESCORE_MS = 15 * 60_000;

interface Log {
  error(obj: unknown, msg: string): void;
  info?(obj: unknown, msg: string): void;
}

export interface ScoringDeps {
  db: Kysely<Database>;
  repo: ScoringRepository;
  queue: Pick<JobQueue, 'enqueue' | 'wake' | 'register'>;
  log?: Log;
}

/** A lead's features from its row, tags and activity times; `before` leaves out what came after the outcome. */
function sampleOf(
  row: Pick<LeadRow, 'source' | 'country' | 'state' | 'owner_id' | 'team_id' | 'custom_fields'>,
  tags: string[],
  activities: string[],
  followUps: string[],
  before?: string,
): LeadSample {
  const count = (times: string[]) => (before ? times.filter((t) => t < before).length : times.length);
  return {
    source: row.source,
    country: row.country,
    state: row.state,
    owner_id: row.owner_id,
    team_id: row.team_id,
    custom: JSON.parse(row.custom_fields || '{}') as Record<string, unknown>,
    tags,
    activities: count(activities),
    follow_ups: count(followUps),
  };
}

export function createScoringService({ db, repo, queue, log }: ScoringDeps) {
  const cache = new Map<number, { id: number | null; model: TrainedModel | null }>();

  /** The organization's current model (null: none, or the last run refused), parsed once per model id. */
  async function modelFor(orgId: number, trx: Kysely<Database> = db): Promise<TrainedModel | null> {
    const hit = cache.get(orgId);
    // Which model is current comes from the organization's settings cache (src/db/org-cache.ts): exact across
    // processes (a new model bumps organizations.settings_version), no read while nothing changed.
    const latest = await cachedOrgRead(trx, orgId, 'scoring_model', () => repo.latestModelId(orgId, trx));
    const id = latest && latest.status === 'trained' ? latest.id : null;
    if (hit && hit.id === id) return hit.model;
    let model: TrainedModel | null = null;
    if (id !== null) {
      const row = await repo.latestModel(orgId, trx);
      if (row?.id === id && row.model) model = JSON.parse(row.model) as TrainedModel;
    }
    cache.set(orgId, { id, model });
    return model;
  }

  // The outcome statuses as last read, per organization: only for insertColumns' guess.
  const lastOutcome = new Map<number, Set<number>>();
  async function outcomeStatusIds(orgId: number, trx: Kysely<Database> = db) {
    // Every scored write reads them: through the settings cache (exact: statuses bump settings_version).
    const rows = await cachedOrgRead(trx, orgId, 'scoring_statuses', () => repo.statuses(orgId, trx));
    const outcome = rows.filter((s) => OUTCOME_CATEGORIES.includes(s.category)).map((s) => s.id);
    lastOutcome.set(orgId, new Set(outcome));
    return {
      outcome,
      won: new Set(rows.filter((s) => WON_CATEGORIES.includes(s.category)).map((s) => s.id)),
    };
  }

  /** Scores these leads (open ones get a score, the others none); writes only what changed. */
  async function scoreLeads(
    orgId: number,
    rows: ScoredLeadRow[],
    model: TrainedModel | null,
    outcome: number[],
    trx: Kysely<Database> = db,
  ): Promise<Map<number, { score: number | null; factors: string | null }>> {
    const out = new Map<number, { score: number | null; factors: string | null }>();
    const closed = new Set(outcome);
    const open = rows.filter((r) => !r.deleted_at && !r.converted_at && !closed.has(r.status_id));
    const ids = open.map((r) => r.id);
    const [tags, times] = model
      ? await Promise.all([repo.tags(orgId, ids, trx), repo.activityTimes(orgId, ids, trx)])
      : [new Map<number, string[]>(), { activities: new Map(), followUps: new Map() }];
    const openIds = new Set(ids);
    for (const r of rows) {
      let next: { score: number | null; factors: string | null } = { score: null, factors: null };
      if (model && openIds.has(r.id)) {
        const s = sampleOf(
          r,
          tags.get(r.id) ?? [],
          times.activities.get(r.id) ?? [],
          times.followUps.get(r.id) ?? [],
        );
        const e = explain(model, s);
        next = { score: e.score, factors: JSON.stringify(e.factors) };
      }
      if (next.score !== r.score || next.factors !== r.score_factors)
        await repo.setScore(orgId, r.id, next.score, next.factors, trx);
      out.set(r.id, next);
    }
    return out;
  }

  /** Every open lead of the organization scored again (after training, and on a schedule). */
  async function rescoreAll(orgId: number, signal?: AbortSignal): Promise<number> {
    const model = await modelFor(orgId);
    const { outcome } = await outcomeStatusIds(orgId);
    if (!model) {
      await repo.clearScores(orgId);
      return 0;
    }
    const ids = await repo.openLeadIds(orgId, outcome);
    for (let i = 0; i < ids.length; i += 500) {
      if (signal?.aborted) return i;
      const rows = await repo.leadsByIds(orgId, ids.slice(i, i + 500));
      // One short transaction per batch: requests writing leads wait at most one batch (SQLite).
      await inTransaction(db, {}, (trx) => scoreLeads(orgId, rows, model, outcome, trx));
    }
    await repo.clearScores(orgId, ids);
    return ids.length;
  }

  /**
   * The training set: every live lead that reached an outcome (its first won/converted or lost/closed status, or
   * its conversion), with its fields as they were then (later field changes rolled back) and only the
   * activities and follow-ups recorded before it: nothing the outcome itself caused leaks into the model.
   */
  async function trainingSet(orgId: number) {
    const { outcome, won } = await outcomeStatusIds(orgId);
    const first = new Map<number, { at: string; won: boolean }>();
    const entries = await repo.outcomeEntries(orgId, outcome);
    await new Promise((resolve) => setImmediate(resolve));
    for (const e of entries)
      if (!first.has(e.lead_id)) first.set(e.lead_id, { at: e.created_at, won: won.has(e.to_status_id) });
    for (const c of await repo.convertedLeads(orgId)) {
      const f = first.get(c.id);
      if (!f || c.converted_at! < f.at) first.set(c.id, { at: c.converted_at!, won: true });
    }
    const ids = [...first.keys()].sort((a, b) => a - b);
    await new Promise((resolve) => setImmediate(resolve));
    const [rows, tags, times, changes] = await Promise.all([
      repo.leadsByIds(orgId, ids),
      repo.tags(orgId, ids),
      repo.activityTimes(orgId, ids),
      repo.fieldChanges(orgId, ids),
    ]);
    // The value a field had at the outcome: the old value of its first change after the outcome.
    const rollback = new Map<number, Map<string, unknown>>();
    for (const c of changes) {
      const at = first.get(c.lead_id)!.at;
      if (c.changed_at <= at) continue;
      const m = rollback.get(c.lead_id) ?? new Map<string, unknown>();
      if (!m.has(c.field)) m.set(c.field, c.old_value === null ? null : JSON.parse(c.old_value));
      rollback.set(c.lead_id, m);
    }
    const samples: LeadSample[] = [];
    const y: number[] = [];
    for (const [k, r] of rows.entries()) {
      // Parsing thousands of leads' custom fields is the main thread's share: let requests in between.
      if (k % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      const o = first.get(r.id)!;
      const s = sampleOf(
        r,
        tags.get(r.id) ?? [],
        times.activities.get(r.id) ?? [],
        times.followUps.get(r.id) ?? [],
        o.at,
      );
      for (const [field, v] of rollback.get(r.id) ?? []) {
        if (field === 'tags') s.tags = Array.isArray(v) ? (v as string[]) : [];
        else if (field.startsWith('custom_fields.')) {
          const key = field.slice('custom_fields.'.length);
          if (v === null) delete s.custom[key];
          else s.custom[key] = v;
        } else if (field === 'owner_id' || field === 'team_id') s[field] = typeof v === 'number' ? v : null;
        else if (field === 'source' || field === 'country' || field === 'state')
          s[field] = typeof v === 'string' ? v : null;
      }
      samples.push(s);
      y.push(o.won ? 1 : 0);
    }
    return { samples, y };
  }

  /** The job: refuse with the counts, or train in a worker thread, keep the model and score the open leads. */
  async function runTraining({ job, signal }: JobContext): Promise<void> {
    const orgId = job.org_id;
    const { samples, y } = await trainingSet(orgId);
    const won = y.filter((v) => v === 1).length;
    const lost = y.length - won;
    const base = { org_id: orgId, outcomes: y.length, won, lost, job_id: job.id, created_at: nowIso() };
    if (y.length < MIN_OUTCOMES || won < MIN_PER_CLASS || lost < MIN_PER_CLASS) {
      await repo.insertModel({
        ...base,
        status: 'refused',
        message: `Too little history to score: ${y.length} leads reached an outcome (${won} won, ${lost} lost); scoring needs at least ${MIN_OUTCOMES}, with at least ${MIN_PER_CLASS} won and ${MIN_PER_CLASS} lost.`,
        metrics: null,
        importance: null,
        model: null,
      });
      cache.delete(orgId);
      await repo.clearScores(orgId);
      return;
    }
    if (signal.aborted) return;
    const labels = await repo.labels(orgId);
    const startedAt = Date.now();
    let result;
    try {
      result = await trainInWorker({ samples, y, labels, seed: orgId });
    } catch (err) {
      await repo.insertModel({
        ...base,
        status: 'failed',
        message: (err as Error).message,
        metrics: null,
        importance: null,
        model: null,
      });
      throw err;
    }
    const metrics = {
      ...result.out.metrics,
      training_ms: result.ms,
      total_ms: Date.now() - startedAt,
      worker_heap_bytes: result.heapUsedBytes,
    };
    await repo.insertModel({
      ...base,
      status: 'trained',
      message: null,
      metrics: JSON.stringify(metrics),
      importance: JSON.stringify(result.out.importance),
      model: JSON.stringify(result.out.model),
    });
    cache.delete(orgId);
    log?.info?.({ orgId, outcomes: y.length, auc: metrics.auc, ms: result.ms }, 'scoring model trained');
    await rescoreAll(orgId, signal);
  }

  async function runRescore({ job, signal }: JobContext): Promise<void> {
    await rescoreAll(job.org_id, signal);
  }

  queue.register(TRAIN_JOB, runTraining);
  queue.register(RESCORE_JOB, runRescore);

  /** Queues a job of this kind for the organization unless one is waiting or running already. */
  async function enqueueOnce(orgId: number, kind: string, opts: TxOptions = {}) {
    const r = await inTransaction(db, opts, async (trx) => {
      const pending = await repo.pendingJob(orgId, kind, trx);
      if (pending) return { job_id: pending.id, status: pending.status, queued: false };
      const id = await queue.enqueue(trx, orgId, kind, {});
      return { job_id: id, status: 'queued', queued: true };
    });
    if (r.queued && !opts.tx) queue.wake();
    return r;
  }

  /** The lead part: scores a lead in its own write (cheap: a dot product), shows score and factors. */
  const part: LeadPart = {
    async check() {},
    async write() {
      return false;
    },
    // A new lead's score with its INSERT, from the model and outcome statuses as last read and the lead with
    // no activity yet; afterWrite below scores it again from the database and updates only when it differs.
    insertColumns(row, _input, tags) {
      const orgId = row.org_id as number;
      const model = cache.get(orgId)?.model;
      const closed = lastOutcome.get(orgId);
      if (!model || !closed) return undefined;
      if (row.deleted_at || row.converted_at || closed.has(row.status_id as number))
        return { score: null, score_factors: null };
      // Columns the row leaves out are NULL once inserted.
      const cols = Object.fromEntries(
        (['source', 'country', 'state', 'owner_id', 'team_id', 'custom_fields'] as const).map((k) => [
          k,
          row[k] ?? null,
        ]),
      ) as Parameters<typeof sampleOf>[0];
      const e = explain(model, sampleOf(cols, tags, [], []));
      return { score: e.score, score_factors: JSON.stringify(e.factors) };
    },
    async afterWrite(trx, orgId, lead) {
      const model = await modelFor(orgId, trx);
      if (!model && lead.score === null) return;
      const { outcome } = await outcomeStatusIds(orgId, trx);
      const r = (await scoreLeads(orgId, [lead], model, outcome, trx)).get(lead.id)!;
      // The lead the write returns carries its fresh score.
      lead.score = r.score;
      lead.score_factors = r.factors;
    },
    async afterCreateMany(trx, orgId, leads) {
      const model = await modelFor(orgId, trx);
      if (!model) return;
      const { outcome } = await outcomeStatusIds(orgId, trx);
      const rows = await repo.leadsByIds(
        orgId,
        leads.map((l) => l.id),
        trx,
      );
      await scoreLeads(orgId, rows, model, outcome, trx);
    },
    async describe(_orgId, rows) {
      return new Map(
        rows.map((r) => [
          r.id,
          {
            score: r.score ?? null,
            score_factors: r.score_factors ? (JSON.parse(r.score_factors) as Factor[]) : [],
          },
        ]),
      );
    },
  };

  /** Retrains models older than a day and refreshes scores every 15 minutes, through the job queue. */
  async function runDue(now = Date.now()): Promise<void> {
    for (const orgId of await repo.organizationsWithOutcomes(MIN_OUTCOMES)) {
      try {
        const latest = await repo.latestModel(orgId);
        if (!latest || now - Date.parse(latest.created_at) > RETRAIN_MS) {
          await enqueueOnce(orgId, TRAIN_JOB);
          continue;
        }
        if (latest.status !== 'trained') continue;
        const last = await repo.lastJobAt(orgId, RESCORE_JOB);
        if (!last || now - Date.parse(last) > RESCORE_MS) await enqueueOnce(orgId, RESCORE_JOB);
      } catch (err) {
        log?.error({ err, orgId }, 'scoring schedule failed');
      }
    }
  }
  let timer: NodeJS.Timeout | null = null;
  let first: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  return {
    part,
    modelFor,
    rescoreAll,
    runDue,

    /** POST /scoring/train: queues a training run (202), or answers the one already waiting. */
    async requestTraining(auth: AuthContext, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      const r = await enqueueOnce(auth.orgId, TRAIN_JOB, opts);
      return { job_id: r.job_id, status: r.status };
    },

    /** GET /scoring/model: the last run (a model with its metrics, or the refusal with its counts). */
    async getModel(auth: AuthContext, opts: TxOptions = {}) {
      assertCan(auth, 'settings:read');
      const q = runner(db, opts);
      const [row, pending] = await Promise.all([
        repo.latestModel(auth.orgId, q),
        repo.pendingJob(auth.orgId, TRAIN_JOB, q),
      ]);
      return { row, pending };
    },

    /** Checks every `everyMs` (default 15 minutes, first a minute after start) what is due. */
    start(everyMs = RESCORE_MS) {
      if (timer) return;
      const tick = () => {
        if (running) return;
        running = runDue()
          .catch((err) => log?.error({ err }, 'scoring schedule failed'))
          .finally(() => (running = null));
      };
      timer = setInterval(tick, everyMs);
      timer.unref();
      first = setTimeout(tick, 60_000);
      first.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (first) clearTimeout(first);
      timer = null;
      first = null;
      if (running) await running;
    },
  };
}

export type ScoringService = ReturnType<typeof createScoringService>;
