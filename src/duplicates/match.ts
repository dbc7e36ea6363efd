import { distance } from 'fastest-levenshtein';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Duplicate matching, kept free of the database so the labelled set (test/duplicates-quality.test.ts) measures
 * exactly what the server does: the blocking keys decide which leads are compared (a candidate shares at least
 * one key, found through the `lead_dup_keys` index), the score decides whether they are duplicates.
 */

/** What matching reads of a lead: its names, company, external id and every email and phone it has. */
export interface MatchLead {
  id: number;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  external_id: string | null;
  country: string | null;
  emails: string[];
  phones: string[];
}

export type MatchReason = 'email' | 'phone' | 'external_id' | 'name' | 'company';

export interface MatchResult {
  score: number;
  reasons: MatchReason[];
}

/** A pair at or above this score is a possible duplicate (flagged, listed in the organization's groups). */
export const FLAG_SCORE = 0.8;

// Letters NFKD does not decompose.
const FOLD_EXTRA: Record<string, string> = {
  ß: 'ss',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/**
 * A bounded memo for the key functions below: a batch of an import compares every new lead with up to 100
 * candidates a key, so the same phones, names and companies are folded and parsed again and again (a profile of a
 * 20,000-row import: 30% of the server's CPU in libphonenumber-js under scorePair). The functions are pure; the
 * cache is emptied when full, so it holds at most `max` entries.
 */
function memo<A extends string, R>(fn: (key: A) => R, max = 20_000): (key: A) => R {
  const cache = new Map<string, R>();
  return (key: A) => {
    let r = cache.get(key);
    if (r === undefined && !cache.has(key)) {
      if (cache.size >= max) cache.clear();
      r = fn(key);
      cache.set(key, r);
    }
    return r as R;
  };
}

const foldText = memo((text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßøæœłđðþı]/g, (c) => FOLD_EXTRA[c] ?? c)
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim(),
);

/** "José  Müller-O’Brien" -> "jose muller o brien": case, accents and punctuation folded. */
export function fold(text: string | null | undefined): string {
  return text ? foldText(text) : '';
}

// Legal forms and filler words that say nothing about which company it is.
const COMPANY_NOISE = new Set(
  (
    'inc incorporated corp corporation co company llc llp lp ltd limited plc gmbh mbh ag kg ohg ug se sa sas sasu ' +
    'sarl eurl sarlu snc sca bv nv srl spa sl slu oy ab as asa aps pty pvt kk the and group holding holdings'
  ).split(' '),
);

/** "The Acme Company, Inc." -> "acme": folded, legal forms and spaces dropped. */
export function companyKey(name: string | null | undefined): string {
  return name ? companyKeyOf(name) : '';
}

const companyKeyOf = memo((name: string): string =>
  fold(name)
    // "S.A." folds to "s a": single letters in a row are one word again.
    .replace(/\b(\p{L}) (?=\p{L}\b)/gu, '$1')
    .split(' ')
    .filter((t) => t && !COMPANY_NOISE.has(t))
    .join(''),
);

// Providers that ignore dots in the local part (Gmail) or deliver "name+tag@" to "name@" (most large ones).
const DOTLESS = new Set(['gmail.com', 'googlemail.com']);
const PLUS_TAGS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'icloud.com',
  'me.com',
  'fastmail.com',
  'proton.me',
  'protonmail.com',
]);

/** "John.Smith+crm@GoogleMail.com" -> "johnsmith@gmail.com"; null when it is no address. */
export function emailKey(email: string | null | undefined): string | null {
  const e = (email ?? '').trim().toLowerCase();
  const at = e.lastIndexOf('@');
  if (at < 1 || at === e.length - 1) return null;
  let local = e.slice(0, at);
  let domain = e.slice(at + 1).replace(/\.$/, '');
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (PLUS_TAGS.has(domain)) local = local.replace(/\+.*$/, '');
  if (DOTLESS.has(domain)) local = local.replace(/\./g, '');
  return local ? `${local}@${domain}` : null;
}

