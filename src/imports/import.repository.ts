import { CompiledQuery, sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/database.js';
import { createTagStore } from '../db/tag-store.js';
import { LEAD_COLUMNS, type LeadRow } from '../leads/lead.repository.js';
import type { ImportsTable, ImportBatchesTable } from './import.tables.js';

type Q = Kysely<Database>;
export type ImportRow = Selectable<ImportsTable>;
export type ImportUpdate = Updateable<ImportsTable>;

/** The lead columns an import writes: the lead repository's bulk insert columns (src/leads). */
export { BULK_LEAD_COLUMNS as IMPORT_LEAD_COLUMNS } from '../leads/lead.repository.js';
export type {
  BulkLeadColumn as ImportLeadColumn,
  BulkLeadRow as LeadInsertRow,
} from '../leads/lead.repository.js';

export type DedupeKey = 'email' | 'phone' | 'external_id';

export function createImportRepository(db: Q, dialect: Dialect) {
  const leadTags = createTagStore(db, 'lead_tags');
  return {
    async insert(row: Omit<ImportRow, 'id'>): Promise<ImportRow> {
      return db.insertInto('imports').values(row).returningAll().executeTakeFirstOrThrow();
    },

    async find(orgId: number, id: number, trx: Q = db): Promise<ImportRow | undefined> {
      return trx
        .selectFrom('imports')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async list(orgId: number, limit: number, beforeId?: number): Promise<ImportRow[]> {
      let q = db.selectFrom('imports').selectAll().where('org_id', '=', orgId);
      if (beforeId) q = q.where('id', '<', beforeId);
      return q.orderBy('id', 'desc').limit(limit).execute();
    },

    async update(trx: Q, orgId: number, id: number, set: ImportUpdate): Promise<void> {
      await trx.updateTable('imports').set(set).where('org_id', '=', orgId).where('id', '=', id).execute();
    },

    /** Moves an import from one status to another only if nobody moved it first. */
    async transition(trx: Q, orgId: number, id: number, from: string[], set: ImportUpdate): Promise<boolean> {
      const r = await trx
        .updateTable('imports')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('status', 'in', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Names of the users who started imports (the history shows who). */
    async userNames(ids: number[]): Promise<Map<number, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async listMembers(orgId: number) {
      return db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['memberships.user_id', 'users.email', 'users.name'])
        .where('memberships.org_id', '=', orgId)
        .where('memberships.deactivated_at', 'is', null)
        .execute();
    },

    /** Live leads whose `key` is one of `values` (the dedupe lookup of a batch). */
    async findByKey(trx: Q, orgId: number, key: DedupeKey, values: string[]): Promise<LeadRow[]> {
      if (values.length === 0) return [];
      return trx
        .selectFrom('leads')
        .select(LEAD_COLUMNS)
        .where('org_id', '=', orgId)
        .where(key, 'in', values)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .execute();
    },

    async insertStatusHistory(
      trx: Q,
      orgId: number,
      leadIds: number[],
      statusIds: number[],
      userId: number | null,
      now: string,
      /** Per lead, when it reached its status if the file says (a converted date); else `now`. */
      at?: Array<string | null>,
    ): Promise<void> {
      if (leadIds.length === 0) return;
      if (dialect === 'postgres') {
        await trx.executeQuery(
          CompiledQuery.raw(
            'INSERT INTO status_history (org_id, lead_id, to_status_id, created_by, created_at) SELECT $1::int, l, s, $2::int, coalesce(a, $3::text) FROM unnest($4::int[], $5::int[], $6::text[]) AS t(l, s, a)',
            [orgId, userId, now, leadIds, statusIds, leadIds.map((_, i) => at?.[i] ?? null)],
          ),
        );
        return;
      }
      await trx
        .insertInto('status_history')
        .values(
          leadIds.map((id, i) => ({
            org_id: orgId,
            lead_id: id,
            to_status_id: statusIds[i],
            created_by: userId,
            created_at: at?.[i] ?? now,
          })),
        )
        .execute();
    },

    async tagsOf(trx: Q, orgId: number, leadIds: number[]): Promise<Array<{ lead_id: number; tag: string }>> {
      if (leadIds.length === 0) return [];
      return trx
        .selectFrom('lead_tags')
        .select(['lead_id', 'tag'])
        .where('org_id', '=', orgId)
        .where('lead_id', 'in', leadIds)
        .execute();
    },

    replaceTags: leadTags.replaceTags,

    /** Updates a lead if it still has `version`; returns false when it moved on. */
    async updateLead(
      trx: Q,
      orgId: number,
      id: number,
      version: number,
      set: Record<string, unknown>,
    ): Promise<boolean> {
      const r = await trx
        .updateTable('leads')
        .set({ ...set, version: version + 1 })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async insertFieldChanges(
      trx: Q,
      rows: Array<{
        org_id: number;
        lead_id: number;
        field: string;
        old_value: string | null;
        new_value: string | null;
        changed_by: number | null;
        changed_at: string;
      }>,
    ) {
      for (let i = 0; i < rows.length; i += 2000)
        await trx
          .insertInto('lead_field_changes')
          .values(rows.slice(i, i + 2000))
          .execute();
    },

    async insertBatch(trx: Q, row: Omit<Selectable<ImportBatchesTable>, 'id'>): Promise<void> {
      await trx.insertInto('import_batches').values(row).execute();
    },

    async insertErrors(
      trx: Q,
      rows: Array<{
        org_id: number;
        import_id: number;
        row_number: number;
        column_name: string | null;
        value: string | null;
        message: string;
      }>,
    ) {
      for (let i = 0; i < rows.length; i += 1000)
        await trx
          .insertInto('import_errors')
          .values(rows.slice(i, i + 1000))
          .execute();
    },

    async errorsPage(orgId: number, importId: number, afterId: number, limit: number) {
      return db
        .selectFrom('import_errors')
        .select(['id', 'row_number', 'column_name', 'value', 'message'])
        .where('org_id', '=', orgId)
        .where('import_id', '=', importId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
    },

    async batchesPage(trx: Q, orgId: number, importId: number, beforeId: number, limit: number) {
      return trx
        .selectFrom('import_batches')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('import_id', '=', importId)
        .where('id', '<', beforeId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },

    /** Every custom field key used by the organization's leads (the export's extra columns). */
    async customFieldKeys(orgId: number): Promise<string[]> {
      const rows =
        dialect === 'postgres'
          ? await sql<{
              k: string;
            }>`SELECT DISTINCT jsonb_object_keys(custom_fields::jsonb) AS k FROM leads WHERE org_id = ${orgId} AND custom_fields <> '{}'`.execute(
              db,
            )
          : await sql<{
              k: string;
            }>`SELECT DISTINCT j.key AS k FROM leads, json_each(leads.custom_fields) AS j WHERE leads.org_id = ${orgId} AND leads.custom_fields <> '{}'`.execute(
              db,
            );
      return rows.rows.map((r) => r.k).sort();
    },

    async deleteBatch(trx: Q, orgId: number, id: number): Promise<void> {
      await trx.deleteFrom('import_batches').where('org_id', '=', orgId).where('id', '=', id).execute();
    },

    /** Soft-deletes the given leads (the trash keeps them restorable). Returns how many were still live. */
    async softDelete(
      trx: Q,
      orgId: number,
      ids: number[],
      userId: number | null,
      now: string,
    ): Promise<number> {
      let n = 0;
      for (let i = 0; i < ids.length; i += 1000) {
        const r = await trx
          .updateTable('leads')
          .set({ deleted_at: now, updated_at: now, updated_by: userId, version: sql`version + 1` })
          .where('org_id', '=', orgId)
          .where('id', 'in', ids.slice(i, i + 1000))
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    },

    async leadsByIds(trx: Q, orgId: number, ids: number[]): Promise<LeadRow[]> {
      if (ids.length === 0) return [];
      return trx
        .selectFrom('leads')
        .select(LEAD_COLUMNS)
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute();
    },
  };
}

export type ImportRepository = ReturnType<typeof createImportRepository>;
