import { assertCan, type AuthContext } from '../access/roles.js';
import type { LeadContactSummary } from '../accounts/lead-link.types.js';
import type { FollowUpDto, FollowUpInput, PreparedFollowUp } from '../activities/follow-up.service.js';
import type { Tx, TxOptions } from '../db/unit-of-work.js';
import type { CatalogSnapshot } from '../pipeline/catalog-snapshot.js';
import type { HistoryRow } from '../pipeline/history.repository.js';
import { parseInstant } from '../pipeline/instant.js';
import type { HistoryEntryDto } from '../pipeline/status-change.service.js';
import type { StatusTarget } from '../pipeline/status-rules.js';
import { displayKey } from '../pipeline/status.repository.js';
import type { ExternalRefEntity, RefValue, RefValues } from './external-ref.service.js';
import type { LeadRow } from './lead.repository.js';
import { toLeadResponse, type LeadCreateInput, type LeadDto, type LeadExtras } from './lead.schema.js';
import type { LeadView } from './lead-view.service.js';
import { normalizeTags } from './lead.service.js';

type Refs = Record<string, RefValue | undefined>;

/** One lead with everything that comes with it, as a surface or an import describes it. */
export interface ComposedLead {
  /** The surface whose external refs these are (its `kit.name`; docs/decisions.md, "External refs per surface"). */
  surface: string;
  /** The organization's catalogs as the caller checked against them (`catalog()`); read here when absent. */
  known?: CatalogSnapshot;
  /** The customer: an existing contact, or one found or created by email or mobile. */
  contact?: { id: number } | { email: string } | { mobile: string };
  /** Custom fields the organization must define before the values are stored (clients that never define them). */
  defineFields?: Array<{ key: string; type?: 'string' | 'number' | 'boolean' }>;
  /** The lead, created in the status (and with the reason) of the first log entry; `at` backdates it. */
  lead: LeadCreateInput & { title: string };
  at?: string;
  refs?: Refs;
  /** Refs of the entry the lead is created with. */
  firstEntryRefs?: Refs;
  /** Further status changes, in order, each appended to the log. */
  statusChanges?: Array<{
    status: string;
    sub_status?: string | null;
    reason_id?: number | null;
    at?: string;
    refs?: Refs;
  }>;
  followUps?: Array<FollowUpInput & { refs?: Refs }>;
  /** The lead's next follow-up after all of the above (undefined: as the follow-ups left it). */
  nextFollowUpAt?: string | null;
}

export interface ComposedIds {
  lead: LeadDto;
  contactId: number | undefined;
  /** The status log of the new lead, oldest first (the first entry is its creation). */
  historyIds: number[];
  followUpIds: number[];
  /** The new lead as written (no read back): its log, follow-ups and the refs kept with them. */
  view: LeadView;
}

/** The core functions composed, each joining the caller's transaction. */
export interface LeadComposeDeps {
  transaction<T>(fn: (opts: TxOptions) => Promise<T>): Promise<T>;
  /** The organization's catalogs in four reads (src/pipeline/catalog-snapshot.ts). */
  readCatalog(orgId: number, trx?: Tx): Promise<CatalogSnapshot>;
  leads: {
    createRow(
      auth: AuthContext,
      input: LeadCreateInput,
      opts: {
        at?: string;
        known?: CatalogSnapshot;
        log?: Array<StatusTarget & { status: string; at?: string }>;
        summary?: { last_follow_up_at: string | null; next_follow_up_at: string | null };
      } & TxOptions,
    ): Promise<{ row: LeadRow; history: HistoryRow[] }>;
  };
  followUps: {
    prepareFirstFollowUps(
      auth: AuthContext,
      inputs: FollowUpInput[],
      opts?: TxOptions & { path?: string },
    ): Promise<{ rows: PreparedFollowUp[]; summary: { last: string | null; next: string | null } }>;
    insertForNewLead(
      auth: AuthContext,
      lead: LeadRow,
      prepared: PreparedFollowUp[],
      opts: TxOptions,
    ): Promise<FollowUpDto[]>;
  };
  contacts: {
    findOrCreateByIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
      opts?: TxOptions,
    ): Promise<{ id: number; created: boolean; summary: LeadContactSummary | null }>;
  };
  customFields: {
    ensureCustomField(
      orgId: number,
      input: { key: string; type?: 'string' | 'number' | 'boolean' },
      trx?: Tx,
    ): Promise<unknown>;
  };
  /** The lead's company and contacts as a lead response shows them (src/accounts), for contacts not made here. */
  describeLinks(
    orgId: number,
    rows: LeadRow[],
    trx: Tx,
  ): Promise<Map<number, NonNullable<LeadExtras['links']>>>;
  refs: {
    setMany(
      auth: AuthContext,
      surface: string,
      items: Array<{ entity: ExternalRefEntity; id: number; values: Refs }>,
      opts?: TxOptions,
    ): Promise<void>;
  };
}

