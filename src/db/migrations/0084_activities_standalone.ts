import { sql, type Kysely } from 'kysely';
import { isPostgres, withId } from '../dialect.js';

const TASK_COLUMNS = [
  'id',
  'org_id',
  'lead_id',
  'type',
  'title',
  'description',
  'due_at',
  'start_at',
  'end_at',
  'assignee_id',
  'done_at',
  'created_by',
  'created_at',
  'updated_at',
];

/**
 * Tasks and events that belong to no lead (lead_id becomes nullable), event flags (canceled, confirmed, no_show)
 * and a task priority; notes (comments) that answer a note (parent_id) and carry a file link.
 * SQLite cannot drop NOT NULL, so it rebuilds `tasks` (nothing references it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await db.schema
      .alterTable('tasks')
      .alterColumn('lead_id', (c) => c.dropNotNull())
      .execute();
  } else {
    await withId(db, db.schema.createTable('tasks_0084'))
      .addColumn('org_id', 'integer', (c) => c.notNull())
      .addColumn('lead_id', 'integer', (c) => c.references('leads.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('due_at', 'text')
      .addColumn('start_at', 'text')
      .addColumn('end_at', 'text')
      .addColumn('assignee_id', 'integer')
      .addColumn('done_at', 'text')
      .addColumn('created_by', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    const cols = sql.join(TASK_COLUMNS.map((c) => sql.ref(c)));
    await sql`INSERT INTO tasks_0084 (${cols}) SELECT ${cols} FROM tasks`.execute(db);
    await db.schema.dropTable('tasks').execute();
    await db.schema.alterTable('tasks_0084').renameTo('tasks').execute();
    await db.schema
      .createIndex('tasks_org_lead_idx')
      .on('tasks')
      .columns(['org_id', 'lead_id', 'id'])
      .execute();
    await db.schema
      .createIndex('tasks_org_assignee_due_idx')
      .on('tasks')
      .columns(['org_id', 'assignee_id', 'due_at'])
      .execute();
  }
  await db.schema.alterTable('tasks').addColumn('priority', 'text').execute();
  await db.schema
    .alterTable('tasks')
    .addColumn('canceled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('tasks')
    .addColumn('confirmed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('tasks')
    .addColumn('no_show', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('comments').addColumn('parent_id', 'integer').execute();
  await db.schema.alterTable('comments').addColumn('file_url', 'text').execute();
  await db.schema.alterTable('comments').addColumn('attachment_id', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['attachment_id', 'file_url', 'parent_id'])
    await db.schema.alterTable('comments').dropColumn(c).execute();
  for (const c of ['no_show', 'confirmed', 'canceled', 'priority'])
    await db.schema.alterTable('tasks').dropColumn(c).execute();
  // Tasks without a lead cannot go back under NOT NULL.
  await db.deleteFrom('tasks').where('lead_id', 'is', null).execute();
  if (isPostgres(db))
    await db.schema
      .alterTable('tasks')
      .alterColumn('lead_id', (c) => c.setNotNull())
      .execute();
}
