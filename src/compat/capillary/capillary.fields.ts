import { declareOwnedFields, type OwnedFieldSpec } from '../shared/owned-fields.js';

/**
 * The lead attributes of seed 002 that the core has no column for, owned by this surface (namespace
 * `capillary`): stored in the lead's custom fields as `capillary__lead_type` and `capillary__org_source_id`,
 * declared when the server starts (no field definition is written by a client's request).
 */
export const CAPILLARY_FIELDS: OwnedFieldSpec[] = [
  { key: 'lead_type', type: 'string', description: 'type: SKU, BRAND, CATEGORY or CUSTOM (default SKU)' },
  { key: 'org_source_id', type: 'number', description: 'orgSourceId (default -1, INSTORE)' },
];

export const fields = declareOwnedFields('capillary', CAPILLARY_FIELDS);
export const TYPE_FIELD = fields.stored('lead_type');
export const ORG_SOURCE_FIELD = fields.stored('org_source_id');
