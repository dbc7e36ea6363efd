import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { ExternalRefService } from '../../leads/external-ref.service.js';
import type { CompatAuthenticator } from '../shared/auth.js';

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
  reason: { id: number; text: string } | null;
  by: number | null;
  at: string;
}

type Query = Record<string, unknown>;

export interface CapillaryDeps {
  authenticate: CompatAuthenticator;
  leads: {
    create(auth: AuthContext, input: Query & { title: string }, opts?: { at?: string }): Promise<LeadDto>;
    get(auth: AuthContext, id: number): Promise<LeadDto>;
    update(auth: AuthContext, id: number, input: Query): Promise<LeadDto>;
    remove(auth: AuthContext, id: number): Promise<void>;
    list(auth: AuthContext, query: Query): Promise<{ data: LeadDto[]; next_cursor: string | null }>;
  };
  statusChanges: {
    changeStatus(
      auth: AuthContext,
      leadId: number,
      target: { status: string; sub_status?: string | null; reason_id?: number | null },
      opts?: { at?: string },
    ): Promise<{ lead: LeadDto; history: { id: number } | null }>;
    listStatusHistory(
      auth: AuthContext,
      leadId: number,
      opts?: { limit?: number; cursor?: string },
    ): Promise<{ data: HistoryEntryView[]; next_cursor: string | null }>;
  };
  statuses: {
    /** Live statuses without lead counts (src/pipeline/status-vocabulary.ts). */
    listStatusWords(
      auth: AuthContext,
    ): Promise<Array<{ key: string; category: string; is_default: boolean; position: number }>>;
    listSubStatuses(auth: AuthContext, statusKey?: string): Promise<Array<{ status: string; name: string }>>;
    createSubStatus(
      auth: AuthContext,
      statusKey: string,
      input: { name: string },
    ): Promise<{ status: string; name: string }>;
  };
  reasons: {
    listReasons(auth: AuthContext): Promise<Array<{ id: number; text: string }>>;
    createReasons(
      auth: AuthContext,
      inputs: Array<{ text: string }>,
    ): Promise<Array<{ id: number; text: string }>>;
  };
  customFields: {
    listCustomFields(auth: AuthContext): Promise<Array<{ key: string; type: string }>>;
    ensureCustomField(
      orgId: number,
      input: { key: string; type?: 'string' | 'number' | 'boolean' },
    ): Promise<unknown>;
    /** Checks values against the definitions (writes nothing); problems go to `errors`. */
    applyValues(
      orgId: number,
      incoming: Record<string, string | number | boolean | null> | undefined,
      existing: Record<string, string | number | boolean | null> | null,
      errors: Array<{ field: string; message: string }>,
    ): Promise<string | undefined>;
  };
  followUps: {
    listFollowUps(auth: AuthContext, leadId: number): Promise<FollowUpView[]>;
    addFollowUp(auth: AuthContext, leadId: number, input: FollowUpWrite): Promise<FollowUpView>;
    setNextFollowUp(auth: AuthContext, leadId: number, at: string | null): Promise<LeadDto>;
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
  refs: ExternalRefService;
}
