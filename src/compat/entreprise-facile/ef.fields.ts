import { declareOwnedFields, type OwnedFieldSpec } from '../shared/owned-fields.js';

/**
 * The lead attributes of seed 001 that the core has no column for, owned by this surface (namespace
 * `entreprisefacile`): stored in the lead's custom fields as `entreprisefacile__<key>`, declared when the server
 * starts (no field definition is written by a client's request).
 */
export const EF_FIELDS: OwnedFieldSpec[] = [
  { key: 'learning_on_customer', type: 'string', description: 'learning_on_customer (budget, timing...)' },
  { key: 'learning_on_sales_tools', type: 'string', description: 'learning_on_sales_tools (website...)' },
  { key: 'learning_on_products', type: 'string', description: 'learning_on_products (too expensive...)' },
  {
    key: 'is_engaged',
    type: 'boolean',
    description: 'is_engaged of a lead with no contact and no firm (otherwise it is their customer flag)',
  },
];
export const LEARNINGS = ['learning_on_customer', 'learning_on_sales_tools', 'learning_on_products'] as const;

export const fields = declareOwnedFields('entreprisefacile', EF_FIELDS);
