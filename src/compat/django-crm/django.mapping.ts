/**
 * Seed 004's vocabulary onto the core's: statuses, sources and countries (docs/compat/django-crm.md).
 */

/** The document's statuses (LeadStatus), in its order. */
export const DJANGO_STATUSES = ['assigned', 'in process', 'converted', 'recycled', 'closed'] as const;
export type DjangoStatus = (typeof DJANGO_STATUSES)[number];

/** The core status a document status is written as (converted is the core conversion, not a key). */
export const STATUS_WRITE: Record<Exclude<DjangoStatus, 'converted'>, string> = {
  assigned: 'assigned',
  'in process': 'in_process',
  recycled: 'recycled',
  closed: 'closed',
};

export interface CoreStatus {
  key: string;
  category: string;
}

/**
 * How a core status reads here: a converted lead is "converted"; `new` and `assigned` read "assigned",
 * `recycled` "recycled", every other open or on-hold status "in process"; won, lost and closed statuses "closed".
 */
export function statusRead(s: CoreStatus, converted: boolean): DjangoStatus {
  if (converted || s.category === 'converted') return 'converted';
  if (s.key === 'new' || s.key === 'assigned') return 'assigned';
  if (s.key === 'recycled') return 'recycled';
  if (s.category === 'open' || s.category === 'on_hold') return 'in process';
  return 'closed';
}

/** The core status keys that read as `status` (for the list filter). */
export function statusKeysReading(all: CoreStatus[], status: DjangoStatus): string[] {
  return all.filter((s) => s.category !== 'converted' && statusRead(s, false) === status).map((s) => s.key);
}

/** The document's sources (LeadSource), and how each is stored in the core's `leads.source` (lower case). */
export const DJANGO_SOURCES: Record<string, string> = {
  'Website Form': 'web form',
  'Cold Call': 'cold call',
  Referral: 'referral',
  'Trade Show': 'trade show',
  'Email Campaign': 'email campaign',
  'Social Media': 'social media',
  Advertisement: 'advertisement',
};
/** Other spellings clients of the public system send (its `source` choices and the list example's `website`). */
const SOURCE_ALIASES: Record<string, string> = {
  website: 'web form',
  web: 'web form',
  'web form': 'web form',
  call: 'cold call',
  email: 'email campaign',
  compaign: 'email campaign',
  campaign: 'email campaign',
};
const SOURCE_LABEL = Object.fromEntries(Object.entries(DJANGO_SOURCES).map(([label, core]) => [core, label]));

/** A source as stored: a document source (any case) or alias by its core value, anything else as written. */
export function sourceWrite(v: string): string {
  const t = v.trim();
  const lower = t.toLowerCase();
  const known = Object.entries(DJANGO_SOURCES).find(([label]) => label.toLowerCase() === lower);
  if (known) return known[1];
  return SOURCE_ALIASES[lower] ?? t;
}

/** A stored source as the document names it. */
export function sourceRead(v: string | null): string | null {
  if (v === null) return null;
  return SOURCE_LABEL[v.toLowerCase()] ?? v;
}

/**
 * Countries: the core keeps ISO 3166-1 alpha-2. The document writes "USA"; alpha-3 codes and a few names map
 * to alpha-2, and the value the client wrote comes back (kept as an owned field when it is not the alpha-2).
 */
const COUNTRIES: Record<string, string> = {
  USA: 'US',
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
  GBR: 'GB',
  UK: 'GB',
  'UNITED KINGDOM': 'GB',
  CAN: 'CA',
  CANADA: 'CA',
  IND: 'IN',
  INDIA: 'IN',
  AUS: 'AU',
  AUSTRALIA: 'AU',
  DEU: 'DE',
  GERMANY: 'DE',
  FRA: 'FR',
  FRANCE: 'FR',
  ESP: 'ES',
  SPAIN: 'ES',
  ITA: 'IT',
  ITALY: 'IT',
  NLD: 'NL',
  MEX: 'MX',
  BRA: 'BR',
  JPN: 'JP',
  CHN: 'CN',
};

/** The alpha-2 code of what the client wrote; undefined when it is not a country this surface knows. */
export function countryWrite(v: string): string | undefined {
  const u = v.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(u)) return u;
  return COUNTRIES[u];
}
