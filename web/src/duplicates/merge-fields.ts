// The fields a merge can take from any of the leads (src/duplicates/merge.service.ts MERGE_FIELDS), with labels.
export const MERGE_FIELDS: Array<[string, string]> = [
  ['first_name', 'First name'],
  ['last_name', 'Last name'],
  ['civility', 'Civility'],
  ['title', 'Title'],
  ['job_title', 'Job title'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['mobile', 'Mobile'],
  ['company_name', 'Company'],
  ['website', 'Website'],
  ['source', 'Source'],
  ['description', 'Description'],
  ['external_id', 'External id'],
  ['owner_id', 'Owner'],
  ['value', 'Value'],
  ['currency', 'Currency'],
  ['probability', 'Probability'],
  ['rating', 'Rating'],
  ['priority', 'Priority'],
  ['importance', 'Importance'],
  ['address', 'Address'],
  ['locale', 'Locale'],
  ['birth_date', 'Birth date'],
  ['expected_close_date', 'Expected close'],
];

/** A field value as one line of text ("" when empty). */
export function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object')
    return Object.values(v as Record<string, unknown>)
      .filter((x) => x !== null && x !== '')
      .join(', ');
  return String(v);
}

export interface LeadSummary {
  id: number;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  email: string | null;
  phone: string | null;
  owner_id: number | null;
  created_at: string;
}

export const REASON_LABEL: Record<string, string> = {
  email: 'same email',
  phone: 'same phone',
  external_id: 'same external id',
  name: 'similar name',
  company: 'same company',
};
