/**
 * The pipeline every new organization starts with. It can express the five seed vocabularies
 * (docs/data-model.md, "Statuses"): OPEN/WON/LOST/ON_HOLD/DELETED, assigned/in process/converted/recycled/closed,
 * the numbered steps of the XML API, and duplicate/invalid/lost.
 */
export interface DefaultStatus {
  key: string;
  label: string;
  category: 'open' | 'on_hold' | 'won' | 'lost' | 'converted' | 'closed';
  reason_required?: boolean;
  is_default?: boolean;
}

export const DEFAULT_STATUSES: DefaultStatus[] = [
  { key: 'new', label: 'New', category: 'open', is_default: true },
  { key: 'assigned', label: 'Assigned', category: 'open' },
  { key: 'in_process', label: 'In process', category: 'open' },
  { key: 'qualified', label: 'Qualified', category: 'open' },
  { key: 'proposal', label: 'Proposal', category: 'open' },
  { key: 'negotiation', label: 'Negotiation', category: 'open' },
  { key: 'recycled', label: 'Recycled', category: 'open' },
  { key: 'on_hold', label: 'On hold', category: 'on_hold' },
  { key: 'won', label: 'Won', category: 'won' },
  { key: 'lost', label: 'Lost', category: 'lost', reason_required: true },
  { key: 'converted', label: 'Converted', category: 'converted' },
  { key: 'closed', label: 'Closed', category: 'closed' },
  { key: 'duplicate', label: 'Duplicate', category: 'closed' },
  { key: 'invalid', label: 'Invalid', category: 'closed' },
];
