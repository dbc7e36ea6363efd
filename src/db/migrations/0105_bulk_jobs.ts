import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * Bulk lead actions above the one-transaction size run as a job (issue 21, src/leads/bulk.service.ts): the leads
 * resolved when the request came in, the action, and the progress the job commits chunk by chunk with the leads.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('bulk_jobs'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('created_by', 'integer')
    .addColumn('job_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    /** JSON: the request body (action and its fields). */
    .addColumn('input', 'text', (c) => c.notNull())
    /** JSON: who asked (kind, user, role, key scopes): the job acts as them. */
    .addColumn('actor', 'text', (c) => c.notNull())
    /** JSON: the lead ids to change, in id order, resolved with the caller's visibility at request time. */
    .addColumn('lead_ids', 'text', (c) => c.notNull())
    /** queued | running | completed | failed */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    /** JSON: per-lead refusals so far. */
    .addColumn('refused', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('bulk_jobs_org_idx').on('bulk_jobs').columns(['org_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bulk_jobs').ifExists().execute();
}
