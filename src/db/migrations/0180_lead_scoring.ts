import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * Lead scoring (issue 24, src/scoring): each organization's trained models (or refusals, with their counts), and
 * on every lead its current score (0-100, null when not scored) and the factors behind it (JSON). The score sits
 * on the lead row so `sort=-score` and `score_gte` are plain indexed reads.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('scoring_models'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    /** trained | refused | failed */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('outcomes', 'integer', (c) => c.notNull())
    .addColumn('won', 'integer', (c) => c.notNull())
    .addColumn('lost', 'integer', (c) => c.notNull())
    .addColumn('message', 'text')
    /** JSON: metrics on the held-out split, training time and memory. */
    .addColumn('metrics', 'text')
    /** JSON: the columns that matter most. */
    .addColumn('importance', 'text')
    /** JSON: the fitted model (src/scoring/model.ts TrainedModel). */
    .addColumn('model', 'text')
    .addColumn('job_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('scoring_models_org_idx')
    .on('scoring_models')
    .columns(['org_id', 'id'])
    .execute();
  await db.schema.alterTable('leads').addColumn('score', 'integer').execute();
  await db.schema.alterTable('leads').addColumn('score_factors', 'text').execute();
  await db.schema.createIndex('leads_org_score_idx').on('leads').columns(['org_id', 'score', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('leads_org_score_idx').ifExists().execute();
  await db.schema.alterTable('leads').dropColumn('score_factors').execute();
  await db.schema.alterTable('leads').dropColumn('score').execute();
  await db.schema.dropTable('scoring_models').ifExists().execute();
}
