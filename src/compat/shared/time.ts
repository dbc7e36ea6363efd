/**
 * Client times for compatible surfaces. The core stores UTC instants; a surface keeps the offset the client
 * wrote with (`+05:30` stays `+05:30` on the way back) and reads a time without a zone in the organization's
 * time zone (`organizations.time_zone`, null = UTC), as a person at that organization would mean it.
 */
export interface ClientTime {
  /** The instant, ISO 8601 UTC with milliseconds (the core's form). */
  instant: string;
  /** The offset to answer with: `Z` or `+hh:mm` / `-hh:mm`. */
  offset: string;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/i;
const ZONED = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/i;

/** `+hh:mm` of an offset in minutes (0 -> `Z`). */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function offsetMinutes(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The UTC offset (minutes) of an IANA time zone at an instant. */
export function zoneOffsetAt(timeZone: string, ms: number): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** True when the name is an IANA time zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    zoneOffsetAt(name, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a client time: with a zone (`Z`, `+05:30`, `+0530`) it keeps that offset; without one (a date-time or a
 * plain date, read as midnight) it is the wall-clock time in `timeZone` (null or unknown: UTC).
 * Returns an error message for anything else, or a year outside 1900-2999.
 */
export function parseClientTime(value: string, timeZone: string | null): ClientTime | { error: string } {
  const bad = { error: 'must be a date-time "YYYY-MM-DDThh:mm:ssTZD", e.g. "2018-10-05T08:00:00+05:30"' };
  let ms: number;
  let offset: string;
  const z = ZONED.exec(value);
  if (z) {
    const off = z[3].toUpperCase() === 'Z' ? 0 : offsetMinutes(z[3]);
    if (Math.abs(off) > 18 * 60) return bad;
    ms = Date.parse(`${z[1]}T${z[2]}${z[3].toUpperCase() === 'Z' ? 'Z' : formatOffset(off)}`);
    // The calendar must be real (no 2018-02-31, which Date.parse rolls over into March; no month 13).
    if (!Number.isFinite(ms)) return bad;
    const wall = new Date(ms + off * 60000).toISOString().slice(0, 10);
    if (wall !== z[1]) return bad;
    offset = formatOffset(off);
  } else {
    const d = DATE_ONLY.exec(value);
    const l = d ? [value, d[1], d[2], d[3], '00', '00', '00', ''] : LOCAL.exec(value);
    if (!l) return bad;
    const fraction = Number(`0.${l[7] || '0'}`) * 1000;
    const wall = Date.UTC(+l[1], +l[2] - 1, +l[3], +l[4], +l[5], +(l[6] ?? 0), fraction);
    // The calendar must be real (no 2018-02-31): Date.UTC rolls over, so compare back.
    const check = new Date(wall);
    if (check.getUTCMonth() !== +l[2] - 1 || check.getUTCDate() !== +l[3] || +l[4] > 23) return bad;
    const zone = timeZone && isTimeZone(timeZone) ? timeZone : null;
    // Two passes find the offset in force at that wall-clock time (DST changes included).
    let off = zone ? zoneOffsetAt(zone, wall) : 0;
    if (zone) off = zoneOffsetAt(zone, wall - off * 60000);
    ms = wall - off * 60000;
    offset = formatOffset(off);
  }
  if (!Number.isFinite(ms)) return bad;
  if (ms < Date.UTC(1900, 0, 1) || ms >= Date.UTC(3000, 0, 1))
    return { error: 'must be between the years 1900 and 2999' };
  return { instant: new Date(ms).toISOString(), offset };
}

/** An instant rendered at an offset, whole seconds: `2018-10-05T08:00:00+05:30` (or `...Z`). */
export function renderClientTime(iso: string | null | undefined, offset = 'Z'): string | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const local = new Date(ms + offsetMinutes(offset) * 60000).toISOString().slice(0, 19);
  return `${local}${offset}`;
}
