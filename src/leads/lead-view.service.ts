import { assertCan, type AuthContext } from '../access/roles.js';
import { runner, type Tx, type TxOptions } from '../db/unit-of-work.js';
import type { ActivityRepository } from '../activities/activity.repository.js';
import { toFollowUpResponse, type FollowUpDto } from '../activities/follow-up.service.js';
import type { HistoryRepository } from '../pipeline/history.repository.js';
import { displayKey } from '../pipeline/status.repository.js';
import type { HistoryEntryDto } from '../pipeline/status-change.service.js';
import type { ExternalRefRepository } from './external-ref.repository.js';
import type { ExternalRefEntity, RefValue, RefValues } from './external-ref.service.js';
import type { LeadDto } from './lead.schema.js';

/** What a batched view reads beside the leads themselves. */
export interface LeadViewParts {
  history?: boolean;
  followUps?: boolean;
  /** External refs of the leads and of their history entries and follow-ups, kept by this surface. */
  refs?: { surface: string };
}

export interface LeadView {
  lead: LeadDto;
  history: HistoryEntryDto[];
  followUps: FollowUpDto[];
  /** Refs per kind of record, by record id. */
  refs: Record<ExternalRefEntity, Map<number, RefValues>>;
}

export interface LeadViewDeps {
  db: Tx;
  history: HistoryRepository;
  activities: ActivityRepository;
  refs: ExternalRefRepository;
}

/**
 * Batched reads for lists (docs/decisions.md, "Compat kit"): the status logs, follow-ups and external refs of
 * a page of leads in a fixed number of queries whatever the page size (no N+1). It takes leads the caller
 * already read through the lead service (`list` or `get`, which apply visibility), so it needs no guard of its
 * own beyond `leads:read`. Contacts come with the leads (the lead service presents them batched).
 */
export function createLeadViewService({ db, history, activities, refs }: LeadViewDeps) {
  return {
    async view(
      auth: AuthContext,
      leads: LeadDto[],
      parts: LeadViewParts,
      opts: TxOptions = {},
    ): Promise<LeadView[]> {
      assertCan(auth, 'leads:read');
      const q = runner(db, opts);
      const ids = leads.map((l) => l.id);
      const empty = (): LeadView['refs'] => ({
        lead: new Map(),
        status_history: new Map(),
        follow_up: new Map(),
      });
      if (ids.length === 0) return [];
      // Three queries for any number of leads: logs (names joined), follow-ups, refs of all of them.
      const [hRows, fRows, refRows] = await Promise.all([
        parts.history ? history.listNamedForLeads(auth.orgId, ids, q) : Promise.resolve([]),
        parts.followUps ? activities.listFollowUpsForLeads(auth.orgId, ids, q) : Promise.resolve([]),
        parts.refs
          ? refs.listForLeadsAndChildren(auth.orgId, parts.refs.surface, ids, q)
          : Promise.resolve([]),
      ]);
      const entries: HistoryEntryDto[] = hRows.map((r) => ({
        id: r.id,
        from:
          r.from_status_id === null
            ? null
            : r.from_key
              ? displayKey(r.from_key)
              : `status ${r.from_status_id}`,
        to: r.to_key ? displayKey(r.to_key) : `status ${r.to_status_id}`,
        to_category: r.to_category ?? 'open',
        sub_status: r.sub_status_name ? displayKey(r.sub_status_name) : null,
        reason:
          r.reason_id && r.reason_text !== null
            ? { id: r.reason_id, text: r.reason_text, number: r.reason_number ?? undefined }
            : null,
        note: r.note,
        by: r.created_by,
        at: r.created_at,
      }));
      const all = empty();
      for (const r of refRows) {
        const byId = all[r.entity as ExternalRefEntity];
        if (!byId) continue;
        const m = byId.get(r.entity_id) ?? {};
        m[r.name] = JSON.parse(r.value) as RefValue;
        byId.set(r.entity_id, m);
      }
      const historyOf = new Map<number, HistoryEntryDto[]>();
      hRows.forEach((row, i) =>
        historyOf.set(row.lead_id, [...(historyOf.get(row.lead_id) ?? []), entries[i]]),
      );
      const followUpsOf = new Map<number, FollowUpDto[]>();
      for (const f of fRows)
        followUpsOf.set(f.lead_id, [...(followUpsOf.get(f.lead_id) ?? []), toFollowUpResponse(f)]);
      return leads.map((lead) => ({
        lead,
        history: historyOf.get(lead.id) ?? [],
        followUps: followUpsOf.get(lead.id) ?? [],
        refs: all,
      }));
    },
  };
}

export type LeadViewService = ReturnType<typeof createLeadViewService>;
