import { PostgresAdapter, type Kysely, type CreateTableBuilder } from 'kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Adds an auto-incrementing integer primary key `id` on either dialect. */
export function withId<T extends string>(db: Kysely<any>, builder: CreateTableBuilder<T, never>) {
  return isPostgres(db)
    ? builder.addColumn('id', 'serial', (c) => c.primaryKey())
    : builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** The current time as stored in every timestamp column. */
export function nowIso(): string {
  return new Date().toISOString();
}
