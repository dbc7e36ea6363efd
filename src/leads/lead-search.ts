import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LeadRow } from './lead.repository.js';
import type { LeadPart } from './lead-parts.js';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * What lead search finds beyond the lead's own columns (migration 0085): the second contact (seed 000's
 * `second_contact` custom field) and every email and phone of the lead, phones also as digits.
 * City and postal code are searched from their columns directly.
 */
export async function refreshLeadSearch(trx: Kysely<Database>, orgId: number, lead: LeadRow): Promise<void> {
  const points = await trx
    .selectFrom('lead_contact_points')
    .select(['kind', 'value', 'digits'])
    .where('org_id', '=', orgId)
    .where('lead_id', '=', lead.id)
    // The order of the index SQLite reads (so the text is the same as before there); on PostgreSQL the order
    // was the plan's, now the same as SQLite's, so that a new lead's text can be known before its INSERT.
    .orderBy('kind')
    .orderBy('position')
    .execute();
  const text = searchText(lead, points);
  await sql`UPDATE leads SET search_extra = ${text} WHERE org_id = ${orgId} AND id = ${lead.id} AND search_extra IS DISTINCT FROM ${text}`.execute(
    trx,
  );
}

/** search_extra of a lead from its custom fields and contact points (in the order they are read). */
function searchText(
  lead: Pick<LeadRow, 'custom_fields' | 'country'>,
  points: Array<{ kind: string; value: string; digits: string | null }>,
): string | null {
  const custom = JSON.parse(lead.custom_fields || '{}') as Record<string, unknown>;
  const words = new Set<string>();
  for (const k of ['second_contact', 'second_contact_civility'])
    if (typeof custom[k] === 'string' && custom[k]) words.add(custom[k] as string);
  for (const p of points) {
    words.add(p.value);
    if (p.kind === 'phone') {
      words.add(p.value.replace(/\D/g, ''));
      if (p.digits) words.add(p.digits);
      // The national number too, so "8195550199" finds "+1 819 555 0199".
      const national = parsePhoneNumberFromString(
        p.value,
        (lead.country as CountryCode | null) ?? undefined,
      )?.nationalNumber;
      if (national) words.add(national);
    }
  }
  return [...words].join(' ').slice(0, 4000) || null;
}

/**
 * search_extra of a new lead before its INSERT (`LeadPart.insertColumns`), when its body sends no lists of
 * emails or phones: the contact points part then files the row's email, mobile and phone, in that order of
 * reading (kind, then position: the mobile goes first). A guess: `refreshLeadSearch` runs after the parts'
 * writes as before and updates only when the text differs.
 */
function newLeadSearchText(row: Record<string, unknown>): string | null {
  const points: Array<{ kind: string; value: string; digits: string | null }> = [];
  const email = row.email as string | null | undefined;
  if (email) points.push({ kind: 'email', value: email, digits: null });
  for (const slot of ['mobile', 'phone'] as const) {
    const v = row[slot] as string | null | undefined;
    if (v) points.push({ kind: 'phone', value: v, digits: v.replace(/\D/g, '') });
  }
  return searchText(
    {
      custom_fields: (row.custom_fields as string | undefined) ?? '{}',
      country: (row.country as string | null | undefined) ?? null,
    },
    points,
  );
}

/**
 * search_extra of many new leads (imports): they have no contact points yet, so only the second contact counts;
 * one UPDATE per lead that has one, none for the others.
 */
export async function refreshNewLeadsSearch(
  trx: Kysely<Database>,
  orgId: number,
  leads: LeadRow[],
): Promise<void> {
  for (const lead of leads) {
    const custom = JSON.parse(lead.custom_fields || '{}') as Record<string, unknown>;
    const words = ['second_contact', 'second_contact_civility'].filter(
      (k) => typeof custom[k] === 'string' && custom[k],
    );
    if (words.length === 0) continue;
    await refreshLeadSearch(trx, orgId, lead);
  }
}

/** Keeps search_extra in step with every lead write that goes through the lead service. */
export function leadSearchPart(): LeadPart {
  return {
    async check() {},
    async write() {
      return false;
    },
    insertColumns: (row, input) =>
      input.emails !== undefined || input.phones !== undefined
        ? undefined
        : { search_extra: newLeadSearchText(row) },
    afterWrite: refreshLeadSearch,
    afterCreateMany: refreshNewLeadsSearch,
    async describe() {
      return new Map();
    },
  };
}
