/**
 * Seed 004's ids are UUIDs; Leadflow's are integers. Each kind of record gets a fixed namespace (the first
 * group), the integer goes in the last group as 12 hex digits: `1ead0000-0000-4000-8000-00000000002a` is lead 42.
 * Stable (the same lead always renders the same UUID) and reversible; the plain integer is accepted too.
 */
export const ID_KINDS = {
  lead: '1ead0000',
  user: '05e40000',
  team: '7ea40000',
  contact: 'c0c70000',
  company: 'c0a90000',
  org: '0e900000',
  comment: 'c0aa0000',
  attachment: 'a77a0000',
  import: '19a00000',
} as const;
export type IdKind = keyof typeof ID_KINDS;

/** Ids are 32-bit integers in the database (PostgreSQL `integer`): anything larger names no record. */
const MAX = 2147483647;
const UUID = /^([0-9a-f]{8})-0000-4000-8000-([0-9a-f]{12})$/i;

export function uuidOf(kind: IdKind, id: number): string;
export function uuidOf(kind: IdKind, id: number | null | undefined): string | null;
export function uuidOf(kind: IdKind, id: number | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  return `${ID_KINDS[kind]}-0000-4000-8000-${id.toString(16).padStart(12, '0')}`;
}

/** The integer behind a UUID of that kind, or a plain integer; undefined for anything else. */
export function idOf(kind: IdKind, value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value > 0 && value <= MAX ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (/^[0-9]{1,10}$/.test(v)) {
    const n = Number(v);
    return n > 0 && n <= MAX ? n : undefined;
  }
  const m = UUID.exec(v);
  if (!m || m[1].toLowerCase() !== ID_KINDS[kind]) return undefined;
  const n = parseInt(m[2], 16);
  return n > 0 && n <= MAX ? n : undefined;
}
