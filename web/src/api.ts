// The one door to the server: every screen talks to the public /api/v1 API through here, exactly as an
// integration would, so anything the app can do an integration can do too. New code uses the typed client in
// client.ts; this untyped `request` remains for the screens not moved yet, and shares its cache invalidation.
import { afterWrite } from './query';
import { plainFieldMessage, plainMessage } from './messages';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(plainMessage(code, message));
  }
  /** Messages per field in plain words (messages.ts), for inline display next to inputs. */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const m = plainFieldMessage(this.code, e.field, e.message);
      out[e.field] = out[e.field] ? `${out[e.field]} ${m}` : m;
    }
    return out;
  }
}

const ORG_KEY = 'leadflow.org';
/** Set by the server beside the HttpOnly session cookie: the CSRF token this session's writes must carry. */
const CSRF_COOKIE = 'lf_csrf';

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/**
 * The browser's session: the token itself is an HttpOnly cookie no script can read (docs/security.md, "Browser
 * sessions and CSRF"); the app only sees the CSRF token beside it, and remembers the chosen organization.
 */
export const session = {
  /** Whether a session cookie was set (the server still decides whether it is valid). */
  get signedIn(): boolean {
    return readCookie(CSRF_COOKIE) !== null;
  },
  get csrf(): string | null {
    return readCookie(CSRF_COOKIE);
  },
  get orgId(): string | null {
    return localStorage.getItem(ORG_KEY);
  },
  setOrg(orgId: number) {
    localStorage.setItem(ORG_KEY, String(orgId));
  },
  clear() {
    document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict`;
    localStorage.removeItem(ORG_KEY);
    // A token kept by an older version of the app is dropped, never sent again.
    localStorage.removeItem('leadflow.token');
  },
};

/** Headers every call carries: the session kind for sign-ins, the CSRF token on writes, the organization. */
export function sessionHeaders(method: string): Record<string, string> {
  const h: Record<string, string> = { 'x-leadflow-session': 'cookie' };
  if (!session.signedIn) return h;
  const csrf = session.csrf;
  if (csrf && method !== 'GET' && method !== 'HEAD') h['x-csrf-token'] = csrf;
  if (session.orgId) h['x-organization-id'] = session.orgId;
  return h;
}

let onUnauthorized: () => void = () => {};
/** The session layer decides what a 401 means (back to sign-in). */
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}
export const signalUnauthorized = () => onUnauthorized();

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Return the raw Response (downloads). */
  raw?: boolean;
}

export async function request<T = unknown>(
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<T> {
  const signedIn = session.signedIn;
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...sessionHeaders(method),
    ...opts.headers,
  };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body,
      signal: opts.signal,
      credentials: 'same-origin',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (!res.ok) {
    let problem: { code?: string; detail?: string; title?: string; errors?: FieldError[] } = {};
    try {
      problem = await res.json();
    } catch {
      /* not JSON: keep the status text */
    }
    if (res.status === 401 && signedIn && !path.startsWith('/auth/')) onUnauthorized();
    throw new ApiError(
      res.status,
      problem.code ?? String(res.status),
      problem.detail ?? problem.title ?? res.statusText,
      problem.errors ?? [],
    );
  }
  if (method !== 'GET') afterWrite(path, method);
  if (opts.raw) return res as T;
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal }),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>('POST', path, { body, headers }),
  patch: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    request<T>('PATCH', path, { body, headers }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  del: (path: string, headers?: Record<string, string>) => request<void>('DELETE', path, { headers }),
};

/** Builds a query string, leaving out empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Downloads a protected file through fetch (the organization header goes with it). */
export async function download(path: string, filename: string) {
  const res = await request<Response>('GET', path, { raw: true });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
