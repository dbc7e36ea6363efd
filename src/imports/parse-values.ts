import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { COUNTRY_CODES, normalizeCountry } from '../lib/countries.js';
import { parseMoney } from '../lib/money.js';

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

export type DateOrder = 'dmy' | 'mdy';

interface DateParts {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
  s: number;
  ms: number;
  /** Offset in minutes east of UTC; null when the text named no zone (read as UTC). */
  offset: number | null;
}

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

function valid(p: DateParts): boolean {
  if (p.m < 1 || p.m > 12 || p.d < 1 || p.d > 31 || p.h > 23 || p.min > 59 || p.s > 60) return false;
  const dt = new Date(Date.UTC(p.y, p.m - 1, p.d));
  return dt.getUTCMonth() === p.m - 1 && dt.getUTCDate() === p.d;
}

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = ampm.toLowerCase().startsWith('p');
  return (h % 12) + (pm ? 12 : 0);
}

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const NUMERIC =
  /^(\d{1,4})([-./])(\d{1,2})\2(\d{2,4})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?$/i;
// "15 Apr, 2021 00:03:00", "15 April 2021", "Apr 15, 2021 3:04 PM", "Thu, 15 Apr 2021"
const NAMED =
  /^(?:[a-z]{3,9},?\s+)?(?:(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})|([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}))(?:[,\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?$/i;

/** Reads the date formats exports use: ISO, dd-mm-yyyy, dd.mm.yyyy, mm/dd/yyyy or dd/mm/yyyy, "15 Apr, 2021 00:03:00". */
export function parseDateParts(raw: string, order: DateOrder): DateParts | null {
  const s = raw.trim();
  let m = ISO.exec(s);
  if (m) {
    let offset: number | null = null;
    if (m[8]) {
      if (m[8].toUpperCase() === 'Z') offset = 0;
      else {
        const z = m[8].replace(':', '');
        offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5) || 0));
      }
    }
    const p = {
      y: +m[1],
      m: +m[2],
      d: +m[3],
      h: +(m[4] ?? 0),
      min: +(m[5] ?? 0),
      s: +(m[6] ?? 0),
      ms: m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0,
      offset,
    };
    return valid(p) ? p : null;
  }
  m = NUMERIC.exec(s);
  if (m) {
    const [a, sep, b, c] = [+m[1], m[2], +m[3], m[4]];
    let y: number, mo: number, d: number;
    if (m[1].length === 4) [y, mo, d] = [a, b, +c];
    else {
      y = c.length === 2 ? 2000 + +c : +c;
      // Dashes and dots are day-first across Europe and India; slashes follow the file's order unless a part is > 12.
      let dayFirst = sep === '/' ? order === 'dmy' : true;
      if (a > 12) dayFirst = true;
      else if (b > 12) dayFirst = false;
      [d, mo] = dayFirst ? [a, b] : [b, a];
    }
    const p = {
      y,
      m: mo,
      d,
      h: hour12(+(m[5] ?? 0), m[8]),
      min: +(m[6] ?? 0),
      s: +(m[7] ?? 0),
      ms: 0,
      offset: null,
    };
    return valid(p) ? p : null;
  }
  m = NAMED.exec(s);
  if (m) {
    const monthName = (m[2] ?? m[4]).toLowerCase();
    const mo = MONTHS[monthName.slice(0, 3)];
    if (
      !mo ||
      (monthName.length > 3 &&
        ![
          'january',
          'february',
          'march',
          'april',
          'june',
          'july',
          'august',
          'september',
          'sept',
          'october',
          'november',
          'december',
        ].includes(monthName))
    )
      return null;
    const p = {
      y: +(m[3] ?? m[6]),
      m: mo,
      d: +(m[1] ?? m[5]),
      h: hour12(+(m[7] ?? 0), m[10]),
      min: +(m[8] ?? 0),
      s: +(m[9] ?? 0),
      ms: 0,
      offset: null,
    };
    return valid(p) ? p : null;
  }
  return null;
}

/** A calendar date as YYYY-MM-DD, or null. */
export function parseDate(raw: string, order: DateOrder): string | null {
  const p = parseDateParts(raw, order);
  return p ? `${p.y}-${pad(p.m)}-${pad(p.d)}` : null;
}

