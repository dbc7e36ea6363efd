import type { AuthContext } from '../../access/roles.js';
import type { TxOptions } from '../../db/unit-of-work.js';
import type { LeadCreateInput, LeadDto, LeadPatchInput } from '../../leads/lead.schema.js';
import type { StatusWord } from './ef.mapping.js';

type Query = Record<string, unknown>;

/**
 * The core functions seed 001 translates onto (wired in src/wiring/surfaces.ts): the lead service, the
 * customer flag of companies and contacts, and the status and reason vocabularies. Every write takes the
 * `{ tx }` of the request's one unit of work.
 */
export interface EfDeps {
  transaction<T>(fn: (opts: TxOptions) => Promise<T>): Promise<T>;
  leads: {
    create(auth: AuthContext, input: LeadCreateInput, opts?: TxOptions): Promise<LeadDto>;
    get(auth: AuthContext, id: number, opts?: TxOptions): Promise<LeadDto>;
    update(auth: AuthContext, id: number, input: LeadPatchInput, opts?: TxOptions): Promise<LeadDto>;
    remove(auth: AuthContext, id: number, opts?: TxOptions): Promise<void>;
    list(
      auth: AuthContext,
      query: Query,
      opts?: { parts?: boolean; offsetPastEnd?: 'error' | 'empty' },
    ): Promise<{ data: LeadDto[]; next_cursor: string | null; total?: number }>;
  };
  /** The customer flag (prospect or customer) of a company or a contact. */
  companies: {
    setCustomerStatus(
      auth: AuthContext,
      id: number,
      status: CustomerStatus,
      opts?: TxOptions,
    ): Promise<unknown>;
  };
  contacts: {
    setCustomerStatus(
      auth: AuthContext,
      id: number,
      status: CustomerStatus,
      opts?: TxOptions,
    ): Promise<unknown>;
  };
  statuses: { listStatusWords(auth: AuthContext): Promise<StatusWord[]> };
  reasons: {
    listReasons(auth: AuthContext): Promise<Array<{ id: number; text: string; categories: string[] | null }>>;
  };
}

export type CustomerStatus = 'prospect' | 'customer';
