import { AsyncResource } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import type { JobContext, JobQueue } from '../jobs/job.worker.js';
import { RetryLaterError } from '../jobs/job.worker.js';
import type { EmailRepository } from './email.repository.js';
import type { MailTransport } from './transport.js';
import { SENSITIVE_TEMPLATES, type Rendered, type TemplateName } from './templates.js';

export const EMAIL_JOB = 'email.send';

export interface RetryPolicy {
  /** Attempts in all before the message is marked failed (default 10). */
  maxAttempts: number;
  /** Delay before the second attempt, doubled each time up to `maxDelayMs` (default 30 s, 1 h). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

export interface QueuedEmail {
  orgId: number;
  template: TemplateName;
  to: string;
  userId?: number | null;
  related?: { type: string; id: number };
  rendered: Rendered;
}

// Created at module load, outside any request: a wake-up scheduled from inside a request's transaction must not
// inherit that flow (the worker's queries would count as "outside the open transaction").
const detached = new AsyncResource('email-wake');

export interface OutboxDeps {
  db: Kysely<Database>;
  repo: EmailRepository;
  queue: JobQueue;
  transport: MailTransport;
  retry?: Partial<RetryPolicy>;
  log?: { warn(obj: unknown, msg: string): void };
}

/**
 * The outbox: a message is rendered and stored with its send job in the caller's transaction (so it exists exactly
 * when what it is about was committed), then sent by the job queue, never inside the request.
 */
export function createOutbox({ db, repo, queue, transport, retry, log }: OutboxDeps) {
  const policy = { ...DEFAULT_RETRY, ...retry };

  function delayFor(attempt: number): number {
    const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(d * (0.8 + Math.random() * 0.4));
  }

  async function enqueue(trx: Kysely<Database>, e: QueuedEmail): Promise<number> {
    const now = nowIso();
    const id = await repo.insertEmail(trx, {
      org_id: e.orgId,
      template: e.template,
      to_address: e.to,
      user_id: e.userId ?? null,
      subject: e.rendered.subject,
      text_body: e.rendered.text,
      html_body: e.rendered.html,
      related_type: e.related?.type ?? null,
      related_id: e.related?.id ?? null,
      created_at: now,
      updated_at: now,
    });
    await queue.enqueue(trx, e.orgId, EMAIL_JOB, { email_id: id });
    // The job is visible once the caller commits; the worker also polls, this only makes it prompt.
    detached.runInAsyncScope(() => setTimeout(() => queue.wake(), 20).unref());
    return id;
  }

  /** The job handler: one attempt per run; a failure is recorded on the message and retried with backoff. */
  async function send({ job }: JobContext): Promise<void> {
    const { email_id: id } = JSON.parse(job.payload) as { email_id: number };
    const e = await repo.findEmail(db, job.org_id, id);
    if (!e || e.status !== 'queued' || e.text_body === null) return;
    const attempts = e.attempts + 1;
    try {
      const info = await transport.send({
        to: e.to_address,
        subject: e.subject,
        text: e.text_body,
        html: e.html_body ?? '',
        headers: { 'X-Leadflow-Template': e.template, 'X-Leadflow-Email-Id': String(e.id) },
      });
      const scrub = SENSITIVE_TEMPLATES.has(e.template);
      await repo.updateEmail(db, e.org_id, e.id, {
        status: 'sent',
        attempts,
        message_id: info.messageId,
        sent_at: nowIso(),
        updated_at: nowIso(),
        last_error: null,
        // A sent link is a credential: the outbox keeps who/what/when, not the token.
        ...(scrub ? { text_body: null, html_body: null } : {}),
      });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      const final = attempts >= policy.maxAttempts;
      await repo.updateEmail(db, e.org_id, e.id, {
        attempts,
        last_error: message.slice(0, 500),
        updated_at: nowIso(),
        ...(final
          ? {
              status: 'failed',
              ...(SENSITIVE_TEMPLATES.has(e.template) ? { text_body: null, html_body: null } : {}),
            }
          : {}),
      });
      log?.warn({ emailId: e.id, attempts, to: e.to_address, error: message }, 'email not delivered');
      if (final) throw err;
      throw new RetryLaterError(message, delayFor(attempts));
    }
  }

  return { enqueue, send, transportKind: transport.kind };
}

export type Outbox = ReturnType<typeof createOutbox>;
