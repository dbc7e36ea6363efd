import type { Generated } from 'kysely';

export interface WebhookEndpointsTable {
  id: Generated<number>;
  org_id: number;
  url: string;
  description: string | null;
  /** JSON array of event types (an empty array: every event). */
  events: string;
  secret: string;
  enabled: number;
  consecutive_failures: number;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

/** The outbox: one row per change, written in the change's transaction. */
export interface WebhookEventsTable {
  id: Generated<number>;
  org_id: number;
  type: string;
  /** JSON: the event body sent to receivers (byte-identical on every attempt). */
  payload: string;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  org_id: number;
  endpoint_id: number;
  event_id: number;
  /** pending | succeeded | failed */
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  response_status: number | null;
  last_error: string | null;
  duration_ms: number | null;
  created_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  org_id: number;
  delivery_id: number;
  attempt: number;
  /** JSON of the headers sent (timestamp, signature, event, delivery). */
  request_headers: string;
  response_status: number | null;
  /** The first 2 KB of the answer. */
  response_body: string | null;
  error: string | null;
  duration_ms: number;
  started_at: string;
}

export interface WebhookTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
