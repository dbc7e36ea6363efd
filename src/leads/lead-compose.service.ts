import type { AuthContext } from '../access/roles.js';
import type { FollowUpDto, FollowUpInput } from '../activities/follow-up.service.js';
import type { TxOptions } from '../db/unit-of-work.js';
import type { ExternalRefEntity, RefValue } from './external-ref.service.js';
import type { LeadView, LeadViewService } from './lead-view.service.js';
import type { LeadCreateInput, LeadDto } from './lead.schema.js';

type Refs = Record<string, RefValue | undefined>;

/** One lead with everything that comes with it, as a surface or an import describes it. */
export interface ComposedLead {
  /** The surface whose external refs these are (its `kit.name`; docs/decisions.md, "External refs per surface"). */
  surface: string;
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
  /** The new lead read back through the batched view, in the same transaction. */
  view: LeadView;
}

/** The core services composed, each joining the caller's transaction through its last argument. */
export interface LeadComposeDeps {
  transaction<T>(fn: (opts: TxOptions) => Promise<T>): Promise<T>;
  leads: {
    create(auth: AuthContext, input: LeadCreateInput, opts?: { at?: string } & TxOptions): Promise<LeadDto>;
  };
  statusChanges: {
    changeStatus(
      auth: AuthContext,
      leadId: number,
      target: { status: string; sub_status?: string | null; reason_id?: number | null },
      opts?: { at?: string } & TxOptions,
    ): Promise<unknown>;
  };
  followUps: {
    addFollowUp(
      auth: AuthContext,
      leadId: number,
      input: FollowUpInput,
      opts?: TxOptions,
    ): Promise<FollowUpDto>;
    setNextFollowUp(auth: AuthContext, leadId: number, at: string | null, opts?: TxOptions): Promise<LeadDto>;
  };
  contacts: {
    findOrCreateByIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
      opts?: TxOptions,
    ): Promise<{ id: number; created: boolean }>;
  };
  customFields: {
    ensureCustomField(
      orgId: number,
      input: { key: string; type?: 'string' | 'number' | 'boolean' },
      trx?: TxOptions['tx'],
    ): Promise<unknown>;
  };
  refs: {
    setMany(
      auth: AuthContext,
      surface: string,
      items: Array<{ entity: ExternalRefEntity; id: number; values: Refs }>,
      opts?: TxOptions,
    ): Promise<void>;
  };
  view: LeadViewService['view'];
  get(auth: AuthContext, id: number, opts?: TxOptions): Promise<LeadDto>;
}

/**
 * A lead created with its customer, field definitions, status log, follow-ups, next follow-up and external
 * refs in ONE transaction, returning every id (docs/decisions.md, "Compat kit"). The caller checks everything
 * first; should a core rule still refuse a step, the whole transaction rolls back and nothing is left.
 */
export function createLeadComposeService(deps: LeadComposeDeps) {
  return {
    async createComposed(auth: AuthContext, c: ComposedLead, outer: TxOptions = {}): Promise<ComposedIds> {
      const run = <T>(fn: (opts: TxOptions) => Promise<T>) => (outer.tx ? fn(outer) : deps.transaction(fn));
      const ident =
        c.contact && !('id' in c.contact)
          ? 'email' in c.contact
            ? { kind: 'email' as const, value: c.contact.email }
            : { kind: 'mobile' as const, value: c.contact.mobile }
          : undefined;
      return run(async (opts) => {
        // Found or created inside the unit of work, on the identifier's unique key: parallel requests for one
        // new customer make one contact.
        const contactId: number | undefined =
          c.contact && 'id' in c.contact
            ? c.contact.id
            : ident
              ? (await deps.contacts.findOrCreateByIdentifier(auth, ident.kind, ident.value, opts)).id
              : undefined;
        for (const f of c.defineFields ?? [])
          await deps.customFields.ensureCustomField(auth.orgId, f, opts.tx);
        const created = await deps.leads.create(
          auth,
          { ...c.lead, ...(contactId !== undefined ? { contact_ids: [contactId] } : {}) },
          { at: c.at, ...opts },
        );
        for (const s of c.statusChanges ?? []) {
          await deps.statusChanges.changeStatus(
            auth,
            created.id,
            { status: s.status, sub_status: s.sub_status ?? null, reason_id: s.reason_id ?? null },
            { at: s.at, ...opts },
          );
        }
        const followUpIds: number[] = [];
        const refs: Array<{ entity: ExternalRefEntity; id: number; values: Refs }> = [];
        for (const f of c.followUps ?? []) {
          const { refs: fRefs, ...input } = f;
          const row = await deps.followUps.addFollowUp(auth, created.id, input, opts);
          followUpIds.push(row.id);
          if (fRefs) refs.push({ entity: 'follow_up', id: row.id, values: fRefs });
        }
        if (c.nextFollowUpAt !== undefined)
          await deps.followUps.setNextFollowUp(auth, created.id, c.nextFollowUpAt, opts);
        const lead = await deps.get(auth, created.id, opts);
        const [view] = await deps.view(auth, [lead], { history: true, followUps: true }, opts);
        // The log of a new lead is exactly its creation entry plus one entry per change, in order.
        const historyIds = view.history.map((h) => h.id);
        const entryRefs = [c.firstEntryRefs, ...(c.statusChanges ?? []).map((s) => s.refs)];
        for (const [i, values] of entryRefs.entries())
          if (values && historyIds[i] !== undefined)
            refs.push({ entity: 'status_history', id: historyIds[i], values });
        if (c.refs)
          refs.push({ entity: 'lead', id: lead.id, values: { ...c.refs, updated_at: lead.updated_at } });
        // All refs in one statement; the view gets them as written (no read back).
        await deps.refs.setMany(auth, c.surface, refs, opts);
        for (const r of refs) {
          const values = Object.fromEntries(Object.entries(r.values).filter(([, v]) => v !== undefined));
          view.refs[r.entity].set(r.id, { ...(view.refs[r.entity].get(r.id) ?? {}), ...values } as Record<
            string,
            RefValue
          >);
        }
        return { lead, contactId, historyIds, followUpIds, view };
      });
    },
  };
}

export type LeadComposeService = ReturnType<typeof createLeadComposeService>;
