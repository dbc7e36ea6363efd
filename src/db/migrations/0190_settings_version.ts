import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';
import { SETTINGS_ORG_COLUMNS, SETTINGS_TABLES } from '../org-cache.js';

/**
 * `organizations.settings_version` (issue 22 item 3, src/db/org-cache.ts): a counter bumped in the same
 * transaction as any write to the settings every request or lead create reads (statuses, sub-statuses,
 * reasons, custom field definitions, assignment rules, webhook endpoints, scoring models, and the time zone and
 * duplicate columns of the organization). Triggers bump it, so no writer can forget; the auth query of every
 * request reads it, and each server process keeps its settings cache keyed by (organization, version).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('settings_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  const cols = SETTINGS_ORG_COLUMNS.join(', ');
  if (isPostgres(db)) {
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION lf_bump_settings_version() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE organizations SET settings_version = settings_version + 1 WHERE id = OLD.org_id;
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.org_id IS DISTINCT FROM OLD.org_id) THEN
    UPDATE organizations SET settings_version = settings_version + 1 WHERE id = NEW.org_id;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION lf_bump_own_settings_version() RETURNS trigger AS $$
BEGIN
  NEW.settings_version := OLD.settings_version + 1;
  RETURN NEW;
END $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    for (const t of SETTINGS_TABLES)
      await sql
        .raw(
          `CREATE TRIGGER ${t}_settings_version AFTER INSERT OR UPDATE OR DELETE ON ${t}
           FOR EACH ROW EXECUTE FUNCTION lf_bump_settings_version()`,
        )
        .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER organizations_settings_version BEFORE UPDATE OF ${cols} ON organizations
         FOR EACH ROW EXECUTE FUNCTION lf_bump_own_settings_version()`,
      )
      .execute(db);
    return;
  }
  const bump = (ref: 'NEW' | 'OLD') =>
    `UPDATE organizations SET settings_version = settings_version + 1 WHERE id = ${ref}.org_id;`;
  for (const t of SETTINGS_TABLES) {
    await sql.raw(`CREATE TRIGGER ${t}_sv_ins AFTER INSERT ON ${t} BEGIN ${bump('NEW')} END`).execute(db);
    await sql
      .raw(
        `CREATE TRIGGER ${t}_sv_upd AFTER UPDATE ON ${t} BEGIN ${bump('OLD')} ` +
          `UPDATE organizations SET settings_version = settings_version + 1 WHERE id = NEW.org_id AND NEW.org_id IS NOT OLD.org_id; END`,
      )
      .execute(db);
    await sql.raw(`CREATE TRIGGER ${t}_sv_del AFTER DELETE ON ${t} BEGIN ${bump('OLD')} END`).execute(db);
  }
  // Recursive triggers are off (SQLite's default): the inner update does not fire this trigger again, and it
  // names no column of the list anyway.
  await sql
    .raw(
      `CREATE TRIGGER organizations_sv_upd AFTER UPDATE OF ${cols} ON organizations BEGIN ` +
        `UPDATE organizations SET settings_version = settings_version + 1 WHERE id = NEW.id; END`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const t of SETTINGS_TABLES)
      await sql.raw(`DROP TRIGGER IF EXISTS ${t}_settings_version ON ${t}`).execute(db);
    await sql.raw(`DROP TRIGGER IF EXISTS organizations_settings_version ON organizations`).execute(db);
    await sql.raw(`DROP FUNCTION IF EXISTS lf_bump_settings_version()`).execute(db);
    await sql.raw(`DROP FUNCTION IF EXISTS lf_bump_own_settings_version()`).execute(db);
  } else {
    for (const t of SETTINGS_TABLES)
      for (const k of ['ins', 'upd', 'del']) await sql.raw(`DROP TRIGGER IF EXISTS ${t}_sv_${k}`).execute(db);
    await sql.raw(`DROP TRIGGER IF EXISTS organizations_sv_upd`).execute(db);
  }
  await db.schema.alterTable('organizations').dropColumn('settings_version').execute();
}
