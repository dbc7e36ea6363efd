import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  blockingKeys,
  companyKey,
  fold,
  FLAG_SCORE,
  scorePair,
  type MatchLead,
} from '../src/duplicates/match.js';

/**
 * The labelled set of duplicate detection: real people from ../shared/data (atomic-crm's 500 test contacts,
 * the Salesforce sample leads, a set of international leads with accents), each made into a duplicate pair
 * through the perturbations people and imports actually produce, plus non-duplicate pairs that look alike (the
 * same company, the same name at another company, a shared switchboard or info@ address, a relative at the same
 * phone). Deterministic: a seeded random generator.
 */
export const DATA_DIR = path.resolve(import.meta.dirname, '../../../shared/data');

export interface Person {
  first_name: string;
  last_name: string;
  company_name: string | null;
  email: string | null;
  phone: string | null;
  country: string | null;
}

export interface LabelledPair {
  a: MatchLead;
  b: MatchLead;
  duplicate: boolean;
  how: string;
}

function dataDir(): string {
  // The worktree sits at /work/wt/<branch>; the main checkout at /work/main: shared/ is beside either.
  for (const d of [DATA_DIR, path.resolve(import.meta.dirname, '../../shared/data'), '/work/shared/data'])
    if (fs.existsSync(path.join(d, 'SOURCES.md'))) return d;
  throw new Error('shared/data not found');
}

export function loadPeople(): Person[] {
  const dir = dataDir();
  const out: Person[] = [];
  const atomic = parse(fs.readFileSync(path.join(dir, 'marmelab__atomic-crm__test-data_contacts.csv')), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  for (const r of atomic)
    out.push({
      first_name: r.first_name,
      last_name: r.last_name,
      company_name: r.company_name || null,
      email: r.email_work || r.email_home || r.email_other || null,
      phone: r.phone_work || r.phone_home || r.phone_other || null,
      country: 'US',
    });
  const intl = parse(fs.readFileSync(path.join(dir, 'Benji9226__Salesforce-Bachelor__Leads.csv')), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  for (const r of intl)
    out.push({
      first_name: r.FirstName,
      last_name: r.LastName,
      company_name: r.Company || null,
      email: r.Email || null,
      phone: r.Phone || null,
      country: null,
    });
  const sf = JSON.parse(
    fs.readFileSync(
      path.join(dir, 'Los-Angeles-Salesforce-Developer-Group__salesforce-data-loader-examples__Lead.json'),
      'utf8',
    ),
  ) as { records: Array<Record<string, string>> };
  for (const r of sf.records)
    out.push({
      first_name: r.FirstName,
      last_name: r.LastName,
      company_name: r.Company || null,
      email: r.Email || null,
      phone: r.Phone || null,
      country: 'US',
    });
  // One person once: a name that repeats in the data is left out (its label would be unknown).
  const seen = new Map<string, number>();
  for (const p of out) {
    const k = `${p.first_name} ${p.last_name}`.toLowerCase();
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return out.filter(
    (p) => p.first_name && p.last_name && seen.get(`${p.first_name} ${p.last_name}`.toLowerCase()) === 1,
  );
}

/** mulberry32: a small seeded generator, so the set is the same on every run. */
export function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)],
  };
}
type Rng = ReturnType<typeof rng>;

const ACCENTS: Record<string, string> = { e: 'é', a: 'à', o: 'ö', u: 'ü', c: 'ç', i: 'ï', n: 'ñ' };
const SUFFIXES = ['Inc', 'Inc.', 'GmbH', 'SARL', 'Ltd', 'LLC', 'Corp.', 'S.A.', 'Limited', 'Co.'];

