/**
 * The pipeline every new organization starts with. It can express the five seed vocabularies
 * (docs/data-model.md, "Statuses"): OPEN/WON/LOST/ON_HOLD/DELETED, assigned/in process/converted/recycled/closed,
 * the numbered steps 459..535 of the XML API, duplicate/invalid/lost, and lost reasons.
 */
export const CATEGORIES = ['open', 'on_hold', 'won', 'lost', 'converted', 'closed'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface DefaultStatus {
  key: string;
  label: string;
  category: Category;
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
  { key: 'closing', label: 'Closing', category: 'open' },
  { key: 'recycled', label: 'Recycled', category: 'open' },
  { key: 'on_hold', label: 'On hold', category: 'on_hold' },
  { key: 'won', label: 'Won', category: 'won' },
  { key: 'production', label: 'In production', category: 'won' },
  { key: 'exploitation', label: 'In exploitation', category: 'won' },
  { key: 'lost', label: 'Lost', category: 'lost', reason_required: true },
  { key: 'converted', label: 'Converted', category: 'converted' },
  { key: 'closed', label: 'Closed', category: 'closed' },
  { key: 'duplicate', label: 'Duplicate', category: 'closed' },
  { key: 'invalid', label: 'Invalid', category: 'closed' },
  { key: 'deleted', label: 'Deleted', category: 'closed' },
];

/**
 * A starter catalog: the default lost status requires a reason, so a new organization needs at least one to
 * be able to lose a lead at all. Organizations edit or delete these freely.
 */
export const DEFAULT_REASONS: Array<{ text: string; categories: Category[] | null }> = [
  // The first two are usable for any status, so a client that sends the first reason ids it is shown for an
  // open or on-hold entry (seed 002's own sample does) is not refused on a new organization.
  { text: 'No response', categories: null },
  { text: 'Other', categories: null },
  { text: 'No budget', categories: ['lost'] },
  { text: 'Chose a competitor', categories: ['lost'] },
  { text: 'Not interested', categories: ['lost'] },
];
