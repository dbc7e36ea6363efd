import { sql, type Kysely } from 'kysely';

/**
 * `reasons.number`: a reason's number within its organization (1, 2, 3... in the order the reasons were made,
 * retired ones included so a number never moves), unique per organization. Ids are global autoincrements, so a
 * client that names reasons by small numbers (seed 002's `reasonId: 1`) reaches the same reasons in every
 * organization through it (docs/decisions.md, "Per-organization reason numbers").
 * `organizations.reason_numbers` is the last number given: taking the next ones is one UPDATE of the
 * organization's row, which also orders concurrent inserts (PostgreSQL locks the row until commit).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reasons').addColumn('number', 'integer').execute();
  await sql`UPDATE reasons SET number = (SELECT COUNT(*) FROM reasons r2 WHERE r2.org_id = reasons.org_id AND r2.id <= reasons.id)`.execute(
    db,
  );
  await db.schema
    .createIndex('reasons_org_number_uq')
    .on('reasons')
    .columns(['org_id', 'number'])
    .unique()
    .execute();
  await db.schema
    .alterTable('organizations')
    .addColumn('reason_numbers', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE organizations SET reason_numbers = COALESCE((SELECT MAX(number) FROM reasons WHERE reasons.org_id = organizations.id), 0)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('reasons_org_number_uq').ifExists().execute();
  await db.schema.alterTable('reasons').dropColumn('number').execute();
  await db.schema.alterTable('organizations').dropColumn('reason_numbers').execute();
}
