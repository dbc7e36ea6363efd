import type { FastifyRequest } from 'fastify';
import type { Failure, Fault } from '../shared/errors.js';

/**
 * The seed's envelope `{ status: { code, message, description }, data }` for failures. The document gives no
 * codes; these are Leadflow's (docs/compat/crmcom.md). The HTTP status is the one /api/v1 would give (the kit's
 * one classifier).
 */
const KIND_CODES: Record<string, string> = {
  unauthorized: 'INVALID_TOKEN',
  forbidden: 'PERMISSION_DENIED',
  rate_limited: 'RATE_LIMITED',
  bad_request: 'INVALID_REQUEST',
  validation_failed: 'INVALID_PARAMETERS',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  precondition_failed: 'CONFLICT',
  unprocessable: 'INVALID_PARAMETERS',
  unavailable: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_ERROR',
};

/** Core field names -> this API's parameter names. */
const FIELD_NAMES: Record<string, string> = {
  email: 'contact_email',
  phone: 'contact_phone',
  mobile: 'contact_phone',
  status: 'status_identifier',
  reason_id: 'lost_reason_identifier',
  category_id: 'category_identifier',
  lead_type_id: 'type_identifier',
  source_id: 'lead_source',
  privacy_level_id: 'privacy_level_identifier',
  importance_level_id: 'importance',
  owner_id: 'lead_owner',
  team_id: 'owned_by_group_identifier',
  team_ids: 'assigned_to.group_identifier',
  probability: 'probability_to_win',
  value: 'target_amount',
  expected_close_date: 'expected_completion_date',
  estimated_completion: 'estimated_completion_time',
  company_id: 'accounts_receivable_identifier',
  contact_ids: 'contact_information',
  users: 'lead_users_set',
  at: 'start_date',
  first_name: 'contact_information.first_name',
};

/** A fault's field in this API's names (`custom_fields.crmcom__udf_string_1` -> `udf_string_1`). */
export function seedField(field: string): string {
  const udf = /^custom_fields\.crmcom__(.+)$/.exec(field);
  if (udf) return udf[1];
  const [head, ...rest] = field.split('.');
  return [FIELD_NAMES[head] ?? head, ...rest].join('.');
}

function codeOf(f: Fault, req: FastifyRequest): string {
  if (f.code === 'unauthorized' && /\/authentication\/(token|web_api_key)/.test(req.url))
    return 'INVALID_LOGIN';
  if (f.code === 'conflict' && /locks it/.test(f.message)) return 'LEAD_LOCKED';
  return KIND_CODES[f.code] ?? 'INVALID_PARAMETERS';
}

export function renderFailure(failure: Failure, req: FastifyRequest) {
  const lines = failure.faults.map((f) => (f.field ? `${seedField(f.field)}: ${f.message}` : f.message));
  return {
    status: { code: codeOf(failure.faults[0], req), message: lines[0], description: lines.join('; ') },
    data: null,
  };
}

/** The success envelope. */
export const ok = <T>(data: T) => ({ status: { code: 'OK', message: '', description: '' }, data });