/** A history row as the log shows it, named from the catalogs at hand. */
function toEntry(h: HistoryRow, known: CatalogSnapshot): HistoryEntryDto {
  const status = (id: number | null) => known.statuses.find((s) => s.id === id);
  const to = status(h.to_status_id);
  const from = h.from_status_id === null ? undefined : status(h.from_status_id);
  const sub = h.sub_status_id ? known.subStatuses.find((s) => s.id === h.sub_status_id) : undefined;
  const reason = h.reason_id ? known.reasons.find((r) => r.id === h.reason_id) : undefined;
  return {
    id: h.id,
    from: h.from_status_id === null ? null : from ? displayKey(from.key) : `status ${h.from_status_id}`,
    to: to ? displayKey(to.key) : `status ${h.to_status_id}`,
    to_category: to?.category ?? 'open',
    sub_status: sub ? displayKey(sub.name) : null,
    reason: reason ? { id: reason.id, text: reason.text, number: reason.number } : null,
    note: h.note,
    by: h.created_by,
    at: h.created_at,
  };
}

/**
 * A lead created with its customer, field definitions, status log, follow-ups, next follow-up and external
 * refs in ONE transaction, returning every id (docs/decisions.md, "Unit of work"). Each part is written in
 * bulk through the rules of its own service: the catalogs are read once (or taken from the caller, who checked
 * against them), the lead is inserted where its log ends with its follow-up columns set, its whole log goes in
 * one statement, its follow-ups in one, its refs in one, and the result is presented from what was written,
 * with no read back. The caller checks everything first; should a core rule still refuse a step, the whole
 * transaction rolls back and nothing is left.
 */
