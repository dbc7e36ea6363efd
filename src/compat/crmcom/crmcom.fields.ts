import type { OwnedFieldSpec } from '../shared/owned-fields.js';

export const UDF_STRINGS = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `udf_string_${i}`);
export const UDF_FLOATS = [1, 2, 3, 4].map((i) => `udf_float_${i}`);
export const UDF_DATES = [1, 2, 3, 4].map((i) => `udf_date_${i}`);
export const UDFS = [...UDF_STRINGS, ...UDF_FLOATS, ...UDF_DATES];

/**
 * Seed 003's attributes with no core column, stored as `crmcom__<key>` custom fields: the UDFs, and which of
 * the lead's assignees and teams is its `assigned_to` (the others are its lead users / owning group).
 */
export const CRMCOM_FIELDS: OwnedFieldSpec[] = [
  ...UDF_STRINGS.map((key) => ({ key, type: 'string' as const })),
  ...UDF_FLOATS.map((key) => ({ key, type: 'number' as const })),
  ...UDF_DATES.map((key) => ({ key, type: 'string' as const, description: 'YYYY-MM-DD' })),
  {
    key: 'assigned_user_id',
    type: 'number',
    description: 'assigned_to.user_identifier: one of the assignees',
  },
  { key: 'assigned_group_id', type: 'number', description: 'assigned_to.group_identifier: one of the teams' },
];
