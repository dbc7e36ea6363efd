import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { cachedOrgRead } from '../db/org-cache.js';

/** True for a zone name the runtime's IANA database knows ("Europe/Paris", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.trim() !== '';
  } catch {
    return false;
  }
}

/** Minutes east of UTC of `zone` at the instant `ms`. */
function offsetMinutes(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

const pad = (n: number) => String(n).padStart(2, '0');
export function formatOffset(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/**
 * A wall-clock time ("2026-03-29T02:30:00", seconds and fraction optional) in `zone`, as the same text with the
 * zone's offset at that moment appended. A time that falls in a spring-forward gap takes the offset after it.
 */
export function withZoneOffset(local: string, zone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(local);
  if (!m) throw new Error(`not a local date-time: ${local}`);
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  let off = offsetMinutes(zone, guess);
  off = offsetMinutes(zone, guess - off * 60000);
  return `${local}${formatOffset(off)}`;
}

/** The organization's zone (migration 0055); null means none was set. */
export async function findOrgTimeZone(trx: Kysely<Database>, orgId: number): Promise<string | null> {
  return cachedOrgRead(trx, orgId, 'time_zone', async () => {
    const r = await trx
      .selectFrom('organizations')
      .select('time_zone')
      .where('id', '=', orgId)
      .executeTakeFirst();
    return r?.time_zone ?? null;
  });
}

export async function updateOrgTimeZone(trx: Kysely<Database>, orgId: number, zone: string | null) {
  await trx.updateTable('organizations').set({ time_zone: zone }).where('id', '=', orgId).execute();
}
