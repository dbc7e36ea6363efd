import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import { nowIso } from '../db/dialect.js';
import type { AccessRepository } from '../access/access.repository.js';
import { normalizeCountry } from '../lib/countries.js';
import { blankToNull } from './normalize.js';

export interface AddressInput {
  line1?: string | null;
  line2?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
}

export interface AddressColumns {
  address_line1?: string | null;
  address_line2?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
}

const ADDRESS_COLUMNS = {
  line1: 'address_line1',
  line2: 'address_line2',
  city: 'city',
  state: 'state',
  postal_code: 'postal_code',
  country: 'country',
} as const;

/** Address input to columns (only the keys sent); a bad country is a field error. */
export function addressColumns(
  address: AddressInput | undefined,
  errors: FieldError[],
  field = 'address',
): AddressColumns {
  const out: AddressColumns = {};
  if (!address) return out;
  for (const [k, col] of Object.entries(ADDRESS_COLUMNS) as Array<
    [keyof AddressInput, keyof AddressColumns]
  >) {
    const v = address[k];
    if (v === undefined) continue;
    if (k === 'country' && v !== null && v.trim() !== '') {
      const c = normalizeCountry(v);
      if (!c)
        errors.push({
          field: `${field}.country`,
          message: 'must be an ISO 3166-1 alpha-2 country code such as "US" or "FR"',
        });
      else out.country = c;
    } else out[col] = blankToNull(v);
  }
  return out;
}

/** An owner must be an active member of the organization. */
export async function checkOwner(
  access: AccessRepository,
  orgId: number,
  ownerId: number | null | undefined,
  field: string,
  errors: FieldError[],
  trx?: Kysely<Database>,
) {
  if (ownerId === undefined || ownerId === null) return;
  const m = await access.findMembership(orgId, ownerId, trx);
  if (!m || m.deactivated_at) errors.push({ field, message: 'is not an active user of this organization' });
}

export function throwIfErrors(errors: FieldError[]): void {
  if (errors.length)
    throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}

/** If-Match with the ETag `"<id>-<version>"` guards updates against lost writes. */
export function checkIfMatch(
  what: string,
  row: { id: number; version: number },
  ifMatch: string | undefined,
): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  const versions = ifMatch.split(',').map((s) => s.trim().replace(/^W\//, ''));
  if (!versions.includes(`"${row.id}-${row.version}"`)) {
    throw new AppError(
      'precondition_failed',
      `${what} ${row.id} has changed since you read it (now version ${row.version}); fetch it again.`,
    );
  }
}

export const etagOf = (row: { id: number; version: number }) => `"${row.id}-${row.version}"`;

/**
 * Undoes the soft delete of a company, contact or opportunity (their links were kept): 404 when unknown, 409 when
 * not deleted or changed by another request meanwhile. `update` is the repository's versioned update.
 */
export async function undelete<R extends { version: number; deleted_at: string | null }>(
  kind: 'Company' | 'Contact' | 'Opportunity',
  id: number,
  current: R | undefined,
  userId: number | null,
  update: (
    version: number,
    set: { deleted_at: null; updated_at: string; updated_by: number | null },
  ) => Promise<R | undefined>,
): Promise<R> {
  if (!current) throw notFound(kind, id);
  const noun = kind.toLowerCase();
  if (!current.deleted_at)
    throw new AppError('conflict', `${kind} ${id} is not deleted; only a deleted ${noun} can be restored.`);
  const updated = await update(current.version, {
    deleted_at: null,
    updated_at: nowIso(),
    updated_by: userId,
  });
  if (!updated)
    throw new AppError(
      'conflict',
      `${kind} ${id} was changed by another request at the same time; try again.`,
    );
  return updated;
}
