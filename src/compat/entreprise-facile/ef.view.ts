import type { LeadDto } from '../../leads/lead.schema.js';
import { fields, LEARNINGS } from './ef.fields.js';
import { renderDate, renderTimestamp, stepOf } from './ef.mapping.js';

/** Every element of a lead, in the document's order, then the step and the two timestamps. */
export const LEAD_ELEMENTS = [
  'id',
  'manager_id',
  'client_name',
  'topic',
  'contact_id',
  'firm_id',
  'is_engaged',
  'importance',
  'product_category_id',
  'value',
  'value_date',
  'confidence_pct',
  'project_id',
  'description',
  ...LEARNINGS,
  'progress_id',
  'created_at',
  'updated_at',
] as const;
export type LeadElement = (typeof LEAD_ELEMENTS)[number];

export type XmlLead = Record<LeadElement, string | number>;

/** The customer flag the lead shows: its firm's, else its (first) contact's, else the one kept on the lead. */
export function isEngaged(lead: LeadDto): boolean {
  if (lead.company) return lead.company.customer_status === 'customer';
  const contact = lead.contacts[0];
  if (contact) return contact.customer_status === 'customer';
  return fields.read<boolean>(lead.custom_fields, 'is_engaged') === true;
}

/** The step a lead reads as (docs/compat/entreprise-facile.md, "Steps"). */
export const stepOfLead = (lead: LeadDto) => stepOf(lead.status, lead.status_category);

/**
 * A lead as this API shows it. "None" is 0 for the ids the document says so of (contact, firm) and for the
 * other references (manager, product category, project); a value the lead does not have is an empty element.
 */
export function toXmlLead(lead: LeadDto, timeZone: string | null): XmlLead {
  const text = (v: string | null | undefined) => v ?? '';
  const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : v);
  return {
    id: lead.id,
    manager_id: lead.owner_id ?? 0,
    client_name: text(lead.company_name),
    topic: text(lead.title),
    contact_id: lead.contacts[0]?.id ?? 0,
    firm_id: lead.company_id ?? 0,
    is_engaged: isEngaged(lead) ? 1 : 0,
    importance: num(lead.importance),
    product_category_id: lead.product_category_id ?? 0,
    value: text(lead.value),
    value_date: renderDate(lead.expected_close_date),
    confidence_pct: num(lead.probability),
    project_id: lead.project_id ?? 0,
    description: text(lead.description),
    learning_on_customer: fields.read<string>(lead.custom_fields, 'learning_on_customer') ?? '',
    learning_on_sales_tools: fields.read<string>(lead.custom_fields, 'learning_on_sales_tools') ?? '',
    learning_on_products: fields.read<string>(lead.custom_fields, 'learning_on_products') ?? '',
    progress_id: stepOfLead(lead),
    created_at: renderTimestamp(lead.created_at, timeZone),
    updated_at: renderTimestamp(lead.updated_at, timeZone),
  };
}
