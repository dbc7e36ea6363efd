import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { inTransaction, type TxOptions } from '../db/unit-of-work.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { AuditService } from '../access/audit.service.js';
import type { JobQueue } from '../jobs/job.worker.js';
import { createEmailRepository } from './email.repository.js';
import { createEmailService } from './email.service.js';
import { emailRoutes } from './email.routes.js';
import { createNotifications } from './notifications.js';
import { createOutbox, EMAIL_JOB, type RetryPolicy } from './outbox.js';
import { createPasswordResetService } from './password-reset.service.js';
import { createDigestScheduler } from './digest.js';
import { createFileTransport, createSmtpTransport, type MailTransport } from './transport.js';

export interface EmailOptions {
  /** Replaces the transport chosen from the config (SMTP_URL, else .eml files). */
  transport?: MailTransport;
  retry?: Partial<RetryPolicy>;
  /** Run the 8:00 digest check every minute (default true; tests call digest.runDue themselves). */
  digest?: boolean;
}

interface Log {
  info(obj: unknown, msg: string): void;
  warn(obj: unknown, msg: string): void;
  error(obj: unknown, msg: string): void;
}

/** Builds the email feature: transport, outbox, notifications, password reset, digest and routes. */
export function buildEmail(deps: {
  config: Config;
  db: Kysely<Database>;
  access: AccessRepository;
  audit: AuditService;
  queue: JobQueue;
  log: Log;
  options?: EmailOptions;
}) {
  const { config, db, access, audit, queue, log, options = {} } = deps;
  const transport =
    options.transport ??
    (config.smtpUrl
      ? createSmtpTransport(config.smtpUrl, config.mailFrom)
      : createFileTransport(path.join(config.dataDir, 'mail'), config.mailFrom, log));
  const repo = createEmailRepository();
  const outbox = createOutbox({ db, repo, queue, transport, retry: options.retry, log });
  queue.register(EMAIL_JOB, outbox.send);
  const notifications = createNotifications({ repo, outbox, baseUrl: config.publicUrl });
  const service = createEmailService({ db, repo, notifications, audit, transportKind: transport.kind });
  const resets = createPasswordResetService({ db, access, repo, outbox, notifications, audit });
  const digest = createDigestScheduler({ db, repo, outbox, notifications, log });
  return {
    transport,
    outbox,
    notifications,
    service,
    resets,
    digest,
    routes: emailRoutes(service, resets),
    /** The hooks the core services call (each inside the caller's transaction where it has one). */
    hooks: {
      onOwnerChanged: notifications.leadAssigned,
      onInvited: notifications.invitationCreated,
      deliveryOf: service.invitationDelivery,
      onImportFinished: notifications.importFinished,
      // After the lead's own transaction (web-to-lead creates it alone): a notice that cannot be queued is logged,
      // never turned into an error for the visitor whose lead was saved.
      onWebLead: async (
        key: { org_id: number; name: string; created_by: number | null },
        leadId: number,
        opts: TxOptions = {},
      ) => {
        try {
          await inTransaction(db, opts, (trx) => notifications.webLeadReceived(trx, key.org_id, key, leadId));
        } catch (err) {
          log.error({ err, leadId }, 'web-to-lead notice not queued');
        }
      },
    },
    start() {
      if (options.digest !== false) digest.start();
    },
    async stop() {
      await digest.stop();
      transport.close();
    },
  };
}

export type EmailFeature = ReturnType<typeof buildEmail>;
