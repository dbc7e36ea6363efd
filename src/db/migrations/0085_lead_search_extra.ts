import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

const OLD = ['first_name', 'last_name', 'email', 'phone', 'mobile', 'company_name', 'title'];
const NEW = [...OLD, 'city', 'postal_code', 'search_extra'];

/**
 * Lead search also covers city, postal code and `search_extra`: the second contact and every email and phone of
 * the lead (lead_contact_points), written by the lead's parts (src/leads/lead-search.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('leads').addColumn('search_extra', 'text').execute();
  if (isPostgres(db)) await recreatePg(db, NEW);
  else await recreateSqlite(db, NEW);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await recreatePg(db, OLD);
  else await recreateSqlite(db, OLD);
  await db.schema.alterTable('leads').dropColumn('search_extra').execute();
}

async function recreatePg(db: Kysely<any>, cols: string[]) {
  await sql`DROP INDEX IF EXISTS leads_search_idx`.execute(db);
  await sql`ALTER TABLE leads DROP COLUMN IF EXISTS search`.execute(db);
  const joined = sql.join(
    cols.map((c) => sql`coalesce(${sql.ref(c)},'')`),
    sql` || ' ' || `,
  );
  await sql`ALTER TABLE leads ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', regexp_replace(
    ${joined}, '[^[:alnum:]]+', ' ', 'g'))) STORED`.execute(db);
  await sql`CREATE INDEX leads_search_idx ON leads USING gin (search)`.execute(db);
}

async function recreateSqlite(db: Kysely<any>, cols: string[]) {
  for (const t of ['leads_fts_ai', 'leads_fts_ad', 'leads_fts_au'])
    await sql`DROP TRIGGER IF EXISTS ${sql.raw(t)}`.execute(db);
  await sql`DROP TABLE IF EXISTS leads_fts`.execute(db);
  const list = sql.raw(cols.join(', '));
  const newVals = sql.raw(cols.map((c) => `new.${c}`).join(', '));
  const oldVals = sql.raw(cols.map((c) => `old.${c}`).join(', '));
  await sql`CREATE VIRTUAL TABLE leads_fts USING fts5(${list},
    content='leads', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6 7 8')`.execute(
    db,
  );
  await sql`CREATE TRIGGER leads_fts_ai AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts(rowid, ${list}) VALUES (new.id, ${newVals});
  END`.execute(db);
  await sql`CREATE TRIGGER leads_fts_ad AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts(leads_fts, rowid, ${list}) VALUES ('delete', old.id, ${oldVals});
  END`.execute(db);
  await sql`CREATE TRIGGER leads_fts_au AFTER UPDATE OF ${list} ON leads BEGIN
    INSERT INTO leads_fts(leads_fts, rowid, ${list}) VALUES ('delete', old.id, ${oldVals});
    INSERT INTO leads_fts(rowid, ${list}) VALUES (new.id, ${newVals});
  END`.execute(db);
  await sql`INSERT INTO leads_fts(leads_fts) VALUES ('rebuild')`.execute(db);
}
