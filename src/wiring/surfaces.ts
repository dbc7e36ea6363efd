import type { FastifyInstance } from 'fastify';
import { installRateLimit, RateLimiter } from '../http/rate-limit.js';
import { capillarySurface } from '../compat/capillary/capillary.surface.js';
import { entrepriseFacileSurface } from '../compat/entreprise-facile/ef.surface.js';
import { djangoCrmSurface } from '../compat/django-crm/django.surface.js';
import { activixSurface } from '../compat/activix/activix.surface.js';
import { crmcomSurface } from '../compat/crmcom/crmcom.surface.js';
import type { Core } from './core.js';

/**
 * The compatible surfaces (docs/compat.md): translators over the core, outside /api/v1, each with its own
 * auth forms and error envelope (the compat kit, src/compat/shared/). A new surface adds one line here.
 */
export async function registerSurfaces(app: FastifyInstance, core: Core): Promise<void> {
  await app.register(async (compat) => {
    installRateLimit(compat, core.limits, new RateLimiter(60_000, core.counters, 'compat:'));
    await capillarySurface.register(compat, core.kitCore, {
      view: core.leadViews.view,
      composeLead: core.leadCompose.createComposed,
      catalog: core.leadCompose.catalog,
      transaction: core.unitOfWork,
      leads: {
        create: (auth, input, opts) => core.leads.create(auth, input as never, opts),
        get: (auth, id, opts) => core.leads.get(auth, id, opts),
        update: (auth, id, input, opts) => core.leads.update(auth, id, input, undefined, opts),
        list: (auth, query, opts) => core.leads.list(auth, query, opts),
      },
      statusChanges: core.pipeline.changes,
      statuses: {
        listStatusWords: core.pipeline.vocabulary.listStatusWords,
        listSubStatuses: (auth, key) => core.pipeline.statuses.listSubStatuses(auth, key),
        addSubStatus: (auth, key, input) => core.pipeline.statuses.addSubStatus(auth, key, input),
      },
      reasons: core.pipeline.reasons,
      customFields: core.pipeline.customFields,
      followUps: core.activities.followUps,
      contacts: {
        get: (auth, id) => core.accounts.contactService.get(auth, id),
        ...core.contactFinder,
      },
      users: core.access.users,
      // The surface's own external refs (its kit name), apart from any other surface's.
      refs: core.externalRefs.forSurface(capillarySurface.name),
    });
    // Seed 001, the XML leads API (docs/compat/entreprise-facile.md).
    await entrepriseFacileSurface.register(compat, core.kitCore, {
      transaction: core.unitOfWork,
      leads: {
        create: (auth, input, opts) => core.leads.create(auth, input, opts),
        get: (auth, id, opts) => core.leads.get(auth, id, opts),
        update: (auth, id, input, opts) => core.leads.update(auth, id, input, undefined, opts),
        remove: (auth, id, opts) => core.leads.remove(auth, id, undefined, opts),
        list: (auth, query, opts) => core.leads.list(auth, query, opts),
      },
      companies: {
        setCustomerStatus: (auth, id, status, opts) =>
          core.accounts.companyService.update(auth, id, { customer_status: status }, undefined, opts),
      },
      contacts: {
        setCustomerStatus: (auth, id, status, opts) =>
          core.accounts.contactService.update(auth, id, { customer_status: status }, undefined, opts),
      },
      statuses: { listStatusWords: core.pipeline.vocabulary.listStatusWords },
      reasons: core.pipeline.reasons,
    });
    // Seed 004 (docs/compat/django-crm.md).
    await djangoCrmSurface.register(compat, core.kitCore, {
      transaction: core.unitOfWork,
      leads: core.leads,
      statuses: core.pipeline.statuses,
      conversion: core.accounts.conversion,
      companies: core.accounts.companyService,
      contacts: core.accounts.contactService,
      users: core.access.users,
      teams: core.access.teams,
      comments: {
        listComments: core.activities.tasks.listComments,
        addComment: core.activities.tasks.addComment,
        getComment: core.activities.byId.getComment,
        updateComment: core.activities.byId.updateComment,
        deleteComment: core.activities.byId.deleteComment,
        attachmentLead: core.activities.byId.attachmentLead,
      },
      attachments: core.activities.attachments,
      webToLead: core.webToLead,
      imports: core.imports,
      tagCounts: core.activities.tagCounts,
      uploadWaitBytes: 1024 * 1024,
      importMaxBytes: core.config.importMaxBytes,
    });
    await activixSurface.register(compat, core.kitCore, {
      transaction: core.unitOfWork,
      leads: core.leads,
      points: core.leadParts.points,
      items: core.leadParts.items,
      tasks: core.activities.tasks,
      activities: core.activities.byId,
      users: core.access.users,
      reasons: core.pipeline.reasons,
      statuses: core.pipeline.vocabulary,
      organization: (auth) => core.auth.organization(auth),
      duplicates: core.duplicates,
      // The document's 200 requests a minute, unless the server's own limit is lower (0 turns both off).
      rateLimitPerMinute: Math.min(200, core.limits.authenticatedPerMinute),
      counters: core.counters,
    });
    // Seed 003 (docs/compat/crmcom.md).
    await crmcomSurface.register(compat, core.kitCore, {
      tokens: core.auth,
      catalogs: core.catalogs,
      statuses: core.pipeline.statuses,
      reasons: core.pipeline.reasons,
      teams: core.access.teams,
      users: core.access.users,
      leads: core.leads,
      contacts: core.accounts.contactService,
      companies: core.accounts.companyService,
      view: core.leadViews.view,
      transaction: core.unitOfWork,
    });
  });
}
