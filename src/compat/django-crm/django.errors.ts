import type { FastifyReply } from 'fastify';
import type { Failure } from '../shared/errors.js';

/** Core field names -> this API's (the lead serializer's) names. */
const FIELD_NAMES: Record<string, string> = {
  company_name: 'account_name',
  value: 'opportunity_amount',
  users: 'assigned_to',
  team_ids: 'teams',
  contact_ids: 'contacts',
  'address.line1': 'address_line',
  'address.line2': 'street',
  'address.city': 'city',
  'address.state': 'state',
  'address.postal_code': 'postcode',
  'address.country': 'country',
  postal_code: 'postcode',
  body: 'comment',
  file: 'attachment',
  X_Organization_Id: 'organization-id',
};

export function seedField(field: string): string {
  const f = field.replace(/^\//, '').replace(/\//g, '.');
  if (FIELD_NAMES[f]) return FIELD_NAMES[f];
  const first = f.split('.')[0];
  const rest = f.slice(first.length);
  return (FIELD_NAMES[first] ?? first) + rest.replace(/^\.\d+(\..*)?$/, '');
}

/**
 * DRF's shapes: a refused input (400 or 422) is a 400 `{ error: true, errors: { field: [messages] } }` (the
 * public system's serializer errors); every other failure is `{ detail }` with its own status.
 */
export function renderFailure(failure: Failure, _req: unknown, reply: FastifyReply) {
  if (failure.status === 400 || failure.status === 422) {
    reply.code(400);
    const errors: Record<string, string[]> = {};
    for (const f of failure.faults) {
      const key = f.field ? seedField(f.field) : 'non_field_errors';
      (errors[key] ??= []).push(f.message);
    }
    return { error: true, errors };
  }
  return { detail: failure.faults.map((f) => f.message).join(' ') };
}
