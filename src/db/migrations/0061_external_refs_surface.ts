import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * `external_refs.surface`: the compatible surface that keeps the value (docs/decisions.md, "External refs per
 * surface"), part of the unique key, so two surfaces keeping a `created_by` for one lead do not overwrite each
 * other. Existing rows were all written by the only surface that kept refs so far: 'capillary'.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`ALTER TABLE external_refs ADD COLUMN surface text NOT NULL DEFAULT 'capillary'`.execute(db);
    await sql`ALTER TABLE external_refs ALTER COLUMN surface DROP DEFAULT`.execute(db);
    await sql`ALTER TABLE external_refs DROP CONSTRAINT external_refs_org_entity_uq`.execute(db);
  } else {
    // SQLite cannot drop a table constraint: rebuild the table with the same ids.
    await sql`CREATE TABLE external_refs_new (
      id integer PRIMARY KEY AUTOINCREMENT,
      org_id integer NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      surface text NOT NULL,
      entity text NOT NULL,
      entity_id integer NOT NULL,
      name text NOT NULL,
      value text NOT NULL,
      created_at text NOT NULL
    )`.execute(db);
    await sql`INSERT INTO external_refs_new (id, org_id, surface, entity, entity_id, name, value, created_at)
      SELECT id, org_id, 'capillary', entity, entity_id, name, value, created_at FROM external_refs`.execute(
      db,
    );
    await sql`DROP TABLE external_refs`.execute(db);
    await sql`ALTER TABLE external_refs_new RENAME TO external_refs`.execute(db);
  }
  await db.schema
    .createIndex('external_refs_org_surface_entity_uq')
    .on('external_refs')
    .columns(['org_id', 'surface', 'entity', 'entity_id', 'name'])
    .unique()
    .execute();
}

export async function down(): Promise<void> {
  // Two surfaces' values for one record cannot be folded back into one row: no way down.
  throw new Error('0061_external_refs_surface cannot be undone');
}
