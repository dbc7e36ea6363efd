/**
 * Column -> lead field suggestions. Header names are compared squashed (lower case, letters and digits only),
 * so "First Name", "first_name", "FirstName" and "FIRST-NAME" are one name. The synonyms come from the exports
 * of Salesforce, HubSpot, Zoho, SuiteCRM, Odoo, Django-CRM, Krayin, Atomic CRM and Twenty.
 */

import { SYNONYMS } from './mapping.synonyms.js';
import { TARGET_FIELDS, type TargetField } from './target-fields.js';

export { TARGET_FIELDS, type TargetField } from './target-fields.js';

/** Several columns may feed these (first non-empty value wins, the others are kept as custom fields). */
export const MULTI_TARGETS: ReadonlySet<string> = new Set(['email', 'phone', 'mobile']);

const BY_NAME = new Map<string, TargetField>();
for (const [field, names] of Object.entries(SYNONYMS) as Array<[TargetField, string[]]>) {
  BY_NAME.set(field.replace(/_/g, ''), field);
  for (const n of names) if (!BY_NAME.has(n)) BY_NAME.set(n, field);
}
// Lead fields under their own names win over any synonym (a re-imported export maps back to itself).
for (const f of TARGET_FIELDS) BY_NAME.set(f.replace(/_/g, ''), f);
BY_NAME.set('name', 'full_name');
BY_NAME.set('title', 'job_title');

const ID_PRIORITY = [
  'externalid',
  'id',
  'recordid',
  'leadid',
  'prospectid',
  'leadnumber',
  'uuid',
  'contactid',
  'personid',
];

export function squash(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** A custom field key (letters, digits, `_`) made from a column name. */
export function customKey(column: string): string {
  const k = column
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return k === '' ? 'column' : k;
}

export type Mapping = Record<string, string | null>;

export interface Suggestion {
  suggested_mapping: Mapping;
  /** Columns no lead field takes: the suggestion keeps them as custom fields. */
  unmapped_columns: Array<{ column: string; custom_field: string }>;
}

/** Suggests a target for every column (the header has unique names). */
export function suggestMapping(header: string[]): Suggestion {
  const mapping: Mapping = {};
  const taken = new Set<string>();
  const squashed = header.map(squash);
  // The best id column gets external_id; other id-like columns are kept as custom fields.
  let idColumn: string | undefined;
  for (const want of ID_PRIORITY) {
    const i = squashed.indexOf(want);
    if (i >= 0) {
      idColumn = header[i];
      break;
    }
  }
  if (idColumn !== undefined) {
    mapping[idColumn] = 'external_id';
    taken.add('external_id');
  }
  const unmapped: Suggestion['unmapped_columns'] = [];
  const usedKeys = new Set<string>();
  header.forEach((col, i) => {
    if (col === idColumn) return;
    // Leadflow's own export: its id is informative (an import makes new leads), "cf.x" is custom field x.
    if (squashed[i] === 'leadflowid') return;
    if (col.startsWith('cf.') && /^[A-Za-z0-9_.-]{1,64}$/.test(col.slice(3))) {
      mapping[col] = `custom_fields.${col.slice(3)}`;
      usedKeys.add(col.slice(3));
      return;
    }
    let target: string | undefined = BY_NAME.get(squashed[i]);
    // "title" is a job title in most exports, but the lead's own title when a job title column sits beside it.
    if (squashed[i] === 'title' && squashed.includes('jobtitle')) target = 'title';
    if (target === 'external_id') target = undefined;
    if (
      target === 'full_name' &&
      (taken.has('first_name') ||
        taken.has('last_name') ||
        squashed.includes('firstname') ||
        squashed.includes('lastname'))
    ) {
      target = undefined;
    }
    if (target && taken.has(target) && !MULTI_TARGETS.has(target)) target = undefined;
    if (target) {
      mapping[col] = target;
      taken.add(target);
      return;
    }
    let key = customKey(col);
    for (let n = 2; usedKeys.has(key); n++) key = `${customKey(col).slice(0, 60)}_${n}`;
    usedKeys.add(key);
    mapping[col] = `custom_fields.${key}`;
    unmapped.push({ column: col, custom_field: key });
  });
  // Keep the file's column order.
  const ordered: Mapping = {};
  for (const col of header) ordered[col] = mapping[col] ?? null;
  return { suggested_mapping: ordered, unmapped_columns: unmapped };
}

/** Null placeholders that CRMs and web forms write into empty cells. */
export const KNOWN_NULL_VALUES = [
  'select',
  '--none--',
  '-none-',
  'n/a',
  'null',
  '(blank)',
  'not provided',
  '#n/a',
];

/** The placeholders seen in the preview rows, offered as `null_values` for the run. */
export function suggestNullValues(rows: string[][]): string[] {
  const seen = new Map<string, string>();
  for (const r of rows)
    for (const v of r) {
      const t = v.trim();
      if (KNOWN_NULL_VALUES.includes(t.toLowerCase()) && !seen.has(t.toLowerCase()))
        seen.set(t.toLowerCase(), t);
    }
  return [...seen.values()];
}
