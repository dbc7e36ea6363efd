import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../db/schema.js';
import type { LeadRepository } from './lead.repository.js';
import type { LeadPart } from './lead-parts.js';
import { createLeadUserRepository } from './lead-users.repository.js';
import { createLeadUserService } from './lead-users.service.js';
import { leadUserRoutes } from './lead-users.routes.js';
import type { LeadGuard } from '../activities/lead-access.js';
import { createContactPointRepository } from './contact-points.repository.js';
import { createContactPointService } from './contact-points.service.js';
import { contactPointRoutes } from './contact-points.routes.js';
import { createLeadItemService } from './lead-items.service.js';
import { leadItemRoutes } from './lead-items.routes.js';
import { createLeadConsentService } from './lead-consent.service.js';
import { leadConsentRoutes } from './lead-consent.routes.js';
import { leadSearchPart } from './lead-search.js';

export interface LeadPartsDeps {
  db: Kysely<Database>;
  leads: LeadRepository;
  guard: LeadGuard;
  /** After an email or phone changed on its own route (duplicate keys, src/duplicates). */
  onPointsChanged?: Parameters<typeof createContactPointService>[0]['onChanged'];
}

/** Builds the lead parts kept in their own tables: their services, the hooks the lead service calls, routes. */
export function buildLeadParts({ db, leads, guard, onPointsChanged }: LeadPartsDeps) {
  const users = createLeadUserService({ db, repo: createLeadUserRepository(db), leads, guard });
  const points = createContactPointService({
    db,
    repo: createContactPointRepository(db),
    leads,
    guard,
    onChanged: onPointsChanged,
  });
  const items = createLeadItemService({ db, leads, guard });
  const consent = createLeadConsentService({ db, leads, guard });
  // The search part last: it reads what the others wrote.
  const parts: LeadPart[] = [users.part, points.part, items.part, consent.part, leadSearchPart()];
  const routes: FastifyPluginAsyncTypebox = async (app) => {
    await app.register(leadUserRoutes(users));
    await app.register(contactPointRoutes(points));
    await app.register(leadItemRoutes(items));
    await app.register(leadConsentRoutes(consent));
  };
  return { parts, routes, users, points, items, consent };
}