/**
 * The national significant number of a phone (E.164 through libphonenumber-js, with the lead's country as the
 * default region), so "+1 415-293-3313", "(415) 293 3313" and "14152933313" share a key. Numbers it cannot read
 * fall back to their digits (extension cut off, trunk zeros dropped). Null under 7 digits.
 */
export function phoneKey(phone: string | null | undefined, country?: string | null): string | null {
  const raw = (phone ?? '').trim();
  if (!raw) return null;
  const region =
    country && /^[A-Za-z]{2}$/.test(country) ? (country.toUpperCase() as CountryCode) : undefined;
  return phoneKeyOf(`${region ?? ''}\u0000${raw}`);
}

const phoneKeyOf = memo((key: string): string | null => {
  const [regionText, raw] = key.split('\u0000');
  const region = (regionText || undefined) as CountryCode | undefined;
  const parsed =
    parsePhoneNumberFromString(raw, region) ??
    (/^\+|^00/.test(raw) ? undefined : parsePhoneNumberFromString(`+${raw.replace(/\D/g, '')}`));
  let digits = parsed?.isPossible() ? parsed.nationalNumber : '';
  if (!digits) {
    digits = raw
      .split(/x|ext|#/i)[0]
      .replace(/\D/g, '')
      .replace(/^0+/, '');
    if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  }
  return digits.length >= 7 ? digits : null;
});

function nameTokens(lead: Pick<MatchLead, 'first_name' | 'last_name'>): { first: string; last: string } {
  return { first: fold(lead.first_name).replace(/ /g, ''), last: fold(lead.last_name).replace(/ /g, '') };
}

/**
 * The keys a lead is filed under in `lead_dup_keys`. Two leads are compared only when they share one:
 * e: email key, p: phone key, x: external id, n: first three letters of each name (sorted, so a swap of first
 * and last name keeps the key), s: last three letters of each name (a typo cannot touch both ends of a name of
 * six letters or more), t: one whole name and the other's initial (both ways: a typo in one name leaves the
 * other's key), l: a lone name.
 */
export function blockingKeys(lead: MatchLead): string[] {
  const keys = new Set<string>();
  for (const e of lead.emails) {
    const k = emailKey(e);
    if (k) keys.add(`e:${k}`);
  }
  for (const p of lead.phones) {
    const k = phoneKey(p, lead.country);
    if (k) keys.add(`p:${k}`);
  }
  const ext = (lead.external_id ?? '').trim().toLowerCase();
  if (ext) keys.add(`x:${ext}`);
  const { first, last } = nameTokens(lead);
  if (first && last) {
    keys.add(`n:${[first.slice(0, 3), last.slice(0, 3)].sort().join('|')}`);
    keys.add(`s:${[first.slice(-3), last.slice(-3)].sort().join('|')}`);
    keys.add(`t:${first}|${last[0]}`);
    keys.add(`t:${last}|${first[0]}`);
  } else if (first || last) keys.add(`l:${first || last}`);
  return [...keys].map((k) => k.slice(0, 200));
}

/** 1 for equal strings, 0 for nothing in common: 1 - Levenshtein distance / longer length. */
export function similarity(a: string, b: string): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  let d = distance(a, b);
  // Two letters typed the wrong way round are one slip, not two edits (as in Damerau-Levenshtein).
  if (d === 2 && a.length === b.length && [...a].sort().join('') === [...b].sort().join('')) {
    const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
    if (diff.length === 2 && diff[1] === diff[0] + 1) d = 1;
  }
  return 1 - d / Math.max(a.length, b.length);
}

/**
 * How alike two people's names are: the weaker of the first-name and last-name similarities, first and last
 * name possibly swapped (so "Norm May" and "Tom May" are not alike); null when one has no name.
 */
