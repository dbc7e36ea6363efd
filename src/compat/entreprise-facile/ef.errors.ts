import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Failure } from '../shared/errors.js';
import { renderXml } from './ef.xml.js';
import { fields } from './ef.fields.js';

/** Core field names -> this API's element names (the core speaks its own snake_case). */
const ELEMENT_OF: Record<string, string> = {
  owner_id: 'manager_id',
  company_name: 'client_name',
  // The core's "a lead needs a name" rule names first_name; here the client's name is client_name.
  first_name: 'client_name',
  title: 'topic',
  contact_ids: 'contact_id',
  company_id: 'firm_id',
  customer_status: 'is_engaged',
  probability: 'confidence_pct',
  expected_close_date: 'value_date',
  status: 'progress_id',
  sub_status: 'progress_id',
  reason_id: 'progress_id',
};

/** The element a fault is about, in this API's names (`custom_fields.entreprisefacile__x` -> `x`). */
export function elementOf(field: string): string {
  // The surface's own faults are named under `lead` already (lead.topic); the core's need renaming.
  if (field === 'lead' || field.startsWith('lead.')) return field === 'lead' ? 'lead' : field.slice(5);
  const owned = `custom_fields.${fields.namespace}__`;
  if (field.startsWith(owned)) return field.slice(owned.length);
  return ELEMENT_OF[field] ?? field;
}

/** A message in this API's names: the core's "needs a first_name..." identity rule reads as client_name. */
function messageOf(field: string | undefined, message: string): string {
  if (field === 'first_name') return 'is required (the name of the client)';
  if (field === 'reason_id')
    return `the status needs a reason and the organization has none usable for it (${message})`;
  return message;
}

/** `text/xml` when the client speaks it (its body or its Accept header), else `application/xml`. */
export function xmlTypeFor(req: FastifyRequest): string {
  const sent = String(req.headers['content-type'] ?? '').toLowerCase();
  const accept = String(req.headers.accept ?? '').toLowerCase();
  const text =
    sent.startsWith('text/xml') || (accept.includes('text/xml') && !accept.includes('application/xml'));
  return `${text ? 'text/xml' : 'application/xml'}; charset=utf-8`;
}

/**
 * The error body (the family documents none; docs/compat/entreprise-facile.md): one `<error>` per fault,
 * naming its element in `field` when it has one. 401 also asks for Basic credentials.
 */
export function renderFailure(failure: Failure, req: FastifyRequest, reply: FastifyReply): string {
  reply.type(xmlTypeFor(req));
  if (failure.status === 401) reply.header('www-authenticate', 'Basic realm="Leadflow", charset="UTF-8"');
  return renderXml('errors', {
    error: failure.faults.map((f) =>
      f.field
        ? { '@_field': elementOf(f.field), '#text': messageOf(f.field, f.message) }
        : { '#text': f.message },
    ),
  });
}
