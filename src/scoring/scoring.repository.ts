import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ScoringModelsTable } from './scoring.tables.js';
import type { Labels } from './features.js';
import { precompiled } from '../db/precompiled.js';

type Q = Kysely<Database>;
export type ScoringModelRow = Selectable<ScoringModelsTable>;

/** The lead columns scoring reads (its features, and what tells an open lead). */
export const SCORED_LEAD_COLUMNS = [
  'id',
  'source',
  'country',
  'state',
  'owner_id',
  'team_id',
  'custom_fields',
  'status_id',
  'converted_at',
  'deleted_at',
  'score',
  'score_factors',
] as const;
export type ScoredLeadRow = Pick<Selectable<Database['leads']>, (typeof SCORED_LEAD_COLUMNS)[number]>;

const CHUNK = 1000;
/**
 * Lets the event loop serve requests between two chunks: better-sqlite3 answers synchronously, so a training
 * run's reads would otherwise run back to back as one long block.
 */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** All SQL of lead scoring; every query names the organization. */
export function createScoringRepository(db: Q) {
  // Read with every scored lead write (inside its transaction): built once per number of ids.
  const tagsOf = precompiled((q, orgId: number, ids: readonly number[]) =>
    q
      .selectFrom('lead_tags')
      .select(['lead_id', 'tag'])
      .where('org_id', '=', orgId)
      .where('lead_id', 'in', ids),
  );
  const times = (table: 'tasks' | 'comments' | 'follow_ups') =>
    precompiled((q, orgId: number, ids: readonly number[]) =>
      q
        .selectFrom(table)
        .select(['lead_id', 'created_at'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', ids),
    );
  const timesOf = { tasks: times('tasks'), comments: times('comments'), follow_ups: times('follow_ups') };
  return {
    async statuses(orgId: number, trx: Q = db) {
      return trx.selectFrom('statuses').select(['id', 'category']).where('org_id', '=', orgId).execute();
    },

    /** Status history entries into the given statuses, of the organization's live leads, oldest first. */
    async outcomeEntries(orgId: number, statusIds: number[]) {
      if (statusIds.length === 0) return [];
      return db
        .selectFrom('status_history')
        .innerJoin('leads', (j) =>
          j.onRef('leads.id', '=', 'status_history.lead_id').on('leads.org_id', '=', orgId),
        )
        .select([
          'status_history.lead_id',
          'status_history.to_status_id',
          'status_history.created_at',
          'status_history.id',
        ])
        .where('status_history.org_id', '=', orgId)
        .where('status_history.to_status_id', 'in', statusIds)
        .where('leads.deleted_at', 'is', null)
        .orderBy('status_history.lead_id')
        .orderBy('status_history.created_at')
        .orderBy('status_history.id')
        .execute();
    },

    /** Live leads converted by POST /leads/:id/convert (converted_at set). */
    async convertedLeads(orgId: number) {
      return db
        .selectFrom('leads')
        .select(['id', 'converted_at'])
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .where('converted_at', 'is not', null)
        .execute();
    },

    async leadsByIds(orgId: number, ids: number[], trx: Q = db): Promise<ScoredLeadRow[]> {
      const out: ScoredLeadRow[] = [];
      for (const part of chunks(ids)) {
        if (ids.length > CHUNK) await breathe();
        out.push(
          ...(await trx
            .selectFrom('leads')
            .select(SCORED_LEAD_COLUMNS)
            .where('org_id', '=', orgId)
            .where('id', 'in', part)
            .orderBy('id')
            .execute()),
        );
      }
      return out;
    },

    /** Ids of the live, open leads (not in an outcome status, not converted). */
    async openLeadIds(orgId: number, outcomeStatusIds: number[]): Promise<number[]> {
      let q = db
        .selectFrom('leads')
        .select('id')
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .where('converted_at', 'is', null);
      if (outcomeStatusIds.length) q = q.where('status_id', 'not in', outcomeStatusIds);
      return (await q.orderBy('id').execute()).map((r) => r.id);
    },

    async tags(orgId: number, ids: number[], trx: Q = db): Promise<Map<number, string[]>> {
      const out = new Map<number, string[]>();
      for (const part of chunks(ids)) {
        if (ids.length > CHUNK) await breathe();
        const rows = await tagsOf(trx, orgId, part);
        for (const r of rows) out.set(r.lead_id, [...(out.get(r.lead_id) ?? []), r.tag]);
      }
      return out;
    },

    /** When each task, note and follow-up of these leads was recorded. */
    async activityTimes(orgId: number, ids: number[], trx: Q = db) {
      const activities = new Map<number, string[]>();
      const followUps = new Map<number, string[]>();
      const add = (m: Map<number, string[]>, id: number, at: string) => m.set(id, [...(m.get(id) ?? []), at]);
      for (const part of chunks(ids)) {
        if (ids.length > CHUNK) await breathe();
        const [tasks, comments, fus] = await Promise.all([
          timesOf.tasks(trx, orgId, part),
          timesOf.comments(trx, orgId, part),
          timesOf.follow_ups(trx, orgId, part),
        ]);
        for (const r of [...tasks, ...comments])
          if (r.lead_id !== null) add(activities, r.lead_id, r.created_at);
        // follow_ups.lead_id is never null (the three tables share one precompiled read).
        for (const r of fus) add(followUps, r.lead_id!, r.created_at);
      }
      return { activities, followUps };
    },

    /** Field changes of these leads, oldest first (to roll a lead back to what it was at its outcome). */
    async fieldChanges(orgId: number, ids: number[]) {
      const out: Array<{ lead_id: number; field: string; old_value: string | null; changed_at: string }> = [];
      for (const part of chunks(ids)) {
        await breathe();
        out.push(
          ...(await db
            .selectFrom('lead_field_changes')
            .select(['lead_id', 'field', 'old_value', 'changed_at'])
            .where('org_id', '=', orgId)
            .where('lead_id', 'in', part)
            .orderBy('changed_at')
            .orderBy('id')
            .execute()),
        );
      }
      return out;
    },

    /** Owners and teams by name, custom fields by label. */
    async labels(orgId: number): Promise<Labels> {
      const [users, teams, fields] = await Promise.all([
        db
          .selectFrom('memberships')
          .innerJoin('users', 'users.id', 'memberships.user_id')
          .select(['users.id', 'users.name'])
          .where('memberships.org_id', '=', orgId)
          .execute(),
        db.selectFrom('teams').select(['id', 'name']).where('org_id', '=', orgId).execute(),
        db.selectFrom('custom_field_defs').select(['key', 'label']).where('org_id', '=', orgId).execute(),
      ]);
      return {
        users: Object.fromEntries(users.map((u) => [String(u.id), u.name])),
        teams: Object.fromEntries(teams.map((t) => [String(t.id), t.name])),
        fields: Object.fromEntries(fields.map((f) => [f.key, f.label])),
      };
    },

    async latestModel(orgId: number, trx: Q = db): Promise<ScoringModelRow | undefined> {
      return trx
        .selectFrom('scoring_models')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    async latestModelId(orgId: number, trx: Q = db): Promise<{ id: number; status: string } | undefined> {
      return trx
        .selectFrom('scoring_models')
        .select(['id', 'status'])
        .where('org_id', '=', orgId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    async insertModel(row: Insertable<ScoringModelsTable>): Promise<number> {
      const r = await db.insertInto('scoring_models').values(row).returning('id').executeTakeFirstOrThrow();
      return r.id;
    },

    async setScore(
      orgId: number,
      id: number,
      score: number | null,
      factors: string | null,
      trx: Q = db,
    ): Promise<void> {
      await trx
        .updateTable('leads')
        .set({ score, score_factors: factors })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute();
    },

    /** Clears the score of every lead of the organization not in `keep` (closed, deleted, or no model). */
    async clearScores(orgId: number, keep: number[] = []): Promise<void> {
      const scored = await db
        .selectFrom('leads')
        .select('id')
        .where('org_id', '=', orgId)
        .where('score', 'is not', null)
        .execute();
      const keepSet = new Set(keep);
      const drop = scored.map((r) => r.id).filter((id) => !keepSet.has(id));
      for (const part of chunks(drop))
        await db
          .updateTable('leads')
          .set({ score: null, score_factors: null })
          .where('org_id', '=', orgId)
          .where('id', 'in', part)
          .execute();
    },

    /** The organization's scoring job that is queued or running, if any. */
    async pendingJob(orgId: number, kind: string, trx: Q = db) {
      return trx
        .selectFrom('jobs')
        .select(['id', 'status', 'created_at'])
        .where('org_id', '=', orgId)
        .where('kind', '=', kind)
        .where('status', 'in', ['queued', 'running'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    /** When the organization's last job of this kind was queued. */
    async lastJobAt(orgId: number, kind: string): Promise<string | null> {
      const r = await db
        .selectFrom('jobs')
        .select('created_at')
        .where('org_id', '=', orgId)
        .where('kind', '=', kind)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.created_at ?? null;
    },

    /** Organizations with at least `min` leads in one of their outcome statuses (the scheduler's candidates). */
    async organizationsWithOutcomes(min: number): Promise<number[]> {
      const rows = await db
        .selectFrom('leads')
        .innerJoin('statuses', (j) =>
          j.onRef('statuses.id', '=', 'leads.status_id').onRef('statuses.org_id', '=', 'leads.org_id'),
        )
        .select(['leads.org_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('statuses.category', 'in', ['won', 'converted', 'lost', 'closed'])
        .where('leads.deleted_at', 'is', null)
        .groupBy('leads.org_id')
        .execute();
      return rows.filter((r) => Number(r.n) >= min).map((r) => r.org_id);
    },
  };
}

export type ScoringRepository = ReturnType<typeof createScoringRepository>;
