import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobQueue } from '../jobs/job.worker.js';
import { RetryLaterError } from '../jobs/job.worker.js';
import type { AuditService } from '../access/audit.service.js';
import type { QueuedEmail } from '../email/outbox.js';
import { createWebhookRepository } from './webhook.repository.js';
import { createWebhookService, type WebhookDeps } from './webhook.service.js';
import { webhookRoutes } from './webhook.routes.js';
import { DELIVER_JOB } from './events.js';

export interface WebhookOptions {
  clock?: () => Date;
  random?: () => number;
  timeoutMs?: number;
}

/** Builds webhooks: the service, the delivery job handler on the queue, and the routes. */
export function buildWebhooks(deps: {
  db: Kysely<Database>;
  queue: JobQueue;
  audit: AuditService;
  emailOutbox: { enqueue(trx: Kysely<Database>, e: QueuedEmail): Promise<number> };
  allowPrivate: boolean;
  baseUrl: string;
  options?: WebhookOptions;
}) {
  const { db, queue, audit, emailOutbox } = deps;
  const repo = createWebhookRepository(db);
  const onDisabled: WebhookDeps['onDisabled'] = async (trx, orgId, endpoint, reason) => {
    await audit.record(
      { orgId },
      {
        action: 'webhook.disabled',
        targetType: 'webhook',
        targetId: endpoint.id,
        details: { url: endpoint.url, reason },
      },
      { tx: trx },
    );
    const subject = `Webhook disabled: ${endpoint.url}`;
    const text = `Leadflow stopped sending events to ${endpoint.url} after ${reason}.\n\nFailed deliveries are kept: turn the endpoint back on and redeliver them in Settings > Webhooks (${deps.baseUrl}/settings).`;
    for (const admin of await repo.admins(trx, orgId))
      await emailOutbox.enqueue(trx, {
        orgId,
        template: 'webhook_disabled',
        to: admin.email,
        userId: admin.id,
        related: { type: 'webhook', id: endpoint.id },
        rendered: { subject, text, html: `<p>${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>` },
      });
  };
  const service = createWebhookService({
    db,
    repo,
    ...deps.options,
    allowPrivate: deps.allowPrivate,
    onDisabled,
    wake: () => queue.wake(),
    enqueue: async (trx, orgId, deliveryId) => {
      await queue.enqueue(trx, orgId, DELIVER_JOB, { delivery_id: deliveryId });
    },
  });
  // One attempt per job run; a failure goes back to the queue with the backoff (it survives a restart).
  queue.register(DELIVER_JOB, async ({ job }) => {
    const { delivery_id: id } = JSON.parse(job.payload) as { delivery_id: number };
    const next = await service.attempt(job.org_id, id);
    if (next) throw new RetryLaterError(`webhook delivery ${id} retried`, next.retryInMs);
  });
  return { service, repo, routes: webhookRoutes(service) };
}
