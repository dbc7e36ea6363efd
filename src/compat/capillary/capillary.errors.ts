import type { Failure, Fault } from '../shared/errors.js';

/**
 * Numeric error codes of this surface (the seed document shows the `errors` array but no codes; these are
 * Leadflow's, listed in docs/compat.md). A fault about a known field gets that field's code, whatever the HTTP
 * status (missing leadFor is a 400, an unknown reasonId a 422: both say which field); others get the code of
 * their kind.
 */
export const KIND_CODES: Record<string, number> = {
  unauthorized: 1001,
  forbidden: 1002,
  rate_limited: 1003,
  bad_request: 1101,
  validation_failed: 1102,
  payload_too_large: 1103,
  unsupported_media_type: 1104,
  not_found: 1201,
  conflict: 1301,
  precondition_failed: 1302,
  precondition_required: 1303,
  unprocessable: 1401,
  internal: 1500,
};

export const FIELD_CODES: Record<string, number> = {
  leadFor: 2001,
  type: 2002,
  status: 2003,
  reasonId: 2004,
  subStatus: 2005,
  userId: 2006,
  idType: 2007,
  identifier: 2008,
  owner: 2009,
  extendedFields: 2010,
  followedUpOn: 2011,
  createdBy: 2012,
  createdOn: 2013,
  nextFollowUp: 2014,
  lastFollowUp: 2015,
  scheduledFollowUp: 2016,
  followedUpBy: 2017,
  notes: 2018,
  orgSourceId: 2019,
  reason: 2020,
  followUpDetails: 2021,
  statusLogDetails: 2022,
  lastUpdatedOn: 2023,
  lastUpdatedBy: 2024,
  limit: 2030,
  offset: 2031,
  sortBy: 2032,
  sortOrder: 2033,
  substatus: 2034,
  leadId: 2035,
};

/** Core and schema field names -> this API's names (the core speaks snake_case). */
const FIELD_NAMES: Record<string, string> = {
  reason_id: 'reasonId',
  sub_status: 'subStatus',
  owner_id: 'owner',
  custom_fields: 'extendedFields',
  title: 'leadFor',
  done_at: 'followedUpOn',
  done_by: 'followedUpBy',
  scheduled_at: 'scheduledFollowUp',
  next_follow_up_at: 'nextFollowUp',
  text: 'reason',
  id: 'leadId',
  at: 'createdOn',
  email: 'identifier',
  mobile: 'identifier',
};

/** Renames a dotted field path ("custom_fields.trial_status" -> "extendedFields.trial_status", "[1].text" -> "[1].reason"). */
export function seedField(field: string): string {
  return field
    .split('.')
    .map((part) => {
      const m = /^(\[\d+\])?(.*)$/.exec(part)!;
      return (m[1] ?? '') + (FIELD_NAMES[m[2]] ?? m[2]);
    })
    .join('.');
}

/** The code of a fault: the most specific field named in its path, else its kind. */
export function codeOf(f: Fault): number {
  if (f.field) {
    const parts = seedField(f.field)
      .split('.')
      .map((p) => p.replace(/^\[\d+\]/, ''));
    for (let i = parts.length - 1; i >= 0; i--)
      if (FIELD_CODES[parts[i]] !== undefined) return FIELD_CODES[parts[i]];
  }
  return KIND_CODES[f.code] ?? 1401;
}

export interface CapillaryError {
  code: number;
  message: string;
}

/** This API's error envelope: the same `warnings`/`errors` arrays its successful responses carry. */
export function renderFailure(failure: Failure): { warnings: string[]; errors: CapillaryError[] } {
  return {
    warnings: [],
    errors: failure.faults.map((f) => ({
      code: codeOf(f),
      message: f.field ? `${seedField(f.field)}: ${f.message}` : f.message,
    })),
  };
}
