import { fieldError } from '../http/errors.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
// Clients backdate entries from imports; anything older than this is a typo, not history.
const EARLIEST = Date.UTC(1900, 0, 1);
// Clocks drift; a few minutes ahead is still "now".
const FUTURE_SLACK_MS = 5 * 60_000;

/**
 * Parses a client-supplied ISO 8601 instant into the stored form (UTC, milliseconds), or throws a 422 naming
 * the field. `notFuture` refuses times that have not happened yet (a follow-up cannot be done tomorrow).
 */
export function parseInstant(field: string, value: string, opts: { notFuture?: boolean } = {}): string {
  const ms = ISO.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms))
    throw fieldError(field, 'must be an ISO 8601 date-time with a time zone, e.g. "2026-03-01T09:30:00Z"');
  if (ms < EARLIEST) throw fieldError(field, 'must not be before 1900-01-01');
  if (ms >= Date.UTC(3000, 0, 1)) throw fieldError(field, 'must be before the year 3000');
  if (opts.notFuture && ms > Date.now() + FUTURE_SLACK_MS) throw fieldError(field, 'cannot be in the future');
  return new Date(ms).toISOString();
}

export function parseOptionalInstant(
  field: string,
  value: string | null | undefined,
  opts: { notFuture?: boolean } = {},
) {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return parseInstant(field, value, opts);
}