/** One typing error: a letter dropped, doubled, replaced by a neighbour, or two letters swapped. */
export function typo(r: Rng, s: string): string {
  if (s.length < 3) return s;
  const i = 1 + r.int(s.length - 2);
  switch (r.int(4)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + s[i] + s.slice(i);
    case 2:
      return s.slice(0, i) + String.fromCharCode(((s.charCodeAt(i) - 96) % 26) + 97) + s.slice(i + 1);
    default:
      return s.slice(0, i - 1) + s[i] + s[i - 1] + s.slice(i + 1);
  }
}

function toggleAccents(s: string): string {
  const plain = s.normalize('NFKD').replace(/\p{M}/gu, '');
  if (plain !== s) return plain;
  return s.replace(/[eaoucin]/, (c) => ACCENTS[c] ?? c);
}

function reformatPhone(r: Rng, phone: string): string {
  const digits = phone.split(/x/i)[0].replace(/\D/g, '');
  const ext = /x\s*(\d+)/i.exec(phone)?.[1];
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const us = national.length === 10 && !phone.trim().startsWith('+');
  const forms = us
    ? [
        `+1${national}`,
        `+1 ${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}`,
        `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`,
        `${national.slice(0, 3)}.${national.slice(3, 6)}.${national.slice(6)}`,
        `1-${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}`,
      ]
    : [digits.startsWith('+') ? digits : `+${digits}`, phone.replace(/\s+/g, ''), phone.replace(/\s+/g, '-')];
  return r.pick(forms) + (ext && r.next() < 0.5 ? ` x${ext}` : '');
}

function reformatEmail(r: Rng, email: string): string {
  const [local, domain] = email.split('@');
  const options = [
    email.toUpperCase(),
    local.charAt(0).toUpperCase() + local.slice(1) + '@' + domain.toUpperCase(),
    ` ${email} `,
  ];
  if (domain === 'gmail.com')
    options.push(`${local.replace(/(.)/, '$1.')}+crm@gmail.com`, `${local}@googlemail.com`);
  if (/^(hotmail|outlook|icloud)\.com$/.test(domain)) options.push(`${local}+leads@${domain}`);
  return r.pick(options);
}

let nextId = 1;
function lead(p: Person): MatchLead {
  return {
    id: nextId++,
    first_name: p.first_name,
    last_name: p.last_name,
    company_name: p.company_name,
    external_id: null,
    country: p.country,
    emails: p.email ? [p.email] : [],
    phones: p.phone ? [p.phone] : [],
  };
}

/** A second record of the same person, changed the way a second entry or another system changes it. */
function perturb(r: Rng, p: Person): { person: Person; how: string[] } {
  const q = { ...p };
  const how: string[] = [];
  const steps = 1 + r.int(3);
  const kinds = [
    'email',
    'phone',
    'accents',
    'typo',
    'suffix',
    'swap',
    'drop_email',
    'drop_phone',
    'new_email',
    'personal_only',
  ];
  for (let k = 0; k < steps; k++) {
    const kind = r.pick(kinds);
    if (how.includes(kind)) continue;
    if (kind === 'email' && q.email) q.email = reformatEmail(r, q.email);
    else if (kind === 'phone' && q.phone) q.phone = reformatPhone(r, q.phone);
    else if (kind === 'accents') {
      q.first_name = toggleAccents(q.first_name);
      q.last_name = toggleAccents(q.last_name);
    } else if (kind === 'typo') {
      if (r.next() < 0.5) q.first_name = typo(r, q.first_name);
      else q.last_name = typo(r, q.last_name);
    } else if (kind === 'suffix' && q.company_name)
      q.company_name = `${q.company_name.replace(/,? (Inc|LLC|Ltd)\.?$/, '')}${r.pick([' ', ', '])}${r.pick(SUFFIXES)}`;
    else if (kind === 'swap') [q.first_name, q.last_name] = [q.last_name, q.first_name];
    else if (kind === 'drop_email' && q.phone) q.email = null;
    else if (kind === 'drop_phone' && q.email) q.phone = null;
    else if (kind === 'new_email' && q.phone)
      q.email =
        `${q.first_name}.${q.last_name}${r.int(99)}@${r.pick(['gmail.com', 'yahoo.com', 'outlook.com'])}`.toLowerCase();
    else if (kind === 'personal_only' && q.company_name) {
      // Entered again by someone else: a personal address, no phone; name and company remain.
      q.email = `${fold(q.first_name).replace(/ /g, '')}${r.int(999)}@${r.pick(['gmail.com', 'yahoo.fr', 'gmx.de'])}`;
      q.phone = null;
    } else continue;
    how.push(kind);
  }
  return { person: q, how };
}

