/**
 * Estimated completion time `{ value, unit }` and the expected completion date it implies (issue 14), each
 * computed from the other. Dates are calendar dates in the organization's time zone; adding months or years
 * clamps to the month's last day (31 January + 1 month = 28 or 29 February).
 */
export const COMPLETION_UNITS = ['minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
export type CompletionUnit = (typeof COMPLETION_UNITS)[number];
export interface EstimatedCompletion {
  value: number;
  unit: CompletionUnit;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const iso = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The calendar date and time of `ms` in `zone` (UTC when null). */
function localParts(ms: number, zone: string | null) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone ?? 'UTC',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: n('year'), m: n('month'), d: n('day'), h: n('hour'), min: n('minute') };
}

function addMonths(y: number, m: number, d: number, months: number): string {
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return iso(ny, nm, Math.min(d, daysIn(ny, nm)));
}

/** The expected completion date of an estimate started at `fromMs`. */
export function completionDate(e: EstimatedCompletion, fromMs: number, zone: string | null): string {
  const p = localParts(fromMs, zone);
  switch (e.unit) {
    case 'minutes':
    case 'hours': {
      // Wall-clock minutes, so a DST change does not move the date: local time + duration, then its date.
      const local =
        Date.UTC(p.y, p.m - 1, p.d, p.h, p.min) + e.value * (e.unit === 'hours' ? 3600_000 : 60_000);
      return new Date(local).toISOString().slice(0, 10);
    }
    case 'days':
    case 'weeks':
      return new Date(Date.UTC(p.y, p.m - 1, p.d + e.value * (e.unit === 'weeks' ? 7 : 1)))
        .toISOString()
        .slice(0, 10);
    case 'months':
      return addMonths(p.y, p.m, p.d, e.value);
    case 'years':
      return addMonths(p.y, p.m, p.d, e.value * 12);
  }
}

/** The estimate that reaches `date` from `fromMs`: the largest whole unit that lands on it exactly (years, months, weeks, days). */
export function estimateFor(date: string, fromMs: number, zone: string | null): EstimatedCompletion {
  const p = localParts(fromMs, zone);
  const [y, m, d] = date.split('-').map(Number);
  const months = (y - p.y) * 12 + (m - p.m);
  if (months !== 0 && addMonths(p.y, p.m, p.d, months) === date)
    return months % 12 === 0 ? { value: months / 12, unit: 'years' } : { value: months, unit: 'months' };
  const days = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(p.y, p.m - 1, p.d)) / 86_400_000);
  return days !== 0 && days % 7 === 0 ? { value: days / 7, unit: 'weeks' } : { value: days, unit: 'days' };
}
