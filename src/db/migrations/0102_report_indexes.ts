import type { Kysely } from 'kysely';

/**
 * Reports (issue 21, docs/performance.md "Reports"). Every report groups one organization's live leads by a few
 * columns; over the existing (org_id, x, created_at, id) indexes each counted lead cost a table row read. This
 * index holds every column the reports read, so a report reads the index alone, walked in status order (the
 * board and funnel group without a sort). The status history index serves "ever reached a won status" as one
 * set built once per report, and the first time a lead was won, without reading history rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('leads_org_report_idx')
    .on('leads')
    .columns([
      'org_id',
      'deleted_at',
      'status_id',
      'owner_id',
      'team_id',
      'source',
      'created_at',
      'converted_at',
      'value_cents',
      'probability',
      'id',
    ])
    .execute();
  await db.schema
    .createIndex('status_history_org_to_lead_idx')
    .on('status_history')
    .columns(['org_id', 'to_status_id', 'lead_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('status_history_org_to_lead_idx').execute();
  await db.schema.dropIndex('leads_org_report_idx').execute();
}
