import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { AuthContext } from './access/roles.js';
import type { Db } from './db/database.js';
import { inTransaction, type TxOptions } from './db/unit-of-work.js';
import { AppError, toProblem } from './http/errors.js';
import { installValidators } from './http/validation.js';
import { ProblemSchema } from './http/schemas.js';
import { installAuth } from './http/auth.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { MAX_JSON_DEPTH, tooDeep } from './http/json-depth.js';
import { completeDocument, installOpenApiQuality } from './http/openapi-quality.js';
import { createAccessRepository } from './access/access.repository.js';
import { createAuthService } from './access/auth.service.js';
import { authRoutes } from './access/auth.routes.js';
import { createPasswordService } from './access/password.service.js';
import { createKeyRepository } from './access/key.repository.js';
import { createTeamRepository } from './access/team.repository.js';
import { createAuditRepository } from './access/audit.repository.js';
import { createAuditService } from './access/audit.service.js';
import { createUserService } from './access/user.service.js';
import { createTeamService } from './access/team.service.js';
import { createKeyService } from './access/key.service.js';
import { createWebToLeadService } from './access/web-to-lead.service.js';
import { accessRoutes } from './access/access.routes.js';
import { webToLeadRoutes } from './access/web-to-lead.routes.js';
import {
  createLoginThrottle,
  installRateLimit,
  rateLimitsFromEnv,
  type RateLimitOptions,
} from './http/rate-limit.js';
import { installIdempotency } from './http/idempotency.js';
import { installAuditTrail } from './http/audit-trail.js';
import { createStatusRepository } from './pipeline/status.repository.js';
import { createReasonRepository } from './pipeline/reason.repository.js';
import { createHistoryRepository } from './pipeline/history.repository.js';
import { createStatusRules } from './pipeline/status-rules.js';
import { createStatusService } from './pipeline/status.service.js';
import { createReasonService } from './pipeline/reason.service.js';
import { createCustomFieldService } from './pipeline/custom-field.service.js';
import { createStatusChangeService } from './pipeline/status-change.service.js';
import { pipelineRoutes } from './pipeline/pipeline.routes.js';
import { createActivityRepository } from './activities/activity.repository.js';
import { createTimelineRepository } from './activities/timeline.repository.js';
import { createFollowUpService } from './activities/follow-up.service.js';
import { createTaskService } from './activities/task.service.js';
import { createAttachmentService } from './activities/attachment.service.js';
import { createTimelineService } from './activities/timeline.service.js';
import { activityRoutes } from './activities/activity.routes.js';
import { attachmentRoutes } from './activities/attachment.routes.js';
import { createActivityByIdService } from './activities/activity-by-id.service.js';
import { activityByIdRoutes } from './activities/activity-by-id.routes.js';
import { createLeadRepository } from './leads/lead.repository.js';
import { createLeadService } from './leads/lead.service.js';
import { leadRoutes } from './leads/lead.routes.js';
import { buildLeadParts } from './leads/lead-parts.wiring.js';
import { createReportRepository } from './reports/report.repository.js';
import { createReportService } from './reports/report.service.js';
import { reportRoutes } from './reports/report.routes.js';
import { createBulkService } from './leads/bulk.service.js';
import { bulkRoutes } from './leads/bulk.routes.js';
import { LeadResponse } from './leads/lead.schema.js';
import { buildAccounts } from './accounts/accounts.wiring.js';
import { createJobRepository } from './jobs/job.repository.js';
import { createJobQueue } from './jobs/job.worker.js';
import { createImportRepository } from './imports/import.repository.js';
import { createImportService } from './imports/import.service.js';
import { createImportRunner, IMPORT_JOB } from './imports/import.runner.js';
import { createRevertRunner, REVERT_JOB } from './imports/import.revert.js';
import { createExportService } from './imports/export.service.js';
import { importRoutes } from './imports/import.routes.js';
import { exportRoutes } from './imports/export.routes.js';
import { ImportResponse } from './imports/import.schema.js';
import { createExternalRefRepository } from './leads/external-ref.repository.js';
import { createExternalRefService } from './leads/external-ref.service.js';
import { createContactFinder } from './accounts/contact-identifier.js';
import { classifyError } from './http/error-classifier.js';
import { redactUrl } from './http/log-redaction.js';
import { capillarySurface } from './compat/capillary/capillary.surface.js';
import type { KitCore } from './compat/shared/surface.js';
import { createLeadViewService } from './leads/lead-view.service.js';
import { createLeadComposeService } from './leads/lead-compose.service.js';
import { createStatusVocabulary } from './pipeline/status-vocabulary.js';
import { buildEmail, type EmailOptions } from './email/email.wiring.js';
import { catalogRepository } from './catalogs/catalog.repository.js';
import { createCatalogService } from './catalogs/catalog.service.js';
import { catalogRoutes } from './catalogs/catalog.routes.js';
import { createStatusOrderService, statusOrderRoutes } from './catalogs/status-order.js';
import { createTimeZoneService, timeZoneRoutes } from './catalogs/time-zone.routes.js';

