import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * The people on a lead beyond its owner (assignees, advisor, BDC agent, F&I, service advisor and agent, who took
 * it over and who delivered it), and the teams it belongs to beyond its primary team (leads.team_id).
 * The owner stays leads.owner_id: every writer of a lead (imports, surfaces) sets it already.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('lead_users'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('lead_users_org_lead_role_user_uq', ['org_id', 'lead_id', 'role', 'user_id'])
    .execute();
  // "Leads of this user (in this role)": the list filter and agent visibility.
  await db.schema
    .createIndex('lead_users_org_user_role_idx')
    .on('lead_users')
    .columns(['org_id', 'user_id', 'role', 'lead_id'])
    .execute();

  await db.schema
    .createTable('lead_teams')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_teams_pk', ['org_id', 'lead_id', 'team_id'])
    .execute();
  await db.schema
    .createIndex('lead_teams_org_team_idx')
    .on('lead_teams')
    .columns(['org_id', 'team_id', 'lead_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lead_teams').ifExists().execute();
  await db.schema.dropTable('lead_users').ifExists().execute();
}
