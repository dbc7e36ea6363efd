import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * Duplicate detection and merge (issue 23, src/duplicates):
 * - `lead_dup_keys`: the blocking keys of each live lead (normalized email, phone, external id, name keys), so
 *   candidates come from an index, never from a scan of the organization's leads;
 * - `duplicate_pairs`: scored pairs of possible duplicates, kept up to date on every lead write; `status`
 *   'open' or 'dismissed' (a person said "not a duplicate": the pair is never flagged again);
 * - `lead_merges`: what each merge moved, so it can be undone while nothing changed since;
 * - `leads.merged_into_id`: a merged lead stays readable by id and is hidden from lists and search;
 * - the organization's duplicate-check setting grows `on_create` (flag or refuse) and the refusal score.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('leads').addColumn('merged_into_id', 'integer').execute();
  await db.schema
    .alterTable('organizations')
    .addColumn('duplicate_on_create', 'text', (c) => c.notNull().defaultTo('flag'))
    .execute();
  await db.schema
    .alterTable('organizations')
    .addColumn('duplicate_refuse_score', 'integer', (c) => c.notNull().defaultTo(90))
    .execute();

  await db.schema
    .createTable('lead_dup_keys')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_dup_keys_pk', ['org_id', 'key', 'lead_id'])
    .execute();
  await db.schema
    .createIndex('lead_dup_keys_org_lead_idx')
    .on('lead_dup_keys')
    .columns(['org_id', 'lead_id'])
    .execute();

  await db.schema
    .createTable('duplicate_pairs')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    // lead_a < lead_b: one row per pair.
    .addColumn('lead_a', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('lead_b', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    /** Thousandths (0..1000). */
    .addColumn('score', 'integer', (c) => c.notNull())
    /** JSON array of reasons: email, phone, external_id, name, company. */
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('dismissed_by', 'integer')
    .addPrimaryKeyConstraint('duplicate_pairs_pk', ['org_id', 'lead_a', 'lead_b'])
    .execute();
  await db.schema
    .createIndex('duplicate_pairs_org_b_idx')
    .on('duplicate_pairs')
    .columns(['org_id', 'lead_b'])
    .execute();
  await db.schema
    .createIndex('duplicate_pairs_org_status_idx')
    .on('duplicate_pairs')
    .columns(['org_id', 'status', 'lead_a'])
    .execute();

  await withId(db, db.schema.createTable('lead_merges'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('primary_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    /** JSON array of the merged lead ids. */
    .addColumn('merged_ids', 'text', (c) => c.notNull())
    /** JSON: what moved, what was copied, the primary's fields before, the versions after (for the undo). */
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('undone_at', 'text')
    .addColumn('undone_by', 'integer')
    .execute();
  await db.schema
    .createIndex('lead_merges_org_primary_idx')
    .on('lead_merges')
    .columns(['org_id', 'primary_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lead_merges').ifExists().execute();
  await db.schema.dropTable('duplicate_pairs').ifExists().execute();
  await db.schema.dropTable('lead_dup_keys').ifExists().execute();
  await db.schema.alterTable('organizations').dropColumn('duplicate_refuse_score').execute();
  await db.schema.alterTable('organizations').dropColumn('duplicate_on_create').execute();
  await db.schema.alterTable('leads').dropColumn('merged_into_id').execute();
}
