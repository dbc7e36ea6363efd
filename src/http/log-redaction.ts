/**
 * Query parameters whose values never reach the logs: surfaces that take a token in the query (an `apikey`,
 * a `token`) add their parameter names here when they are declared (src/compat/shared/auth.ts).
 */
const SECRET_PARAMS = new Set(['token', 'access_token', 'api_key', 'apikey']);

export function addSecretParams(names: string[]): void {
  for (const n of names) SECRET_PARAMS.add(n.toLowerCase());
}

/** The URL with the values of secret query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = decodeURIComponent((eq === -1 ? p : p.slice(0, eq)).replace(/\+/g, ' ')).toLowerCase();
      return SECRET_PARAMS.has(name) && eq !== -1 ? `${p.slice(0, eq)}=[redacted]` : p;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}
