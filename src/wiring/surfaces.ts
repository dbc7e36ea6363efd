import type { FastifyInstance } from 'fastify';
import { installRateLimit } from '../http/rate-limit.js';
import { capillarySurface } from '../compat/capillary/capillary.surface.js';
import type { Core } from './core.js';

/**
 * The compatible surfaces (docs/compat.md): translators over the core, outside /api/v1, each with its own
 * auth forms and error envelope (the compat kit, src/compat/shared/). A new surface adds one line here.
 */
export async function registerSurfaces(app: FastifyInstance, core: Core): Promise<void> {
  await app.register(async (compat) => {
    installRateLimit(compat, core.limits);
    await capillarySurface.register(compat, core.kitCore, {
      view: core.leadViews.view,
      composeLead: core.leadCompose.createComposed,
      transaction: core.unitOfWork,
      leads: {
        create: (auth, input, opts) => core.leads.create(auth, input as never, opts),
        get: (auth, id, opts) => core.leads.get(auth, id, opts),
        update: (auth, id, input, opts) => core.leads.update(auth, id, input, undefined, opts),
        list: (auth, query) => core.leads.list(auth, query),
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
  });
}