export interface BuildAppOptions {
  config: Config;
  db: Db;
  /** Serve the built web app from this folder (defaults to web/dist when it exists). */
  webDir?: string | null;
  /** Overrides of the rate limits (default: from RATE_LIMIT_* environment variables, see docs/security.md). */
  rateLimits?: Partial<RateLimitOptions>;
  /** Email transport, retry policy and digest timer (docs/email.md); tests pass their own. */
  email?: EmailOptions;
}

type FastifyReplyLike = {
  code(n: number): { type(t: string): { send(b: unknown): unknown } };
};

const here = path.dirname(fileURLToPath(import.meta.url));
// src/ when run from source, dist/src/ when compiled: web/dist is beside src/ either way.
const DEFAULT_WEB_DIR = [
  path.resolve(here, '..', 'web', 'dist'),
  path.resolve(here, '..', '..', 'web', 'dist'),
].find((d) => fs.existsSync(path.join(d, 'index.html')));

/** Builds the whole application: repositories, services and routes, wired by hand. Tests use it too. */
export async function buildApp({ config, db, webDir, rateLimits, email: emailOptions }: BuildAppOptions) {
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            // A token sent in the query (surfaces that take one there) never reaches the logs.
            serializers: {
              req: (req: { method: string; url: string; host?: string; ip?: string }) => ({
                method: req.method,
                url: redactUrl(req.url),
                host: req.host,
                remoteAddress: req.ip,
              }),
            },
          },
    bodyLimit: 1024 * 1024,
    // Per-request logs cost throughput; they are on at debug level.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    ajv: { customOptions: { removeAdditional: false } },
    trustProxy: config.trustProxy,
    // A path parameter past the router's limit: 414 as problem+json, never echoing the path.
    frameworkErrors: (err, _req, reply) => {
      const code = (err as FastifyError).code;
      const problem =
        code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? {
              ...toProblem('bad_request', 'A path parameter is too long.'),
              status: 414,
              title: 'URI too long',
            }
          : toProblem('bad_request', 'The URL is malformed.');
      void (reply as unknown as FastifyReplyLike)
        .code(problem.status)
        .type('application/problem+json')
        .send(problem as never);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await installSecurityHeaders(app as unknown as FastifyInstance, { trustProxy: config.trustProxy });

  installValidators(app as unknown as FastifyInstance);
  // JSON bodies: NUL characters are refused up front (PostgreSQL text cannot hold them, and no real client
  // means to send one), so both databases answer the same clear 400.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '')
      return done(new AppError('bad_request', 'The request body is empty; send a JSON object.'));
    // An escaped NUL is "\\u0000" preceded by an even number of backslashes (an odd one is a literal "\\u0000").
    if (text.includes('\\u0000') && /(^|[^\\])(\\\\)*\\u0000/.test(text)) {
      return done(new AppError('bad_request', 'Text must not contain NUL (\\u0000) characters.'));
    }
    try {
      const parsed = JSON.parse(text);
      if (tooDeep(parsed))
        return done(new AppError('bad_request', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`));
      done(null, parsed);
    } catch (e) {
      done(new AppError('bad_request', `The request body is not valid JSON: ${(e as Error).message}`));
    }
  });
  app.addSchema(ProblemSchema);
  app.addSchema(LeadResponse);

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    // One classifier for /api/v1 and every surface (src/http/error-classifier.ts).
    const c = classifyError(err, req);
    if (c.headers) reply.headers(c.headers);
    const problem = { ...toProblem(c.code, c.detail, c.fieldErrors), status: c.status };
    return reply.code(c.status).type('application/problem+json').send(problem);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Leadflow API',
        version: '1.0.0',
        description: 'Native REST API of Leadflow (JSON, snake_case).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transformObject: (doc) =>
      completeDocument('openapiObject' in doc ? (doc.openapiObject as never) : (doc.swaggerObject as never)),
    refResolver: {
      buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  installOpenApiQuality(app as unknown as FastifyInstance);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Liveness and database reachability', security: [] } },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(db.kysely);
        return { status: 'ok', database: 'ok', dialect: db.dialect };
      } catch {
        return reply.code(503).send({ status: 'error', database: 'unreachable', dialect: db.dialect });
      }
    },
  );

  // Repositories and services, wired by hand (no container).
  const kysely = db.kysely;
  const access = createAccessRepository(kysely);
  const statuses = createStatusRepository(kysely);
  const leadsRepo = createLeadRepository(kysely, db.dialect);
  const auditRepo = createAuditRepository(kysely);
  const auditService = createAuditService({ audit: auditRepo });
  const keysRepo = createKeyRepository(kysely);
  const teamsRepo = createTeamRepository(kysely);
  const authService = createAuthService({
    db: kysely,
    access,
    statuses,
    keys: keysRepo,
    audit: auditService,
  });
  const limits = { ...rateLimitsFromEnv(process.env), ...rateLimits };
  const reasonsRepo = createReasonRepository(kysely);
  const statusRules = createStatusRules({ statuses, reasons: reasonsRepo });
  const customFieldService = createCustomFieldService({ db: kysely, repo: reasonsRepo });
  // Accounts before leads: the lead service takes its hooks; accounts reach the lead service late-bound.
  const accounts = buildAccounts({
    db: kysely,
    leads: leadsRepo,
    statuses,
    access,
    planStatus: (trx, orgId, userId, current, target) =>
      statusRules.plan(trx, orgId, userId, current, target, { record: true }),
    presentLead: (orgId, rows, opts) => leadService.present(orgId, rows, opts),
    assertLeadAccess: (auth, id, mode, opts) => leadService.assertLeadAccess(auth, id, mode, opts),
  });
  // Email (src/email): the job queue is made here, before the services that queue emails through it.
  const jobQueue = createJobQueue(createJobRepository(kysely), { log: app.log });
  const email = buildEmail({
    config,
    db: kysely,
    access,
    audit: auditService,
    queue: jobQueue,
    log: app.log,
    options: emailOptions,
  });
  // Lead parts (users with roles, teams, ...): checked, written and shown with the lead; late-bound guard.
  const leadParts = buildLeadParts({
    db: kysely,
    leads: leadsRepo,
    guard: (auth, id, mode) => leadService.assertLeadAccess(auth, id, mode),
  });
  const catalogService = createCatalogService({ db: kysely, repo: catalogRepository, statuses });
  const leadService = createLeadService({
    onOwnerChanged: email.hooks.onOwnerChanged,
    db: kysely,
    leads: leadsRepo,
    statuses,
    access,
    statusRules,
    customFields: customFieldService,
    audit: auditService,
    links: accounts.leadHooks,
    parts: leadParts.parts,
    catalogs: catalogService,
  });
  const historyRepo = createHistoryRepository(kysely);
  const pipeline = {
    statuses: createStatusService({ db: kysely, statuses, rules: statusRules }),
    reasons: createReasonService({ db: kysely, reasons: reasonsRepo }),
    customFields: customFieldService,
    changes: createStatusChangeService({
      db: kysely,
      leads: leadsRepo,
      statuses,
      reasons: reasonsRepo,
      history: historyRepo,
      rules: statusRules,
      present: (orgId, rows, opts) => leadService.present(orgId, rows, opts),
      guard: (auth, id, mode, opts) => leadService.assertLeadAccess(auth, id, mode, opts),
    }),
  };
  const activityRepo = createActivityRepository(kysely);
  const guard = (auth: AuthContext, id: number, mode: 'read' | 'write', opts?: TxOptions) =>
    leadService.assertLeadAccess(auth, id, mode, opts);
  const activityDeps = { db: kysely, activities: activityRepo, leads: leadsRepo, access, guard };
  const activities = {
    followUps: createFollowUpService({
      ...activityDeps,
      present: (orgId, rows, opts) => leadService.present(orgId, rows, opts),
    }),
    tasks: createTaskService(activityDeps),
    timeline: createTimelineService({
      timeline: createTimelineRepository(kysely),
      leads: leadsRepo,
      statuses,
      history: historyRepo,
      changes: pipeline.changes,
      guard,
    }),
    tagCounts: activityRepo.tagCounts,
  };
  const attachmentService = createAttachmentService({
    ...activityDeps,
    dataDir: config.dataDir,
    maxBytes: config.attachmentMaxBytes,
  });

  // Background jobs (imports, reverts): a queue in the database, worked by this process while it is up.
  const importsRepo = createImportRepository(kysely, db.dialect);
  jobQueue.register(
    IMPORT_JOB,
    createImportRunner({
      db: kysely,
      imports: importsRepo,
      statuses,
      customFields: reasonsRepo,
      onFinished: email.hooks.onImportFinished,
    }),
  );
  jobQueue.register(REVERT_JOB, createRevertRunner({ db: kysely, imports: importsRepo }));
  const importService = createImportService({
    db: kysely,
    imports: importsRepo,
    statuses,
    customFields: {
      listFields: reasonsRepo.listFields,
      ensureCustomField: customFieldService.ensureCustomField,
    },
    queue: jobQueue,
    dataDir: config.dataDir,
    maxBytes: config.importMaxBytes,
  });
  const exportService = createExportService({ leads: leadService, imports: importsRepo });
  app.addSchema(ImportResponse);
  app.addHook('onReady', async () => jobQueue.start());
  app.addHook('onClose', async () => jobQueue.stop());
  app.addHook('onReady', async () => email.start());
  app.addHook('onClose', async () => email.stop());
  app.decorate('email', email);

  const accessServices = {
    users: createUserService({
      db: kysely,
      access,
      teams: teamsRepo,
      audit: auditService,
      onInvited: email.hooks.onInvited,
      deliveryOf: email.hooks.deliveryOf,
    }),
    teams: createTeamService({ db: kysely, teams: teamsRepo, access }),
    keys: createKeyService({ keys: keysRepo, access, teams: teamsRepo, statuses, audit: auditService }),
    audit: auditService,
  };
  const webToLead = createWebToLeadService({
    keys: keysRepo,
    leads: leadService,
    audit: auditService,
    access,
    statuses,
    onSubmitted: email.hooks.onWebLead,
  });

  await app.register(
    async (api) => {
      // Order matters: rate limit (cheap, before any database work), then auth, then idempotency (needs who).
      installRateLimit(api, limits);
      installAuth(api, (token, org) => authService.authenticate(token, org));
      installIdempotency(api, auditRepo);
      installAuditTrail(api, (auth, e) => auditService.record(auth, e));
      await api.register(
        authRoutes(
          authService,
          createLoginThrottle(limits),
          createPasswordService({ db: kysely, access, audit: auditService }),
        ),
      );
      await api.register(accessRoutes(accessServices));
      await api.register(webToLeadRoutes(webToLead));
      await api.register(exportRoutes(exportService));
      await api.register(
        bulkRoutes(createBulkService({ db: kysely, leads: leadsRepo, service: leadService })),
      );
      await api.register(leadRoutes(leadService));
      await api.register(leadParts.routes);
      await api.register(
        reportRoutes(
          createReportService({
            db: kysely,
            reports: createReportRepository(kysely, db.dialect, leadsRepo),
            statuses,
            leads: leadService,
          }),
        ),
      );
      await api.register(accounts.routes);
      await api.register(importRoutes(importService, config.importMaxBytes));
      await api.register(pipelineRoutes(pipeline));
      await api.register(activityRoutes(activities));
      await api.register(attachmentRoutes(attachmentService));
      await api.register(email.routes);
      await api.register(
        activityByIdRoutes(
          createActivityByIdService({ db: kysely, activities: activityRepo, tasks: activities.tasks, guard }),
        ),
      );
      await api.register(catalogRoutes(catalogService));
      await api.register(timeZoneRoutes(createTimeZoneService(kysely)));
      await api.register(
        statusOrderRoutes(
          createStatusOrderService({
            db: kysely,
            statuses,
            list: (auth) => pipeline.statuses.listStatuses(auth),
          }),
        ),
      );
    },
    { prefix: '/api/v1' },
  );

  // Compatible surfaces (docs/compat.md): translators over the same services, outside /api/v1, each with its
  // own auth hook (Bearer or Basic) and its own error envelope.
  const externalRefRepo = createExternalRefRepository(kysely);
  const externalRefs = createExternalRefService({ db: kysely, refs: externalRefRepo });
  const statusVocabulary = createStatusVocabulary({ statuses });
  const leadViews = createLeadViewService({
    db: kysely,
    history: historyRepo,
    activities: activityRepo,
    refs: externalRefRepo,
  });
  // One unit of work for a surface's composite writes: every service call inside joins it through { tx }.
  const unitOfWork = <T>(fn: (opts: TxOptions) => Promise<T>): Promise<T> =>
    inTransaction(kysely, {}, (tx) => fn({ tx }));
  const contactFinder = createContactFinder({ contacts: accounts.contactService });
  const leadCompose = createLeadComposeService({
    transaction: unitOfWork,
    leads: leadService,
    statusChanges: pipeline.changes,
    followUps: activities.followUps,
    contacts: contactFinder,
    customFields: customFieldService,
    refs: externalRefs,
    view: leadViews.view,
    get: (auth, id, opts) => leadService.get(auth, id, opts),
  });
  const kitCore: KitCore = {
    authenticators: {
      token: (token, org) => authService.authenticate(token, org),
      password: (email, password, org) => authService.authenticatePassword(email, password, org),
    },
    orgTimeZone: (orgId) => authService.orgTimeZone(orgId),
  };
  await app.register(async (compat) => {
    installRateLimit(compat, limits);
    await capillarySurface.register(compat, kitCore, {
      view: leadViews.view,
      composeLead: leadCompose.createComposed,
      transaction: unitOfWork,
      leads: {
        create: (auth, input, opts) => leadService.create(auth, input as never, opts),
        get: (auth, id, opts) => leadService.get(auth, id, opts),
        update: (auth, id, input, opts) => leadService.update(auth, id, input, undefined, opts),
        list: (auth, query) => leadService.list(auth, query),
      },
      statusChanges: pipeline.changes,
      statuses: {
        listStatusWords: statusVocabulary.listStatusWords,
        listSubStatuses: (auth, key) => pipeline.statuses.listSubStatuses(auth, key),
        createSubStatus: (auth, key, input) => pipeline.statuses.createSubStatus(auth, key, input),
      },
      reasons: pipeline.reasons,
      customFields: customFieldService,
      followUps: activities.followUps,
      contacts: {
        get: (auth, id) => accounts.contactService.get(auth, id),
        ...contactFinder,
      },
      users: accessServices.users,
      refs: externalRefs,
    });
  });

  const staticDir = webDir === undefined ? (DEFAULT_WEB_DIR ?? null) : webDir;
  const hasWeb = staticDir !== null && fs.existsSync(path.join(staticDir, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: staticDir!, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0];
    if (hasWeb && req.method === 'GET' && !url.startsWith('/api/') && !url.startsWith('/compat/')) {
      return reply.type('text/html').sendFile('index.html');
    }
    if (url === '/' && !hasWeb) {
      return reply
        .type('text/plain')
        .send(
          'Leadflow API is running. The web app is not built yet: run `npm run build:web`. API docs: /docs',
        );
    }
    return reply
      .code(404)
      .type('application/problem+json')
      .send(toProblem('not_found', `No route ${req.method} ${url}. See /docs for the API.`));
  });

  return app;
}
