import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, StatusesTable } from '../db/schema.js';
import type { SubStatusesTable } from './pipeline.tables.js';
import { DEFAULT_REASONS, DEFAULT_STATUSES } from './default-statuses.js';
import { catalogRepository } from '../catalogs/catalog.repository.js';
import { defaultLifecycle } from '../catalogs/lifecycle.js';
import { cachedOrgRead } from '../db/org-cache.js';

type Q = Kysely<Database>;
export type StatusRow = Selectable<StatusesTable>;
export type SubStatusRow = Selectable<SubStatusesTable>;

/** A deleted status or sub-status keeps its row (history names it) but frees its key/name with a "~<id>" suffix. */
const TOMBSTONE = /~\d+$/;
export const displayKey = (k: string) => k.replace(TOMBSTONE, '');

export function createStatusRepository(db: Q) {
  /** Live statuses in pipeline order, from the organization's settings cache (src/db/org-cache.ts). */
  const liveStatuses = (orgId: number, trx: Q) =>
    cachedOrgRead(trx, orgId, 'statuses', () =>
      trx
        .selectFrom('statuses')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .orderBy('position')
        .orderBy('id')
        .execute(),
    );
  return {
    /** Seeds a new organization's pipeline: statuses and a starter reasons catalog. */
    async insertDefaults(trx: Q, orgId: number, now: string) {
      await trx
        .insertInto('statuses')
        .values(
          DEFAULT_STATUSES.map((s, i) => ({
            org_id: orgId,
            key: s.key,
            label: s.label,
            position: (i + 1) * 10,
            category: s.category,
            reason_required: s.reason_required ? 1 : 0,
            is_default: s.is_default ? 1 : 0,
            lifecycle: defaultLifecycle(s.category, s.is_default),
            created_at: now,
          })),
        )
        .execute();
      await trx
        .insertInto('reasons')
        .values(
          DEFAULT_REASONS.map((r, i) => ({
            org_id: orgId,
            text: r.text,
            number: i + 1,
            categories: r.categories ? JSON.stringify(r.categories) : null,
            position: (i + 1) * 10,
            created_at: now,
          })),
        )
        .execute();
      // A new organization's reasons are its numbers 1, 2, 3... (migration 0062).
      await trx
        .updateTable('organizations')
        .set({ reason_numbers: DEFAULT_REASONS.length })
        .where('id', '=', orgId)
        .execute();
      // The importance levels and priorities every organization starts with (src/catalogs).
      await catalogRepository.insertDefaults(trx, orgId, now);
    },

    /** Live statuses, in pipeline order. */
    async listByOrg(orgId: number, trx: Q = db) {
      return liveStatuses(orgId, trx);
    },
    /** Every status ever defined, deleted ones included (history still names them). */
    async listAllByOrg(orgId: number, trx: Q = db) {
      return trx.selectFrom('statuses').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
    },
    async findByKey(orgId: number, key: string, trx: Q = db) {
      return (await liveStatuses(orgId, trx)).find((s) => s.key === key);
    },
    /** The default status, else the first in pipeline order. */
    async findDefault(orgId: number, trx: Q = db) {
      const live = await liveStatuses(orgId, trx);
      return live.find((s) => s.is_default) ?? live[0] ?? null;
    },
    async insert(trx: Q, row: Insertable<StatusesTable>) {
      return trx.insertInto('statuses').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async update(trx: Q, orgId: number, id: number, set: Updateable<StatusesTable>) {
      return trx
        .updateTable('statuses')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async clearDefault(trx: Q, orgId: number) {
      await trx
        .updateTable('statuses')
        .set({ is_default: 0 })
        .where('org_id', '=', orgId)
        .where('is_default', '=', 1)
        .execute();
    },
    async maxPosition(orgId: number, trx: Q = db): Promise<number> {
      const r = await trx
        .selectFrom('statuses')
        .select((eb) => eb.fn.max('position').as('m'))
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(r?.m ?? 0);
    },
    /** How many leads (live and in the trash) sit in a status. */
    async countLeads(orgId: number, statusId: number, trx: Q = db) {
      const r = await trx
        .selectFrom('leads')
        .select([
          (eb) => eb.fn.countAll<number>().as('n'),
          sql<number>`sum(case when deleted_at is null then 0 else 1 end)`.as('trashed'),
        ])
        .where('org_id', '=', orgId)
        .where('status_id', '=', statusId)
        .executeTakeFirstOrThrow();
      return { total: Number(r.n), trashed: Number(r.trashed ?? 0) };
    },
    async countLeadsByStatus(orgId: number, trx: Q = db): Promise<Map<number, number>> {
      const rows = await trx
        .selectFrom('leads')
        .select(['status_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('org_id', '=', orgId)
        .where('deleted_at', 'is', null)
        .groupBy('status_id')
        .execute();
      return new Map(rows.map((r) => [r.status_id, Number(r.n)]));
    },
    /**
     * Moves every lead of a status to another, appending one history row per lead (history is append-only,
     * so a move is recorded like any other change).
     */
    async moveLeads(
      trx: Q,
      orgId: number,
      fromId: number,
      toId: number,
      reasonId: number | null,
      note: string,
      by: number | null,
      now: string,
    ) {
      await trx
        .insertInto('status_history')
        .columns([
          'org_id',
          'lead_id',
          'from_status_id',
          'to_status_id',
          'sub_status_id',
          'reason_id',
          'note',
          'created_by',
          'created_at',
        ])
        .expression((eb) =>
          eb
            .selectFrom('leads')
            .select([
              'org_id',
              'id',
              'status_id',
              sql<number>`${toId}`.as('to_status_id'),
              sql<null>`null`.as('sub_status_id'),
              sql<number | null>`${reasonId}`.as('reason_id'),
              sql<string>`${note}`.as('note'),
              sql<number | null>`${by}`.as('created_by'),
              sql<string>`${now}`.as('created_at'),
            ])
            .where('org_id', '=', orgId)
            .where('status_id', '=', fromId),
        )
        .execute();
      const r = await trx
        .updateTable('leads')
        .set((eb) => ({
          status_id: toId,
          sub_status_id: null,
          status_changed_at: now,
          updated_at: now,
          updated_by: by,
          version: eb('version', '+', 1),
        }))
        .where('org_id', '=', orgId)
        .where('status_id', '=', fromId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    // Sub-statuses
    async listSubStatuses(orgId: number, statusId?: number, trx: Q = db): Promise<SubStatusRow[]> {
      const all = await cachedOrgRead(trx, orgId, 'sub_statuses', () =>
        trx
          .selectFrom('sub_statuses')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('deleted_at', 'is', null)
          .orderBy('status_id')
          .orderBy('position')
          .orderBy('id')
          .execute(),
      );
      return statusId === undefined ? all : all.filter((s) => s.status_id === statusId);
    },
    async findSubStatus(orgId: number, statusId: number, name: string, trx: Q = db) {
      return trx
        .selectFrom('sub_statuses')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('status_id', '=', statusId)
        .where('name', '=', name)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },
    /** Live sub-statuses with this name under any status (to explain "belongs to another status"). */
    async findSubStatusesNamed(orgId: number, name: string, trx: Q = db) {
      return trx
        .selectFrom('sub_statuses')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .where('deleted_at', 'is', null)
        .execute();
    },
    async subStatusesByIds(orgId: number, ids: number[], trx: Q = db): Promise<Map<number, SubStatusRow>> {
      if (ids.length === 0) return new Map();
      const rows = await trx
        .selectFrom('sub_statuses')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', 'in', [...new Set(ids)])
        .execute();
      return new Map(rows.map((r) => [r.id, r]));
    },
    async insertSubStatus(trx: Q, row: Insertable<SubStatusesTable>) {
      return trx.insertInto('sub_statuses').values(row).returningAll().executeTakeFirstOrThrow();
    },
    /**
     * Inserts a sub-status, or revives a retired one of the same name (the unique key covers retired rows too);
     * undefined when a live one has the name. One statement, so parallel adds cannot both pass a check.
     */
    async upsertSubStatus(trx: Q, row: Insertable<SubStatusesTable>) {
      return trx
        .insertInto('sub_statuses')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'status_id', 'name'])
            .doUpdateSet((eb) => ({
              deleted_at: null,
              position: eb.ref('excluded.position'),
              created_at: eb.ref('excluded.created_at'),
            }))
            .where('sub_statuses.deleted_at', 'is not', null),
        )
        .returningAll()
        .executeTakeFirst();
    },
    async updateSubStatus(trx: Q, orgId: number, id: number, set: Updateable<SubStatusesTable>) {
      return trx
        .updateTable('sub_statuses')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async maxSubStatusPosition(orgId: number, statusId: number, trx: Q = db): Promise<number> {
      const r = await trx
        .selectFrom('sub_statuses')
        .select((eb) => eb.fn.max('position').as('m'))
        .where('org_id', '=', orgId)
        .where('status_id', '=', statusId)
        .executeTakeFirst();
      return Number(r?.m ?? 0);
    },
    async countLeadsWithSubStatus(orgId: number, subStatusId: number, trx: Q = db): Promise<number> {
      const r = await trx
        .selectFrom('leads')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', orgId)
        .where('sub_status_id', '=', subStatusId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type StatusRepository = ReturnType<typeof createStatusRepository>;
