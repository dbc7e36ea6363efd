import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { AuthContext } from '../access/roles.js';
import type { Db } from '../db/database.js';
import { inTransaction, type TxOptions } from '../db/unit-of-work.js';
import { createAccessRepository } from '../access/access.repository.js';
import { createAuthService } from '../access/auth.service.js';
import { createSecretBox, loadInstanceKey } from '../lib/secret-box.js';
import { createPasswordService } from '../access/password.service.js';
import { createKeyRepository } from '../access/key.repository.js';
import { createTeamRepository } from '../access/team.repository.js';
import { createAuditRepository } from '../access/audit.repository.js';
import { createAuditService } from '../access/audit.service.js';
import { createPolicy } from '../access/policy.js';
import { createUserService } from '../access/user.service.js';
import { createTeamService } from '../access/team.service.js';
import { createKeyService } from '../access/key.service.js';
import { createWebToLeadService } from '../access/web-to-lead.service.js';
import { rateLimitsFromEnv, type RateLimitOptions } from '../http/rate-limit.js';
import { createCounterStore, type CounterStore } from '../http/counter-store.js';
import { createStatusRepository } from '../pipeline/status.repository.js';
import { createReasonRepository } from '../pipeline/reason.repository.js';
import { createHistoryRepository } from '../pipeline/history.repository.js';
import { createStatusRules } from '../pipeline/status-rules.js';
import { readCatalogSnapshot } from '../pipeline/catalog-snapshot.js';
import { createStatusService } from '../pipeline/status.service.js';
import { createReasonService } from '../pipeline/reason.service.js';
import { createCustomFieldService } from '../pipeline/custom-field.service.js';
import { createStatusChangeService } from '../pipeline/status-change.service.js';
import { createStatusVocabulary } from '../pipeline/status-vocabulary.js';
import { createActivityRepository } from '../activities/activity.repository.js';
import { createTimelineRepository } from '../activities/timeline.repository.js';
import { createFollowUpService } from '../activities/follow-up.service.js';
import { createTaskService } from '../activities/task.service.js';
import { createAttachmentService } from '../activities/attachment.service.js';
import { createTimelineService } from '../activities/timeline.service.js';
import { createActivityByIdService } from '../activities/activity-by-id.service.js';
import { createLeadRepository } from '../leads/lead.repository.js';
import { createLeadService } from '../leads/lead.service.js';
import { createLeadGuard } from '../leads/lead-guard.js';
import { createLeadPresenter } from '../leads/lead-presenter.js';
import { buildLeadParts } from '../leads/lead-parts.wiring.js';
import { createBulkService } from '../leads/bulk.service.js';
import { createExternalRefRepository } from '../leads/external-ref.repository.js';
import { createExternalRefService } from '../leads/external-ref.service.js';
import { createLeadViewService } from '../leads/lead-view.service.js';
import { createLeadComposeService } from '../leads/lead-compose.service.js';
import { createReportRepository } from '../reports/report.repository.js';
import { createReportService } from '../reports/report.service.js';
import { createViewRepository } from '../views/view.repository.js';
import { createViewService } from '../views/view.service.js';
import { buildAccounts } from '../accounts/accounts.wiring.js';
import { createContactFinder } from '../accounts/contact-identifier.js';
import { createJobRepository } from '../jobs/job.repository.js';
import { createJobQueue, type JobWorkerOptions } from '../jobs/job.worker.js';
import { nowIso } from '../db/dialect.js';
import { createAssignmentRepository } from '../assignment/assignment.repository.js';
import { createAssignmentService, SLA_JOB } from '../assignment/assignment.service.js';
import { buildWebhooks, type WebhookOptions } from '../webhooks/webhook.wiring.js';
import { emitEvent, type WebhookEvent } from '../webhooks/events.js';
import { createImportRepository } from '../imports/import.repository.js';
import { createImportService } from '../imports/import.service.js';
import { createImportRunner, IMPORT_JOB } from '../imports/import.runner.js';
import { createRevertRunner, REVERT_JOB } from '../imports/import.revert.js';
import { createExportService } from '../imports/export.service.js';
import { buildEmail, type EmailOptions } from '../email/email.wiring.js';
import { catalogRepository } from '../catalogs/catalog.repository.js';
import { createCatalogService } from '../catalogs/catalog.service.js';
import { createStatusOrderService } from '../catalogs/status-order.js';
import { createTimeZoneService } from '../catalogs/time-zone.routes.js';
import { createDuplicateService } from '../leads/duplicates.js';
import { createScoringRepository } from '../scoring/scoring.repository.js';
import { createScoringService } from '../scoring/scoring.service.js';
import { buildDuplicates, DUPLICATE_BACKFILL_JOB } from '../duplicates/duplicates.wiring.js';
import type { KitCore } from '../compat/shared/surface.js';
import { ownedFieldType } from '../compat/shared/owned-fields.js';

