import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Policy } from '../access/policy.js';
import type { AuthContext } from '../access/roles.js';
import type { TxOptions } from '../db/unit-of-work.js';
import type { LeadRepository } from '../leads/lead.repository.js';
import { createDuplicateRepository } from './duplicates.repository.js';
import { createDuplicateDetection } from './duplicates.service.js';
import { createMergeRepository } from './merge.repository.js';
import { createMergeService, type MergeServiceDeps } from './merge.service.js';

/**
 * Duplicate detection first (its lead part goes to the lead service, so every write keeps the keys and pairs),
 * then merge, which needs the lead service: it is given late (`withLeads`).
 */
/** Kind of the job that files existing leads under their duplicate keys. */
export const DUPLICATE_BACKFILL_JOB = 'duplicates.backfill';

export function buildDuplicates(deps: {
  db: Kysely<Database>;
  policy: Policy;
  leads: LeadRepository;
  guard: (auth: AuthContext, id: number, mode: 'read' | 'write', opts?: TxOptions) => Promise<void>;
}) {
  const detection = createDuplicateDetection({
    db: deps.db,
    repo: createDuplicateRepository(),
    policy: deps.policy,
    guard: deps.guard,
  });
  return {
    detection,
    /** The job that files an organization's existing leads under their keys (queued by migration 0162). */
    backfill: (orgId: number, signal?: AbortSignal) =>
      detection.backfill(orgId, (trx, o, ids) => deps.leads.byIds(trx, o, ids), { signal }),
    withLeads(leads: MergeServiceDeps['leads']) {
      return createMergeService({
        db: deps.db,
        repo: createMergeRepository(),
        leads,
        refresh: detection.refresh,
        rows: (trx, orgId, ids) => deps.leads.byIds(trx, orgId, ids),
      });
    },
  };
}
