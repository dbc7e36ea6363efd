import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/** Saved list views, private or shared with the organization or a team (issue 21). */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('saved_views'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('sort', 'text')
    .addColumn('columns', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('team_id', 'integer', (c) => c.references('teams.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('saved_views_org_owner_idx')
    .on('saved_views')
    .columns(['org_id', 'owner_id', 'id'])
    .execute();
  await db.schema
    .createIndex('saved_views_org_visibility_idx')
    .on('saved_views')
    .columns(['org_id', 'visibility', 'team_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('saved_views').execute();
}
