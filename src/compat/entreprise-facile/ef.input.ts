import type { FieldFaults } from '../shared/fields.js';
import type { XmlDocument } from './ef.xml.js';
import { LEARNINGS } from './ef.fields.js';
import { parseAmount, parseDate, parseInteger, STEP_IDS, STEPS } from './ef.mapping.js';
import { LEAD_ELEMENTS } from './ef.view.js';

/** What a `<lead>` body asks for, in the core's terms (only the elements sent: absent means unchanged). */
export interface LeadChanges {
  id?: number;
  owner_id?: number | null;
  company_name?: string | null;
  title?: string | null;
  /** 0 = no contact. */
  contact?: number;
  company_id?: number | null;
  engaged?: boolean;
  importance?: number | null;
  product_category_id?: number | null;
  project_id?: number | null;
  value?: string | null;
  expected_close_date?: string | null;
  probability?: number | null;
  description?: string | null;
  learnings: Partial<Record<(typeof LEARNINGS)[number], string | null>>;
  step?: number;
}

/** Elements a client sends back from a lead it fetched that are not written: accepted and left as they are. */
const READ_ONLY = new Set(['created_at', 'updated_at']);
const KNOWN = new Set<string>([...LEAD_ELEMENTS, 'step_id']);
const MAX_TEXT: Record<string, number> = {
  client_name: 300,
  topic: 500,
  description: 20000,
  learning_on_customer: 10000,
  learning_on_sales_tools: 10000,
  learning_on_products: 10000,
};
const STEP_LIST = STEP_IDS.map((id) => `${id} (${STEPS[id].name})`).join(', ');

/**
 * Reads a `<lead>` document into core changes, adding a fault (with the element's name, under `faults`, a view
 * at `lead`) for everything
 * wrong: the root, unknown or repeated elements, nested content, and each value that is not of its kind.
 * Nothing is looked up here; the core checks what exists (manager, contact, firm, catalogs) in the write.
 */
export function readLead(doc: XmlDocument, faults: FieldFaults): LeadChanges {
  const out: LeadChanges = { learnings: {} };
  if (doc.root !== 'lead') {
    faults.add('', `the root element must be <lead>, not <${doc.root}>`);
    return out;
  }
  const children = doc.children;
  for (const [name, raw] of Object.entries(children)) {
    if (name === '#text') {
      faults.add('', 'holds text beside its elements');
      continue;
    }
    if (!KNOWN.has(name)) {
      faults.add(name, 'is not an element of a lead (docs/compat/entreprise-facile.md lists them)');
      continue;
    }
    if (Array.isArray(raw)) {
      faults.add(name, 'is given more than once');
      continue;
    }
    if (typeof raw !== 'string') {
      faults.add(name, 'must be a text value, not nested elements');
      continue;
    }
    read(name, raw, out, faults);
  }
  if (
    out.step !== undefined &&
    typeof children.progress_id === 'string' &&
    typeof children.step_id === 'string' &&
    parseInteger(children.progress_id, 0, 1e9) !== parseInteger(children.step_id, 0, 1e9)
  )
    faults.add('step_id', 'differs from progress_id (send one of them)');
  return out;
}

function read(name: string, raw: string, out: LeadChanges, faults: FieldFaults): void {
  const blank = raw.trim() === '';
  const text = () => {
    if (raw.length > MAX_TEXT[name]) {
      faults.add(name, `must be at most ${MAX_TEXT[name]} characters`);
      return undefined;
    }
    return blank ? null : raw;
  };
  /** A reference where 0 (or nothing) means none. */
  const ref = (): number | null | undefined => {
    if (blank) return null;
    const n = parseInteger(raw, 0, 2147483647);
    if (n === undefined) faults.add(name, 'must be an id (a whole number), or 0 for none');
    return n === 0 ? null : n;
  };
  const int = (min: number, max: number, what: string): number | null | undefined => {
    if (blank) return null;
    const n = parseInteger(raw, min, max);
    if (n === undefined) faults.add(name, `must be a whole number from ${min} to ${max} (${what})`);
    return n;
  };
  const set = <K extends keyof LeadChanges>(k: K, v: LeadChanges[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  switch (name) {
    case 'id': {
      const n = blank ? undefined : parseInteger(raw, 0, 2147483647);
      if (!blank && n === undefined) faults.add(name, 'must be the id of the lead (a whole number)');
      set('id', n);
      return;
    }
    case 'manager_id':
      return set('owner_id', ref());
    case 'client_name':
      return set('company_name', text());
    case 'topic':
      return set('title', text());
    case 'contact_id': {
      const r = ref();
      return set('contact', r === undefined ? undefined : (r ?? 0));
    }
    case 'firm_id':
      return set('company_id', ref());
    case 'is_engaged': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true'].includes(v)) out.engaged = true;
      else if (['0', 'false', ''].includes(v)) out.engaged = false;
      else faults.add(name, 'must be 0 (prospect) or 1 (customer)');
      return;
    }
    case 'importance':
      return set('importance', int(0, 5, '0 not important to 5 most important'));
    case 'product_category_id':
      return set('product_category_id', ref());
    case 'project_id':
      return set('project_id', ref());
    case 'value': {
      if (blank) return set('value', null);
      const v = parseAmount(raw);
      if (v === undefined)
        faults.add(name, 'must be an amount without taxes, e.g. 1500.00 (at most 2 decimals)');
      return set('value', v);
    }
    case 'value_date': {
      if (blank) return set('expected_close_date', null);
      const d = parseDate(raw);
      if (d === undefined) faults.add(name, 'must be a date dd-mm-yyyy, e.g. 31-12-2026');
      return set('expected_close_date', d);
    }
    case 'confidence_pct':
      return set('probability', int(0, 100, 'a percentage'));
    case 'description':
      return set('description', text());
    case 'learning_on_customer':
    case 'learning_on_sales_tools':
    case 'learning_on_products': {
      const v = text();
      if (v !== undefined) out.learnings[name] = v;
      return;
    }
    case 'progress_id':
    case 'step_id': {
      if (blank) return;
      const n = parseInteger(raw, 0, 1e9);
      if (n === undefined || !STEPS[n]) faults.add(name, `must be one of the steps ${STEP_LIST}`);
      else out.step = n;
      return;
    }
    default:
      if (READ_ONLY.has(name)) return;
  }
}
