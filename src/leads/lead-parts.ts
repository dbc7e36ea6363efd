import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, type FieldError } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRow } from './lead.repository.js';

/**
 * A part of a lead kept in its own tables (users with roles, teams, contact points, items, consent): the lead
 * service checks it with the lead's own fields, writes it in the lead's transaction and shows it in the lead
 * response, without knowing what it holds. Each part reads only the body fields it owns.
 */
export interface LeadPart {
  /** Collects every fault of the part's fields in a create or PATCH body (nothing is written yet). */
  check(
    orgId: number,
    input: Record<string, unknown>,
    errors: FieldError[],
    trx?: Kysely<Database>,
  ): Promise<void>;
  /** In the lead's transaction, after the lead row: writes the part; true when something changed. */
  write(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    input: Record<string, unknown>,
    created: boolean,
  ): Promise<boolean>;
  /**
   * Optional, creates only: columns of the new row that the part's `afterWrite` would otherwise set by an UPDATE
   * right after the INSERT, computed from the row about to be inserted (`row`, every column the service sets),
   * the body and the normalized tags, with no read. A guess, never trusted: `afterWrite` still runs on the final
   * row and writes only what differs, so a part whose guess turns out wrong costs the UPDATE it would have
   * made anyway. It saves the UPDATE (on SQLite the FTS entries written twice, on PostgreSQL a second row
   * version with every index) inside the write's transaction (docs/decisions.md, "The create path inside the
   * write lock").
   */
  insertColumns?(
    row: Record<string, unknown>,
    input: Record<string, unknown>,
    tags: string[],
  ): Record<string, unknown> | undefined;
  /** Optional: in the lead's transaction, once the lead row is final (create and update). */
  afterWrite?(trx: Kysely<Database>, orgId: number, lead: LeadRow, created?: boolean): Promise<void>;
  /** Optional: afterWrite for many new leads at once (imports); without it afterWrite runs for each. */
  afterCreateMany?(trx: Kysely<Database>, orgId: number, leads: LeadRow[]): Promise<void>;
  /** The part's response fields per lead id, batched for a page of leads. */
  describe(
    orgId: number,
    rows: LeadRow[],
    trx: Kysely<Database>,
  ): Promise<Map<number, Record<string, unknown>>>;
}

/** Throws the 422 of every collected fault, naming each field. */
export function failOn(errors: FieldError[]): void {
  if (errors.length)
    throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}
