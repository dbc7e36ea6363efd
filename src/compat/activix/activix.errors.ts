import type { FastifyReply } from 'fastify';
import type { Failure } from '../shared/errors.js';

/** Core and schema field paths -> this API's attribute names (the core's `address.state` is `province`...). */
export function seedField(field: string): string {
  let f = field.replace(/^body\.?/, '');
  f = f.replace(/^custom_fields\.activix__/, '').replace(/^custom_fields\./, '');
  f = f.replace(/^address\.state$/, 'province').replace(/^address\.line([12])$/, 'address_line$1');
  f = f.replace(/^address\./, '');
  f = f.replace(/^items\.(\d+)\.vehicle\./, 'vehicles.$1.').replace(/^items\.(\d+)\./, 'vehicles.$1.');
  f = f.replace(/^vehicle\./, '').replace(/^consent\.do_not_contact_at$/, 'unsubscribe_all_date');
  f = f.replace(/^consent\.do_not_(call|email|sms)_at$/, 'unsubscribe_$1_date');
  f = f.replace(/^assignee_id$/, 'owner').replace(/^body$/, 'content');
  return f;
}

/**
 * Laravel's error envelope: `{ message }`, and on a refused write
 * `{ message: "The given data was invalid.", errors: { field: [messages] } }` with HTTP 422 (schema faults too:
 * Laravel answers every validation failure with 422).
 */
export function renderFailure(failure: Failure, _req: unknown, reply: FastifyReply) {
  const withFields = failure.faults.filter((f) => f.field);
  const validation =
    failure.status === 422 ||
    (failure.status === 400 && withFields.length > 0 && failure.faults[0].code === 'validation_failed');
  if (validation && withFields.length) {
    reply.code(422);
    const errors: Record<string, string[]> = {};
    for (const f of withFields) {
      const name = seedField(f.field!);
      const msg = f.message.startsWith(`The ${name}`)
        ? f.message
        : `The ${name} ${f.message.replace(/^(The|the) /, '')}`;
      (errors[name] ??= []).push(msg.endsWith('.') ? msg : `${msg}.`);
    }
    return { message: 'The given data was invalid.', errors };
  }
  const first = failure.faults[0];
  if (failure.status === 401) return { message: 'Unauthenticated.' };
  if (failure.status === 404 && first?.code === 'not_found')
    return { message: first.message || 'Not found.' };
  return { message: first?.message ?? 'Server Error' };
}