export function createLeadComposeService(deps: LeadComposeDeps) {
  return {
    /** The catalogs a caller checks a composite write against, to pass back as `known` (one read each). */
    async catalog(auth: AuthContext, opts: TxOptions = {}): Promise<CatalogSnapshot> {
      assertCan(auth, 'leads:read');
      return deps.readCatalog(auth.orgId, opts.tx);
    },

    async createComposed(auth: AuthContext, c: ComposedLead, outer: TxOptions = {}): Promise<ComposedIds> {
      assertCan(auth, 'leads:write');
      const run = <T>(fn: (opts: TxOptions) => Promise<T>) => (outer.tx ? fn(outer) : deps.transaction(fn));
      const ident =
        c.contact && !('id' in c.contact)
          ? 'email' in c.contact
            ? { kind: 'email' as const, value: c.contact.email }
            : { kind: 'mobile' as const, value: c.contact.mobile }
          : undefined;
      const nextAt =
        c.nextFollowUpAt === undefined || c.nextFollowUpAt === null
          ? c.nextFollowUpAt
          : parseInstant('nextFollowUpAt', c.nextFollowUpAt);
      return run(async (opts) => {
        let known = c.known ?? (await deps.readCatalog(auth.orgId, opts.tx));
        // Found or created inside the unit of work, on the identifier's unique key: parallel requests for one
        // new customer make one contact.
        const found = ident
          ? await deps.contacts.findOrCreateByIdentifier(auth, ident.kind, ident.value, opts)
          : undefined;
        const contactId = c.contact && 'id' in c.contact ? c.contact.id : found?.id;
        if (c.defineFields?.length) {
          for (const f of c.defineFields) await deps.customFields.ensureCustomField(auth.orgId, f, opts.tx);
          known = { ...known, fields: (await deps.readCatalog(auth.orgId, opts.tx)).fields };
        }
        // The follow-ups are checked first, so the lead is inserted with the follow-up columns they give it.
        const followUps = (c.followUps ?? []).map(({ refs: _refs, ...input }) => input);
        const prepared = await deps.followUps.prepareFirstFollowUps(auth, followUps, {
          ...opts,
          path: 'followUps',
        });
        const { row, history } = await deps.leads.createRow(
          auth,
          { ...c.lead, ...(contactId !== undefined ? { contact_ids: [contactId] } : {}) },
          {
            at: c.at,
            known,
            log: (c.statusChanges ?? []).map((s) => ({
              status: s.status,
              sub_status: s.sub_status ?? null,
              reason_id: s.reason_id ?? null,
              at: s.at,
            })),
            summary: {
              last_follow_up_at: prepared.summary.last,
              next_follow_up_at: nextAt !== undefined ? nextAt : prepared.summary.next,
            },
            ...opts,
          },
        );
        const written = await deps.followUps.insertForNewLead(auth, row, prepared.rows, opts);
        // The log of a new lead is exactly its creation entry plus one entry per change, in order.
        const refs: Array<{ entity: ExternalRefEntity; id: number; values: Refs }> = [];
        const entryRefs = [c.firstEntryRefs, ...(c.statusChanges ?? []).map((s) => s.refs)];
        for (const [i, values] of entryRefs.entries())
          if (values && history[i]) refs.push({ entity: 'status_history', id: history[i].id, values });
        for (const [i, f] of (c.followUps ?? []).entries())
          if (f.refs && written[i]) refs.push({ entity: 'follow_up', id: written[i].id, values: f.refs });
        if (c.refs)
          refs.push({ entity: 'lead', id: row.id, values: { ...c.refs, updated_at: row.updated_at } });
        // All refs in one statement; the view gets them as written.
        await deps.refs.setMany(auth, c.surface, refs, opts);
        const viewRefs: LeadView['refs'] = {
          lead: new Map(),
          status_history: new Map(),
          follow_up: new Map(),
        };
        for (const r of refs)
          viewRefs[r.entity].set(r.id, {
            ...(viewRefs[r.entity].get(r.id) ?? {}),
            ...(Object.fromEntries(Object.entries(r.values).filter(([, v]) => v !== undefined)) as RefValues),
          });
        // The customer as linked: known when made here, else read (one batched read of the lead's links).
        const links =
          found?.summary && row.company_id === null
            ? { company: null, contacts: [found.summary] }
            : contactId !== undefined || row.company_id !== null
              ? (await deps.describeLinks(auth.orgId, [row], opts.tx!)).get(row.id)
              : undefined;
        const status = known.statuses.find((s) => s.id === row.status_id);
        const sub = row.sub_status_id ? known.subStatuses.find((s) => s.id === row.sub_status_id) : undefined;
        const lead = toLeadResponse(row, {
          tags: normalizeTags(c.lead.tags ?? []),
          status: status?.key ?? 'unknown',
          status_category: status?.category ?? 'open',
          sub_status: sub?.name ?? null,
          links,
        });
        const view: LeadView = {
          lead,
          history: history.map((h) => toEntry(h, known)),
          followUps: written,
          refs: viewRefs,
        };
        return {
          lead,
          contactId,
          historyIds: history.map((h) => h.id),
          followUpIds: written.map((f) => f.id),
          view,
        };
      });
    },
  };
}

export type LeadComposeService = ReturnType<typeof createLeadComposeService>;
