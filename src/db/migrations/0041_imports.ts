import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('imports'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('created_by', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_path', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text')
    .addColumn('delimiter', 'text')
    .addColumn('detected', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('header', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('preview_rows', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('options', 'text')
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('job_id', 'integer')
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_row', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_done', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('run_seconds', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('reverted_at', 'text')
    .addColumn('revert_summary', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('imports_org_created_idx')
    .on('imports')
    .columns(['org_id', 'created_at', 'id'])
    .execute();

  await withId(db, db.schema.createTable('import_batches'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('first_row', 'integer', (c) => c.notNull())
    .addColumn('last_row', 'integer', (c) => c.notNull())
    .addColumn('created_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('import_batches_org_import_idx')
    .on('import_batches')
    .columns(['org_id', 'import_id', 'id'])
    .execute();

  await withId(db, db.schema.createTable('import_errors'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('column_name', 'text')
    .addColumn('value', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('import_errors_org_import_idx')
    .on('import_errors')
    .columns(['org_id', 'import_id', 'row_number'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['import_errors', 'import_batches', 'imports'])
    await db.schema.dropTable(t).ifExists().execute();
}