export function nameSimilarity(a: MatchLead, b: MatchLead): number | null {
  const x = nameTokens(a);
  const y = nameTokens(b);
  if (!(x.first || x.last) || !(y.first || y.last)) return null;
  if (!x.first || !x.last || !y.first || !y.last) {
    // One side has a single name: it must match one of the other's names.
    const xs = [x.first, x.last].filter(Boolean);
    const ys = [y.first, y.last].filter(Boolean);
    return Math.max(...xs.flatMap((p) => ys.map((q) => similarity(p, q)))) * 0.9;
  }
  const straight = Math.min(similarity(x.first, y.first), similarity(x.last, y.last));
  const swapped = Math.min(similarity(x.first, y.last), similarity(x.last, y.first));
  return Math.max(straight, swapped);
}

function shares(a: Array<string | null>, b: Array<string | null>): boolean {
  const set = new Set(a.filter((v): v is string => !!v));
  return b.some((v) => !!v && set.has(v));
}

/** Names at least this alike agree (scorePair): below it a shared phone or a like company is no duplicate. */
const NAMES_AGREE = 0.7;

/**
 * False when `scorePair(a, b).score` is certainly under FLAG_SCORE, from the cheap parts of the score only: no
 * shared external id, no shared email, and names that do not agree leave a shared phone at 0.5 and no company
 * rule (see scorePair), under any FLAG_SCORE above 0.5. The duplicate refresh skips such pairs before the phones are
 * parsed (libphonenumber-js) and the companies folded: on a file of distinct people most candidates share only a
 * name key with the new lead (same last name and initial, another first name), and parsing their phones was a
 * fifth of an import's CPU (docs/decisions.md, "Import speed, fifth pass").
 */
export function mayFlag(a: MatchLead, b: MatchLead): boolean {
  if (FLAG_SCORE <= 0.5) return true;
  const extA = (a.external_id ?? '').trim().toLowerCase();
  if (extA && extA === (b.external_id ?? '').trim().toLowerCase()) return true;
  if (shares(a.emails.map(emailKey), b.emails.map(emailKey))) return true;
  const name = nameSimilarity(a, b);
  return name === null || name >= NAMES_AGREE;
}

/**
 * The score of a pair (0..1) and why. An email, a phone or an external id shared counts when the names agree
 * (a shared switchboard, household phone or info@ address under different names is no duplicate); names that
 * nearly agree count with a company that nearly agrees.
 */
export function scorePair(a: MatchLead, b: MatchLead): MatchResult {
  const reasons: MatchReason[] = [];
  const email = shares(a.emails.map(emailKey), b.emails.map(emailKey));
  const phone = shares(
    a.phones.map((p) => phoneKey(p, a.country)),
    b.phones.map((p) => phoneKey(p, b.country)),
  );
  const extA = (a.external_id ?? '').trim().toLowerCase();
  const external = !!extA && extA === (b.external_id ?? '').trim().toLowerCase();
  const name = nameSimilarity(a, b);
  const ca = companyKey(a.company_name);
  const cb = companyKey(b.company_name);
  const company = ca && cb ? similarity(ca, cb) : null;
  if (email) reasons.push('email');
  if (phone) reasons.push('phone');
  if (external) reasons.push('external_id');
  if (name !== null && name >= NAMES_AGREE) reasons.push('name');
  if (company !== null && company >= 0.85) reasons.push('company');

  const scores = [0];
  const namesAgree = name === null || name >= NAMES_AGREE;
  if (external) scores.push(0.97);
  if (email) scores.push(namesAgree ? (name === null ? 0.9 : 0.98) : 0.6);
  if (phone) scores.push(namesAgree ? (name === null ? 0.82 : 0.93) : 0.5);
  if (email && phone) scores.push(name !== null && name < 0.5 ? 0.75 : 0.99);
  if (name !== null && company !== null && name >= NAMES_AGREE && company >= 0.85)
    scores.push(0.85 + 0.1 * Math.min((name - 0.7) / 0.3, (company - 0.85) / 0.15));
  else if (name !== null && name >= 0.95 && company === null && (email || phone)) scores.push(0.9);
  const score = Math.round(Math.max(...scores) * 1000) / 1000;
  return { score, reasons };
}