export interface CoreOptions {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
  /** Overrides of the rate limits (default: from RATE_LIMIT_* environment variables, see docs/security.md). */
  rateLimits?: Partial<RateLimitOptions>;
  /** Email transport, retry policy and digest timer (docs/email.md); tests pass their own. */
  email?: EmailOptions;
  background?: BackgroundOptions;
}

/** Clocks and timings of background work (assignment SLA, webhook retries, the job worker); tests set them. */
export interface BackgroundOptions {
  clock?: () => Date;
  webhooks?: WebhookOptions;
  jobs?: Pick<JobWorkerOptions, 'pollMs' | 'staleMs' | 'heartbeatMs'>;
  /** Where rate-limit and sign-in counters live (default: chosen from REDIS_URL and the dialect). */
  counters?: CounterStore;
}

/**
 * The core: every repository and service, wired by hand (no container), with no HTTP in it. `/api/v1`
 * (src/wiring/api.ts) and every compatible surface (src/wiring/surfaces.ts) are registered over this one
 * object, so a surface is a translator over the same services as the native API.
 */
export function buildCore({
  config,
  db,
  log,
  rateLimits,
  email: emailOptions,
  background = {},
}: CoreOptions) {
  const kysely = db.kysely;
  const repos = {
    access: createAccessRepository(kysely),
    statuses: createStatusRepository(kysely),
    leads: createLeadRepository(kysely, db.dialect),
    audit: createAuditRepository(kysely),
    keys: createKeyRepository(kysely),
    teams: createTeamRepository(kysely),
    reasons: createReasonRepository(kysely),
    history: createHistoryRepository(kysely),
    activities: createActivityRepository(kysely),
    imports: createImportRepository(kysely, db.dialect),
    refs: createExternalRefRepository(kysely),
  };
  const { access, statuses } = repos;
  const audit = createAuditService({ audit: repos.audit });
  const secrets = createSecretBox(loadInstanceKey(config.dataDir, config.secretKey ?? undefined));
  const auth = createAuthService({ db: kysely, access, statuses, keys: repos.keys, audit, secrets });
  const limits = { ...rateLimitsFromEnv(process.env), ...rateLimits };
  // Rate-limit and sign-in counters: Redis, the database (PostgreSQL), the cluster primary or memory.
  const counters =
    background.counters ??
    createCounterStore({
      redisUrl: config.redisUrl ?? undefined,
      redisPrefix: process.env.REDIS_KEY_PREFIX,
      dialect: db.dialect,
      kysely,
    });
  const statusRules = createStatusRules({ statuses, reasons: repos.reasons });
  const customFields = createCustomFieldService({ db: kysely, repo: repos.reasons });
  // Every service is built in order, its dependencies given as values (issue 11 item 7): the policy, the lead
  // guard, the account services and their link describer, the lead parts, the lead presenter, then conversion
  // (which shows leads), then the lead service (which takes the accounts' hooks), then what hangs off leads.
  // The one access policy: permissions, and which leads, companies, contacts, opportunities an agent sees.
  const policy = createPolicy(kysely);
  // Existence and visibility of one lead (404 otherwise), for every service hanging off a lead.
  const leadGuard = createLeadGuard({ db: kysely, leads: repos.leads, policy });
  const guard = leadGuard.assertLeadAccess;
  const accountServices = buildAccounts({
    db: kysely,
    policy,
    leads: repos.leads,
    statuses,
    access,
    planStatus: (trx, orgId, userId, current, target) =>
      statusRules.plan(trx, orgId, userId, current, target, { record: true }),
  });
  // The job queue is made before the services that queue work (emails, imports) through it.
  const jobQueue = createJobQueue(createJobRepository(kysely, db.dialect), { log, ...background.jobs });
  // Assignment rules run inside every lead create (src/assignment); SLA checks are jobs due at the deadline.
  const assignment = createAssignmentService({
    db: kysely,
    repo: createAssignmentRepository(kysely),
    leads: repos.leads,
    clock: background.clock,
    emit: (trx, orgId, type, data) => emitEvent(trx, orgId, type as WebhookEvent, data),
    enqueue: (trx, orgId, kind, payload, runAfter) =>
      createJobRepository(trx).insert(trx, {
        org_id: orgId,
        kind,
        payload: JSON.stringify(payload),
        now: nowIso(),
        runAfter,
      }),
  });
  jobQueue.register(SLA_JOB, async ({ job }) => {
    await assignment.sweepSla(job.org_id);
  });
  const email = buildEmail({
    config,
    db: kysely,
    access,
    audit,
    queue: jobQueue,
    log,
    options: emailOptions,
  });
  // Duplicate detection rides on every lead write as the last lead part (it reads what the others wrote).
  const dedupe = buildDuplicates({ db: kysely, policy, leads: repos.leads, guard });
  jobQueue.register(DUPLICATE_BACKFILL_JOB, async ({ job, signal }) => {
    await dedupe.backfill(job.org_id, signal);
  });
  // Lead parts (users with roles, teams, ...): checked, written and shown with the lead.
  const leadParts = buildLeadParts({
    db: kysely,
    leads: repos.leads,
    guard,
    onPointsChanged: (trx, orgId, lead) => dedupe.detection.refresh(trx, orgId, [lead]),
  });
  const catalogs = createCatalogService({ db: kysely, repo: catalogRepository, statuses });
  // Lead scoring: trains through the job queue, scores each lead in its own write (a lead part, last).
  const scoring = createScoringService({
    db: kysely,
    repo: createScoringRepository(kysely),
    queue: jobQueue,
    log,
  });
  const parts = [...leadParts.parts, scoring.part, dedupe.detection.part];
  // Lead responses: tags, statuses, the accounts' links and every part's view.
  const presenter = createLeadPresenter({
    db: kysely,
    leads: repos.leads,
    statuses,
    describeLinks: accountServices.describeLinks,
    parts,
  });
  const present = presenter.present;
  const accounts = {
    ...accountServices,
    ...accountServices.withLeads({ presentLead: present, assertLeadAccess: guard }),
  };
  const leads = createLeadService({
    onOwnerChanged: email.hooks.onOwnerChanged,
    db: kysely,
    leads: repos.leads,
    statuses,
    access,
    statusRules,
    customFields,
    audit,
    links: accounts.leadHooks,
    parts,
    presenter,
    guard: leadGuard,
    catalogs,
    declaredFieldType: ownedFieldType,
    assignment,
  });
  const statusService = createStatusService({ db: kysely, statuses, rules: statusRules });
  const pipeline = {
    statuses: statusService,
    reasons: createReasonService({ db: kysely, reasons: repos.reasons }),
    customFields,
    changes: createStatusChangeService({
      db: kysely,
      leads: repos.leads,
      statuses,
      reasons: repos.reasons,
      history: repos.history,
      rules: statusRules,
      present,
      guard,
    }),
    vocabulary: createStatusVocabulary({ statuses }),
    order: createStatusOrderService({
      db: kysely,
      statuses,
      list: (a) => statusService.listStatuses(a),
    }),
  };
  const activityDeps = { db: kysely, activities: repos.activities, leads: repos.leads, access, guard };
  const tasks = createTaskService(activityDeps);
  const activities = {
    followUps: createFollowUpService({ ...activityDeps, present }),
    tasks,
    timeline: createTimelineService({
      timeline: createTimelineRepository(kysely),
      leads: repos.leads,
      statuses,
      history: repos.history,
      changes: pipeline.changes,
      guard,
    }),
    // Counts only the leads the caller sees (an agent's own), through the policy.
    tagCounts: (auth: AuthContext) => repos.activities.tagCounts(auth.orgId, policy.restrictedTo(auth)),
    attachments: createAttachmentService({
      ...activityDeps,
      dataDir: config.dataDir,
      maxBytes: config.attachmentMaxBytes,
    }),
    byId: createActivityByIdService({ db: kysely, activities: repos.activities, tasks, guard }),
  };

  // Background jobs (imports, reverts): a queue in the database, worked by this process while it is up.
  jobQueue.register(
    IMPORT_JOB,
    createImportRunner({
      db: kysely,
      imports: repos.imports,
      statuses,
      customFields: repos.reasons,
      leadWriter: leads,
      onFinished: email.hooks.onImportFinished,
    }),
  );
  jobQueue.register(REVERT_JOB, createRevertRunner({ db: kysely, imports: repos.imports }));
  const imports = createImportService({
    db: kysely,
    imports: repos.imports,
    statuses,
    customFields: {
      listFields: repos.reasons.listFields,
      ensureCustomField: customFields.ensureCustomField,
    },
    queue: jobQueue,
    dataDir: config.dataDir,
    maxBytes: config.importMaxBytes,
  });
  const exports = createExportService({ leads, imports: repos.imports });

  const users = createUserService({
    db: kysely,
    access,
    teams: repos.teams,
    audit,
    onInvited: email.hooks.onInvited,
    deliveryOf: email.hooks.deliveryOf,
  });
  const accessServices = {
    users,
    teams: createTeamService({ db: kysely, teams: repos.teams, access }),
    keys: createKeyService({ db: kysely, keys: repos.keys, access, teams: repos.teams, statuses, audit }),
    audit,
    passwords: createPasswordService({ db: kysely, access, audit }),
  };
  const webToLead = createWebToLeadService({
    db: kysely,
    keys: repos.keys,
    leads,
    audit,
    access,
    statuses,
    onSubmitted: email.hooks.onWebLead,
  });

  // One unit of work for a composite write: every service call inside joins it through { tx }.
  const unitOfWork = <T>(fn: (opts: TxOptions) => Promise<T>): Promise<T> =>
    inTransaction(kysely, {}, (tx) => fn({ tx }));
  const externalRefs = createExternalRefService({ db: kysely, refs: repos.refs });
  const webhooks = buildWebhooks({
    db: kysely,
    queue: jobQueue,
    audit,
    emailOutbox: email.outbox,
    allowPrivate: config.webhookAllowPrivate,
    baseUrl: config.publicUrl,
    options: { clock: background.clock, ...background.webhooks },
  });
  const leadViews = createLeadViewService({
    db: kysely,
    history: repos.history,
    activities: repos.activities,
    refs: repos.refs,
  });
  const contactFinder = createContactFinder({ contacts: accounts.contactService });
  const leadCompose = createLeadComposeService({
    transaction: unitOfWork,
    readCatalog: (orgId, trx) => readCatalogSnapshot(repos, orgId, trx ?? kysely),
    leads,
    followUps: activities.followUps,
    contacts: contactFinder,
    customFields,
    describeLinks: (orgId, rows, trx) => accounts.leadHooks.describe(orgId, rows, trx),
    refs: {
      setMany: (auth, surface, items, opts) => externalRefs.forSurface(surface).setMany(auth, items, opts),
    },
  });
  /** What the compat kit itself needs (src/compat/shared/surface.ts). */
  const kitCore: KitCore = {
    authenticators: {
      token: (token, org) => auth.authenticate(token, org),
      password: (mail, password, org) => auth.authenticatePassword(mail, password, org),
    },
    orgTimeZone: (orgId) => auth.orgTimeZone(orgId),
  };

  return {
    config,
    db: kysely,
    dialect: db.dialect,
    repos,
    limits,
    counters,
    unitOfWork,
    policy,
    auth,
    access: accessServices,
    webToLead,
    leads,
    leadParts,
    leadViews,
    leadCompose,
    externalRefs,
    bulk: createBulkService({ db: kysely, leads: repos.leads, service: leads, queue: jobQueue }),
    reports: createReportService({
      db: kysely,
      reports: createReportRepository(kysely, db.dialect, repos.leads),
      statuses,
      leads,
    }),
    views: createViewService({ db: kysely, views: createViewRepository(kysely) }),
    accounts,
    contactFinder,
    pipeline,
    activities,
    catalogs,
    timeZones: createTimeZoneService(kysely),
    duplicates: createDuplicateService(kysely),
    dedupe: { detection: dedupe.detection, merges: dedupe.withLeads(leads) },
    imports,
    exports,
    jobQueue,
    email,
    scoring,
    kitCore,
    assignment,
    webhooks,
  };
}

/** Everything the core offers; a surface's deps are a `Pick` of it. */
export type Core = ReturnType<typeof buildCore>;
