import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  const lead = (c: any) => c.notNull().references('leads.id').onDelete('cascade');

  await withId(db, db.schema.createTable('follow_ups'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', lead)
    .addColumn('scheduled_at', 'text')
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'integer')
    .addColumn('notes', 'text')
    .addColumn('next_follow_up_at', 'text')
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('follow_ups_org_lead_idx')
    .on('follow_ups')
    .columns(['org_id', 'lead_id', 'id'])
    .execute();

  await withId(db, db.schema.createTable('tasks'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', lead)
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

  await withId(db, db.schema.createTable('comments'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', lead)
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('comments_org_lead_idx')
    .on('comments')
    .columns(['org_id', 'lead_id', 'id'])
    .execute();

  await withId(db, db.schema.createTable('attachments'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', lead)
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('attachments_org_lead_idx')
    .on('attachments')
    .columns(['org_id', 'lead_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['attachments', 'comments', 'tasks', 'follow_ups'])
    await db.schema.dropTable(t).ifExists().execute();
}
