/** Normalization used to match leads to companies and contacts (and to search them). */

// Addresses at these providers say nothing about the employer, so they never match a company by domain.
const FREE_MAIL = new Set(
  (
    'gmail.com googlemail.com yahoo.com yahoo.fr yahoo.co.uk ymail.com hotmail.com hotmail.fr hotmail.co.uk ' +
    'outlook.com outlook.fr live.com live.fr msn.com icloud.com me.com mac.com aol.com gmx.com gmx.de gmx.net ' +
    'web.de mail.com proton.me protonmail.com yandex.ru yandex.com mail.ru orange.fr free.fr laposte.net sfr.fr ' +
    'wanadoo.fr qq.com 163.com 126.com zoho.com fastmail.com hey.com tutanota.com'
  ).split(' '),
);

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** "Acme  Corp " -> "acme corp": names match case- and space-insensitively. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** "https://www.Acme.com/contact" -> "acme.com"; null when no host can be read. */
export function domainFromWebsite(website: string | null | undefined): string | null {
  if (!website) return null;
  const raw = website.trim();
  if (!raw) return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
    return normalizeDomain(url.hostname);
  } catch {
    return null;
  }
}

export function normalizeDomain(domain: string): string | null {
  const d = domain
    .trim()
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d) ? d : null;
}

/** The employer's domain of an email address, or null for free-mail providers. */
export function companyDomainFromEmail(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const d = normalizeDomain(email.slice(at + 1));
  return d && !FREE_MAIL.has(d) ? d : null;
}

/** Lower-cased text the `q` search matches with LIKE: each term must appear somewhere in it. */
export function searchText(parts: Array<string | null | undefined>): string {
  return parts
    .filter((p): p is string => !!p)
    .join(' ')
    .normalize('NFKC')
    .toLowerCase();
}

/** Splits `q` into lower-case terms; LIKE wildcards are escaped by the repositories. */
export function queryTerms(q: string): string[] {
  return q.normalize('NFKC').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
}

export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function normalizeTagList(tags: string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of tags) {
    const t = raw.trim();
    if (t && !seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  }
  return [...seen.values()].sort();
}

export function blankToNull(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return v.trim() === '' ? null : v.trim();
}

/** True for a unique-key violation on either database (the driver error, before we wrap it). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