/** A different person who looks like `p`. */
function lookalike(r: Rng, p: Person, people: Person[]): { person: Person; how: string } | null {
  const other = r.pick(people);
  if (other === p || other.first_name === p.first_name || other.last_name === p.last_name) return null;
  const kinds = [
    'same_company',
    'same_name_other_company',
    'shared_phone',
    'shared_info_email',
    'relative',
    'similar_company',
  ];
  const kind = r.pick(kinds);
  switch (kind) {
    case 'same_company':
      return { how: kind, person: { ...other, company_name: p.company_name, country: p.country } };
    case 'same_name_other_company':
      if (companyKey(other.company_name) === companyKey(p.company_name)) return null;
      return { how: kind, person: { ...other, first_name: p.first_name, last_name: p.last_name } };
    case 'shared_phone':
      // A switchboard: a colleague at the same company and number.
      return {
        how: kind,
        person: { ...other, company_name: p.company_name, phone: p.phone, country: p.country },
      };
    case 'shared_info_email': {
      const domain = (p.email ?? 'acme.com').split('@')[1];
      return {
        how: kind,
        person: { ...other, company_name: p.company_name, email: `info@${domain}` },
      };
    }
    case 'relative':
      // Same family name and home phone, another first name.
      return { how: kind, person: { ...other, last_name: p.last_name, phone: p.phone, country: p.country } };
    default:
      return {
        how: kind,
        person: { ...other, company_name: p.company_name ? `${p.company_name} Group` : other.company_name },
      };
  }
}

/** `size` pairs, half duplicates, half look-alikes. */
export function buildLabelledSet(size = 600, seed = 23): LabelledPair[] {
  const r = rng(seed);
  nextId = 1;
  const people = loadPeople();
  const pairs: LabelledPair[] = [];
  let i = 0;
  while (pairs.length < size) {
    const p = people[i++ % people.length];
    if (pairs.length % 2 === 0) {
      const { person, how } = perturb(r, p);
      pairs.push({ a: lead(p), b: lead(person), duplicate: true, how: how.join('+') || 'identical' });
    } else {
      const l = lookalike(r, p, people);
      if (!l) continue;
      pairs.push({ a: lead(p), b: lead(l.person), duplicate: false, how: l.how });
    }
  }
  return pairs;
}

export interface Quality {
  pairs: number;
  duplicates: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  misses: LabelledPair[];
  wrong: LabelledPair[];
}

/**
 * Precision and recall of what the server does: a pair is found when the two leads share a blocking key (the
 * index lookup) and score at least FLAG_SCORE.
 */
export function measure(pairs: LabelledPair[], threshold = FLAG_SCORE): Quality {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: LabelledPair[] = [];
  const wrong: LabelledPair[] = [];
  for (const pair of pairs) {
    const keysA = new Set(blockingKeys(pair.a));
    const candidate = blockingKeys(pair.b).some((k) => keysA.has(k));
    const found = candidate && scorePair(pair.a, pair.b).score >= threshold;
    if (found && pair.duplicate) tp++;
    else if (found) {
      fp++;
      wrong.push(pair);
    } else if (pair.duplicate) {
      fn++;
      misses.push(pair);
    }
  }
  const duplicates = pairs.filter((p) => p.duplicate).length;
  return {
    pairs: pairs.length,
    duplicates,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: duplicates === 0 ? 1 : tp / duplicates,
    misses,
    wrong,
  };
}
