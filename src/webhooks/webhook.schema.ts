import { Type } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { WEBHOOK_EVENTS } from './events.js';

const EventName = Type.String({
  minLength: 1,
  maxLength: 64,
  description: `One of: ${WEBHOOK_EVENTS.join(', ')}`,
});

export const EndpointBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'http(s) URL; private, loopback and link-local addresses are refused unless allowed',
    }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    events: Type.Optional(
      Type.Array(EventName, { maxItems: 50, description: 'Events to receive; empty or absent: every event' }),
    ),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const EndpointPatch = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    events: Type.Optional(Type.Array(EventName, { maxItems: 50 })),
    enabled: Type.Optional(Type.Boolean({ description: 'true re-enables a disabled endpoint' })),
  },
  { additionalProperties: false },
);

export const Endpoint = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  description: Nullable(Type.String()),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  consecutive_failures: Type.Integer(),
  disabled_at: Nullable(Type.String()),
  disabled_reason: Nullable(Type.String()),
  secret_hint: Type.String(),
  secret: Type.Optional(
    Type.String({ description: 'The signing secret: only in the answer that creates or rotates it' }),
  ),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const EndpointList = Type.Object({ data: Type.Array(Endpoint) });

export const Attempt = Type.Object({
  attempt: Type.Integer(),
  started_at: Type.String(),
  request_headers: Type.Record(Type.String(), Type.String()),
  response_status: Nullable(Type.Integer()),
  response_body: Nullable(Type.String()),
  error: Nullable(Type.String()),
  duration_ms: Type.Integer(),
});

export const Delivery = Type.Object({
  id: Type.Integer(),
  endpoint_id: Type.Integer(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: Type.String({ description: 'pending | succeeded | failed' }),
  attempts: Type.Integer(),
  next_attempt_at: Nullable(Type.String()),
  last_attempt_at: Nullable(Type.String()),
  response_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  duration_ms: Nullable(Type.Integer()),
  created_at: Type.String(),
  delivered_at: Nullable(Type.String()),
  request_body: Type.String({
    description: 'The exact body sent (signed with the timestamp of each attempt)',
  }),
  attempt_log: Type.Array(Attempt),
});

export const DeliveryList = Type.Object({
  data: Type.Array(Delivery),
  next_before: Nullable(Type.Integer({ description: 'Pass as `before` for the next (older) page' })),
});

export const DeliveryQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  ),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const DeliveryParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  delivery_id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

export const Queued = Type.Object({ queued: Type.Array(Type.Integer()) });

export const Settings = Type.Object(
  {
    allow_private_networks: Type.Boolean({
      description: 'true: endpoints may point at private, loopback and link-local addresses (owner or admin)',
    }),
  },
  { additionalProperties: false },
);

export const EventTypes = Type.Object({ data: Type.Array(Type.String()) });