/** A timestamp as ISO 8601 UTC with milliseconds (text without a zone is read as UTC), or null. */
export function parseTimestamp(raw: string, order: DateOrder): string | null {
  const p = parseDateParts(raw, order);
  if (!p) return null;
  const t = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s, p.ms) - (p.offset ?? 0) * 60_000;
  return new Date(t).toISOString();
}

/** Money as written in spreadsheets: "1,500.00", "1.500,00", "$ 1500", "1500" -> cents. */
export function parseAmount(raw: string): number | null {
  let s = raw
    .trim()
    .replace(/[\s\u00a0$€£¥]/g, '')
    .replace(/^(USD|EUR|GBP|INR)/i, '')
    .replace(/(USD|EUR|GBP|INR)$/i, '');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  else if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) s = s.replace(/\./g, '').replace(',', '.');
  else if (/^-?\d+,\d{1,2}$/.test(s)) s = s.replace(',', '.');
  if (/^-?\d+\.\d+$/.test(s) && s.split('.')[1].length > 2) {
    // "45.5000" from a decimal column: keep it if the extra digits are zeros.
    const [i, f] = s.split('.');
    if (/^\d{2}0+$/.test(f.padEnd(3, '0')) || /^\d0+$/.test(f)) s = `${i}.${f.slice(0, 2)}`;
  }
  return parseMoney(s);
}

const COUNTRY_BY_NAME = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const m = new Map<string, string>();
  for (const code of COUNTRY_CODES) m.set(names.of(code)!.toLowerCase(), code);
  const extra: Record<string, string> = {
    usa: 'US',
    'u.s.': 'US',
    'u.s.a.': 'US',
    'united states of america': 'US',
    america: 'US',
    uk: 'GB',
    'u.k.': 'GB',
    'great britain': 'GB',
    england: 'GB',
    scotland: 'GB',
    wales: 'GB',
    'northern ireland': 'GB',
    deutschland: 'DE',
    gbr: 'GB',
    deu: 'DE',
    fra: 'FR',
    can: 'CA',
    aus: 'AU',
    ind: 'IN',
    chn: 'CN',
    jpn: 'JP',
    bra: 'BR',
    esp: 'ES',
    ita: 'IT',
    nld: 'NL',
    che: 'CH',
    swe: 'SE',
    nor: 'NO',
    dnk: 'DK',
    mex: 'MX',
    bel: 'BE',
    aut: 'AT',
    irl: 'IE',
    prt: 'PT',
    pol: 'PL',
    sgp: 'SG',
    are: 'AE',
    zaf: 'ZA',
    nzl: 'NZ',
    uae: 'AE',
    holland: 'NL',
    'south korea': 'KR',
    korea: 'KR',
    russia: 'RU',
    'czech republic': 'CZ',
    'ivory coast': 'CI',
    'viet nam': 'VN',
    turkey: 'TR',
  };
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
})();

/** ISO code from a code, an English name or a common alias ("USA", "United Kingdom"), or null. */
export function parseCountry(raw: string): string | null {
  return normalizeCountry(raw) ?? COUNTRY_BY_NAME.get(raw.trim().toLowerCase().replace(/\s+/g, ' ')) ?? null;
}

const EXTENSION = /\s*(?:x|ext\.?|extension|#)\s*\d+\s*$/i;

/**
 * The E.164 form of a phone number, or null when it cannot be read. Numbers written internationally
 * ("+45 33 88 1100") and North-American numbers of a US/CA lead take a fast path; the others go through
 * libphonenumber with the lead's country.
 */
export function toE164(raw: string, country: string | null): string | null {
  const s = raw.replace(EXTENSION, '');
  if (s.startsWith('+')) {
    const digits = s.replace(/\(0\)/, '').replace(/[\s().\-/]/g, '');
    if (/^\+[1-9]\d{7,14}$/.test(digits)) return digits;
    return null;
  }
  if (country === 'US' || country === 'CA') {
    const digits = s.replace(/[\s().\-/]/g, '');
    if (/^[2-9]\d{9}$/.test(digits)) return `+1${digits}`;
    if (/^1[2-9]\d{9}$/.test(digits)) return `+${digits}`;
  }
  if (!country) return null;
  const p = parsePhoneNumberFromString(s, country as CountryCode);
  return p && p.isPossible() ? p.number : null;
}
