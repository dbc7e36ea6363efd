import type { FastifyInstance } from 'fastify';
import { installAuth } from '../http/auth.js';
import { installSessionCookies } from '../http/session-cookie.js';
import { createLoginThrottle, installRateLimit, RateLimiter } from '../http/rate-limit.js';
import { installIdempotency } from '../http/idempotency.js';
import { installAuditTrail } from '../http/audit-trail.js';
import { authRoutes } from '../access/auth.routes.js';
import { accessRoutes } from '../access/access.routes.js';
import { webToLeadRoutes } from '../access/web-to-lead.routes.js';
import { pipelineRoutes } from '../pipeline/pipeline.routes.js';
import { activityRoutes } from '../activities/activity.routes.js';
import { attachmentRoutes } from '../activities/attachment.routes.js';
import { activityByIdRoutes } from '../activities/activity-by-id.routes.js';
import { leadRoutes } from '../leads/lead.routes.js';
import { bulkRoutes } from '../leads/bulk.routes.js';
import { reportRoutes } from '../reports/report.routes.js';
import { viewRoutes } from '../views/view.routes.js';
import { importRoutes } from '../imports/import.routes.js';
import { exportRoutes } from '../imports/export.routes.js';
import { catalogRoutes } from '../catalogs/catalog.routes.js';
import { statusOrderRoutes } from '../catalogs/status-order.js';
import { timeZoneRoutes } from '../catalogs/time-zone.routes.js';
import { duplicateRoutes } from '../leads/duplicates.js';
import { assignmentRoutes } from '../assignment/assignment.routes.js';
import { scoringRoutes } from '../scoring/scoring.routes.js';
import { dedupeRoutes } from '../duplicates/duplicates.routes.js';
import type { Core } from './core.js';

/**
 * The native API under `/api/v1`: every route authenticated unless it says `config: { public: true }`.
 * Order matters: rate limit (cheap, before any database work), then auth, then idempotency (needs who).
 */
export async function registerApi(app: FastifyInstance, core: Core): Promise<void> {
  await app.register(
    async (api) => {
      installRateLimit(api, core.limits, new RateLimiter(60_000, core.counters, 'api:'));
      await installSessionCookies(api);
      installAuth(api, (token, org) => core.auth.authenticate(token, org));
      installIdempotency(api, core.repos.audit);
      installAuditTrail(api, (auth, e) => core.access.audit.record(auth, e));
      await api.register(
        authRoutes(core.auth, createLoginThrottle(core.limits, core.counters), core.access.passwords),
      );
      await api.register(accessRoutes(core.access));
      await api.register(webToLeadRoutes(core.webToLead, core.counters));
      await api.register(exportRoutes(core.exports));
      await api.register(bulkRoutes(core.bulk));
      await api.register(leadRoutes(core.leads));
      await api.register(core.leadParts.routes);
      await api.register(reportRoutes(core.reports));
      await api.register(viewRoutes(core.views));
      await api.register(core.accounts.routes);
      await api.register(importRoutes(core.imports, core.config.importMaxBytes));
      await api.register(pipelineRoutes(core.pipeline));
      await api.register(activityRoutes(core.activities));
      await api.register(attachmentRoutes(core.activities.attachments));
      await api.register(core.email.routes);
      await api.register(activityByIdRoutes(core.activities.byId));
      await api.register(catalogRoutes(core.catalogs));
      await api.register(timeZoneRoutes(core.timeZones));
      await api.register(duplicateRoutes(core.duplicates));
      await api.register(dedupeRoutes(core.dedupe.detection, core.dedupe.merges));
      await api.register(statusOrderRoutes(core.pipeline.order));
      await api.register(assignmentRoutes(core.assignment, (a, id) => core.leads.assertLeadAccess(a, id)));
      await api.register(core.webhooks.routes);
      await api.register(scoringRoutes(core.scoring));
    },
    { prefix: '/api/v1' },
  );
}
