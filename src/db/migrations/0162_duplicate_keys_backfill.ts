import { sql, type Kysely } from 'kysely';

/**
 * Leads written before duplicate detection (0160) have no blocking keys, so they would never be found as
 * duplicates. Keys are computed in code (phone and email normalizing), so this queues one
 * `duplicates.backfill` job per organization that has leads; the job queue files them in batches.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('jobs')
    .columns(['org_id', 'kind', 'payload', 'status', 'attempts', 'run_after', 'created_at', 'updated_at'])
    .expression(
      db
        .selectFrom('organizations as o')
        .where(({ exists, selectFrom }) =>
          exists(selectFrom('leads as l').select('l.id').whereRef('l.org_id', '=', 'o.id')),
        )
        .select([
          'o.id',
          sql.lit('duplicates.backfill').as('kind'),
          sql.lit('{}').as('payload'),
          sql.lit('queued').as('status'),
          sql.lit(0).as('attempts'),
          sql.lit(now).as('run_after'),
          sql.lit(now).as('created_at'),
          sql.lit(now).as('updated_at'),
        ]),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('jobs').where('kind', '=', 'duplicates.backfill').execute();
}
