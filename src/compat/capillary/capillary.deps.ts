import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { ExternalRefEntity, RefValue } from '../../leads/external-ref.service.js';
import type { LeadComposeService } from '../../leads/lead-compose.service.js';
import type { TxOptions } from '../../db/unit-of-work.js';
import type { CatalogSnapshot } from '../../pipeline/catalog-snapshot.js';
import type { LeadViewService } from '../../leads/lead-view.service.js';

/**
 * The core services this surface translates onto: only the functions it calls, so app.ts passes each service
 * as it is (the surface holds no SQL and no rules; every write goes through these).
 */
export interface FollowUpView {
  id: number;
  scheduled_at: string | null;
  done_at: string | null;
  done_by: number | null;
  notes: string | null;
  next_follow_up_at: string | null;
  created_by: number | null;
  created_at: string;
}

export interface FollowUpWrite {
  scheduled_at?: string | null;
  done_at?: string | null;
  notes?: string | null;
  next_follow_up_at?: string | null;
}

export interface HistoryEntryView {
  id: number;
  to: string;
  to_category: string;
  sub_status: string | null;
  reason: { id: number; text: string; number?: number } | null;
  by: number | null;
  at: string;
}

type Query = Record<string, unknown>;

/** The surface's kit name: also the `surface` of the external refs it keeps. */
export const CAPILLARY = 'capillary';

export interface CapillaryDeps {
  /** The core's batched read of a page of leads (status logs, follow-ups, refs): no N+1. */
  view: LeadViewService['view'];
  /** The core's composite create: a lead with its customer, log, follow-ups and refs in one transaction. */
  composeLead: LeadComposeService['createComposed'];
  /** The organization's catalogs in one snapshot, checked against and passed back to `composeLead` as `known`. */
  catalog: LeadComposeService['catalog'];
  /** Runs several core writes as one unit of work (each service call gets the `{ tx }` passed to fn). */
  transaction<T>(fn: (opts: TxOptions) => Promise<T>): Promise<T>;
  leads: {
    create(auth: AuthContext, input: Query & { title: string }, opts?: { at?: string }): Promise<LeadDto>;
    get(auth: AuthContext, id: number, opts?: TxOptions): Promise<LeadDto>;
    update(auth: AuthContext, id: number, input: Query, opts?: TxOptions): Promise<LeadDto>;
    list(
      auth: AuthContext,
      query: Query,
      opts?: { parts?: boolean },
    ): Promise<{ data: LeadDto[]; next_cursor: string | null }>;
  };
  statusChanges: {
    changeStatus(
      auth: AuthContext,
      leadId: number,
      target: { status: string; sub_status?: string | null; reason_id?: number | null },
      opts?: { at?: string } & TxOptions,
    ): Promise<{ lead: LeadDto; history: { id: number } | null }>;
  };
  statuses: {
    /** Live statuses without lead counts (src/pipeline/status-vocabulary.ts). */
    listStatusWords(
      auth: AuthContext,
    ): Promise<Array<{ key: string; category: string; is_default: boolean; position: number }>>;
    listSubStatuses(auth: AuthContext, statusKey?: string): Promise<Array<{ status: string; name: string }>>;
    /** Adds a sub-status or finds the one of that name (race-free). */
    addSubStatus(
      auth: AuthContext,
      statusKey: string,
      input: { name: string },
    ): Promise<{ subStatus: { status: string; name: string }; created: boolean }>;
  };
  reasons: {
    listReasons(
      auth: AuthContext,
    ): Promise<Array<{ id: number; number: number; text: string; categories: string[] | null }>>;
    createReasons(
      auth: AuthContext,
      inputs: Array<{ text: string }>,
    ): Promise<Array<{ id: number; number: number; text: string }>>;
  };
  customFields: {
    listCustomFields(auth: AuthContext): Promise<Array<{ key: string; type: string }>>;
    ensureCustomField(
      orgId: number,
      input: { key: string; type?: 'string' | 'number' | 'boolean' },
      trx?: TxOptions['tx'],
    ): Promise<unknown>;
    /** Checks values against the definitions (writes nothing); problems go to `errors`. */
    applyValues(
      orgId: number,
      incoming: Record<string, string | number | boolean | null> | undefined,
      existing: Record<string, string | number | boolean | null> | null,
      errors: Array<{ field: string; message: string }>,
      trx?: TxOptions['tx'],
      known?: CatalogSnapshot['fields'],
    ): Promise<string | undefined>;
  };
  followUps: {
    addFollowUp(
      auth: AuthContext,
      leadId: number,
      input: FollowUpWrite,
      opts?: TxOptions,
    ): Promise<FollowUpView>;
    setNextFollowUp(auth: AuthContext, leadId: number, at: string | null, opts?: TxOptions): Promise<LeadDto>;
  };
  contacts: {
    get(
      auth: AuthContext,
      id: number,
    ): Promise<{
      id: number;
      first_name: string | null;
      last_name: string | null;
      emails: Array<{ email: string }>;
      phones: Array<{ phone: string }>;
    }>;
    findOrCreateByIdentifier(
      auth: AuthContext,
      kind: 'email' | 'mobile',
      value: string,
    ): Promise<{ id: number; created: boolean }>;
  };
  users: {
    list(auth: AuthContext): Promise<{ data: Array<{ id: number; email: string; active?: boolean }> }>;
  };
  refs: {
    set(
      auth: AuthContext,
      entity: ExternalRefEntity,
      entityId: number,
      values: Record<string, RefValue | undefined>,
      opts?: TxOptions,
    ): Promise<void>;
    findIds(auth: AuthContext, entity: ExternalRefEntity, name: string, value: RefValue): Promise<number[]>;
  };
}
