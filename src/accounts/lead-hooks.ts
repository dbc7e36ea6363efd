import type { LeadLinkHooks } from '../leads/lead.service.js';
import type { LeadRepository } from '../leads/lead.repository.js';
import { nowIso } from '../db/dialect.js';
import type { LeadLinkService } from './lead-link.service.js';
import type { ConversionService } from './conversion.service.js';

/** The accounts side of leads: links on create/PATCH, `auto_convert`, and what a lead response shows. */
export function createLeadHooks(
  linkService: LeadLinkService,
  conversion: ConversionService,
  leads: LeadRepository,
): LeadLinkHooks {
  return {
    check: (orgId, input, errors, trx, creating) => linkService.check(orgId, input, errors, trx, creating),

    async afterCreate(trx, auth, row, input) {
      const linked = await linkService.linkNewLead(trx, auth, row, input);
      if (!input.auto_convert) return linked;
      // Same transaction as the lead itself: if the conversion fails, the lead is not created either.
      return (
        await conversion.convertInTrx(trx, auth, linked.id, await conversion.prepare(auth.orgId, {}, trx))
      ).lead;
    },

    async afterUpdate(trx, auth, current, input) {
      const change = await linkService.relinkContacts(trx, auth, current, input);
      if (!change) return false;
      await leads.insertFieldChanges(trx, [
        {
          org_id: auth.orgId,
          lead_id: current.id,
          field: 'contact_ids',
          old_value: JSON.stringify(change.old),
          new_value: JSON.stringify(change.new),
          changed_by: auth.userId,
          changed_at: nowIso(),
        },
      ]);
      return true;
    },

    describe: (orgId, rows, trx) => linkService.describe(orgId, rows, trx),
  };
}
