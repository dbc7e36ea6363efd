import type { Kysely } from 'kysely';
import { withId } from '../dialect.js';

/**
 * Assignment rules (src/assignment) and webhooks (src/webhooks): the rules with their round-robin cursor, the
 * assignment history (with its SLA deadline), the `away` flag of a member, the rule that assigned a lead; the
 * webhook endpoints, the event outbox, the deliveries and each delivery attempt, and the organization's
 * permission to call private network addresses.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('memberships')
    .addColumn('away', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('leads').addColumn('assignment_rule_id', 'integer').execute();
  await db.schema
    .alterTable('organizations')
    .addColumn('webhooks_allow_private', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await withId(db, db.schema.createTable('assignment_rules'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('conditions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('user_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('team_id', 'integer')
    .addColumn('capacity', 'integer')
    .addColumn('capacity_days', 'integer', (c) => c.notNull().defaultTo(30))
    .addColumn('sla_minutes', 'integer')
    .addColumn('rr_cursor', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('assignment_rules_org_pos_idx')
    .on('assignment_rules')
    .columns(['org_id', 'position'])
    .execute();

  await withId(db, db.schema.createTable('lead_assignments'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('lead_id', 'integer', (c) => c.notNull())
    .addColumn('rule_id', 'integer')
    .addColumn('user_id', 'integer')
    .addColumn('team_id', 'integer')
    .addColumn('previous_user_id', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('sla_due_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('lead_assignments_org_user_idx')
    .on('lead_assignments')
    .columns(['org_id', 'user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('lead_assignments_org_lead_idx')
    .on('lead_assignments')
    .columns(['org_id', 'lead_id', 'id'])
    .execute();
  await db.schema
    .createIndex('lead_assignments_org_sla_idx')
    .on('lead_assignments')
    .columns(['org_id', 'resolved_at', 'sla_due_at'])
    .execute();

  await withId(db, db.schema.createTable('webhook_endpoints'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('events', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_org_idx')
    .on('webhook_endpoints')
    .columns(['org_id', 'enabled'])
    .execute();

  await withId(db, db.schema.createTable('webhook_events'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_events_org_idx')
    .on('webhook_events')
    .columns(['org_id', 'id'])
    .execute();

  await withId(db, db.schema.createTable('webhook_deliveries'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('endpoint_id', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_org_endpoint_idx')
    .on('webhook_deliveries')
    .columns(['org_id', 'endpoint_id', 'id'])
    .execute();

  await withId(db, db.schema.createTable('webhook_attempts'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('delivery_id', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('request_headers', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_attempts_org_delivery_idx')
    .on('webhook_attempts')
    .columns(['org_id', 'delivery_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'webhook_attempts',
    'webhook_deliveries',
    'webhook_events',
    'webhook_endpoints',
    'lead_assignments',
    'assignment_rules',
  ])
    await db.schema.dropTable(t).ifExists().execute();
  await db.schema.alterTable('organizations').dropColumn('webhooks_allow_private').execute();
  await db.schema.alterTable('leads').dropColumn('assignment_rule_id').execute();
  await db.schema.alterTable('memberships').dropColumn('away').execute();
}
