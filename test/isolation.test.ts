/**
 * Tenant isolation, walked from the OpenAPI document so a new route cannot forget the org filter.
 * Organization A creates one of everything it can (through each collection's POST, with a body made from the
 * route's own schema); organization B then calls every route with A's ids. B must get 401/403/404 (or a 4xx
 * before any lookup), never A's data, and A's resources must read the same afterwards.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';

type Schema = Record<string, any>;
interface Op {
  method: string;
  path: string;
  params: string[];
  isPublic: boolean;
  jsonBody?: Schema;
  multipart: boolean;
  hasList: boolean;
}

const MARK = 'zzmarka';
let t: TestApp;
let a: Session;
let b: Session;
let doc: Schema;
let ops: Op[] = [];
/** Collection path template -> what A created there ({ id, key, name, token }). */
const created = new Map<string, Record<string, unknown>>();
let leadA: { id: number };
let counter = 0;
/** Days from now for generated date-times: some fields want the future, others the past. */
let dateShift = 1;

function resolveRef(s: Schema | undefined): Schema | undefined {
  if (!s) return s;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    return resolveRef(doc.components?.schemas?.[name]);
  }
  return s;
}

const CANDIDATES = (m: string) => [
  `${m}${++counter}`,
  'EUR',
  'US',
  'fr',
  '2026-01-15',
  '2026-01-15T10:00:00.000Z',
  '+33612345678',
  '#336699',
  'new',
];

/** A value valid for `schema` as far as a generic generator can tell, with `mark` in every free text. */
function sample(schema: Schema | undefined, mark: string, key = ''): unknown {
  const s = resolveRef(schema) ?? {};
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum.find((v: unknown) => v !== null);
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts))
    return sample(alts.find((x: Schema) => resolveRef(x)?.type !== 'null') ?? alts[0], mark, key);
  const type = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
  switch (type) {
    case 'string': {
      if (s.format === 'email') return `${mark}${++counter}@example.com`;
      if (s.format === 'date') return '2026-01-15';
      if (s.format === 'date-time') return new Date(Date.now() + dateShift * 86400_000).toISOString();
      if (s.format === 'uri' || s.format === 'url') return `https://${mark}.example.com/`;
      const fits = (v: string) =>
        (!s.pattern || new RegExp(s.pattern).test(v)) &&
        v.length >= (s.minLength ?? 0) &&
        v.length <= (s.maxLength ?? 1e9);
      const found = CANDIDATES(/key|name/i.test(key) ? mark.replace(/[^a-z]/g, '') : mark).find(fits);
      return found ?? `${mark}${++counter}`.slice(0, s.maxLength ?? 100);
    }
    case 'integer':
    case 'number':
      return Math.max(
        s.minimum ?? 1,
        s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -Infinity,
        1,
      );
    case 'boolean':
      return false;
    case 'array':
      return s.minItems ? [sample(s.items, mark, key)] : [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const r of s.required ?? []) out[r] = sample(s.properties?.[r], mark, r);
      return out;
    }
    default:
      return `${mark}${++counter}`;
  }
}

/** Bodies for collections whose rules a schema cannot tell (cross-field rules, array bodies). Tried first. */
const KNOWN_BODIES: Record<string, (mark: string) => unknown> = {
  '/api/v1/leads/{id}/follow-ups': (m) => ({
    scheduled_at: new Date(Date.now() + 86400_000).toISOString(),
    notes: `${m} call`,
  }),
  '/compat/capillary/v2/leads': (m) => ({
    leadFor: `${m} sku`,
    idType: 'EMAIL',
    identifier: `${m}.c@example.com`,
  }),
  '/compat/capillary/v2/leads/reasons': (m) => [{ reason: `${m} reason` }],
  // A role on A's lead for A's own user (the generic body has no user of A's organization).
  '/api/v1/leads/{id}/users': () => ({ user_id: a.userId, role: 'assignee' }),
  '/api/v1/leads/{id}/phones': () => ({ number: '+33 6 12 34 56 78', type: 'mobile' }),
  '/api/v1/leads/{id}/items': (m) => ({ type: 'competitor', name: `${m} rival` }),
};

/** Two tries: required fields only (plus a name-ish field), then every plain text field too. */
function bodies(schema: Schema, mark: string): Array<Record<string, unknown>> {
  const s = resolveRef(schema) ?? {};
  const base = (sample(s, mark) ?? {}) as Record<string, unknown>;
  const props = Object.entries<Schema>(s.properties ?? {});
  const withName = { ...base };
  for (const [k, p] of props) {
    if (
      withName[k] === undefined &&
      /^(name|first_name|last_name|title|body|subject|label|note|description)$/.test(k)
    )
      withName[k] = sample(p, mark, k);
  }
  const all = { ...withName };
  for (const [k, p] of props) {
    const r = resolveRef(p) ?? {};
    const ty = Array.isArray(r.type) ? r.type : [r.type];
    if (all[k] === undefined && ty.includes('string') && !r.format && !r.pattern && !r.enum)
      all[k] = sample(p, mark, k);
  }
  const every = { ...all };
  for (const [k, p] of props) if (every[k] === undefined) every[k] = sample(p, mark, k);
  return [withName, all, every, every];
}

function multipartBody(mark: string) {
  const boundary = `----iso${randomBytes(6).toString('hex')}`;
  const csv = `first_name,last_name,email\n${mark},Mark,${mark}@example.com\n`;
  const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${mark}.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The body without the path values B itself sent (a 404 may echo them: that is not A's data). */
function leaked(body: string, values: string[]): boolean {
  let text = body.toLowerCase();
  for (const v of values) text = text.split(v.toLowerCase()).join('');
  return text.includes(MARK);
}

/** Fills path params with what A created under the collection just before each param. */
function fill(op: Op): { url: string; proven: boolean; values: string[] } {
  let url = op.path;
  let proven = true;
  const values: string[] = [];
  for (const p of op.params) {
    const prefix = op.path.slice(0, op.path.indexOf(`{${p}}`) - 1);
    const made = created.get(prefix);
    let v: unknown;
    if (made)
      v =
        p === 'key'
          ? (made.key ?? made.name ?? made.id)
          : p === 'name'
            ? (made.name ?? made.id)
            : p === 'token'
              ? made.token
              : made.id;
    if (v === undefined || v === null) {
      proven = false;
      v = /lead/i.test(p) || prefix.endsWith('/leads') ? leadA.id : 1;
    }
    values.push(String(v));
    url = url.replace(`{${p}}`, encodeURIComponent(String(v)));
  }
  return { url, proven, values };
}

async function send(op: Op, url: string, s: Session | null, mark: string, bodyIndex = 0) {
  const headers: Record<string, string> = s ? { ...s.headers } : {};
  let payload: string | object | undefined;
  if (op.multipart) {
    const m = multipartBody(mark);
    payload = m.payload;
    Object.assign(headers, m.headers);
  } else if (bodyIndex < 0) {
    payload = KNOWN_BODIES[op.path](mark) as object;
  } else if (op.jsonBody) {
    payload = bodies(op.jsonBody, mark)[bodyIndex];
  }
  return t.app.inject({
    method: op.method as 'GET',
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  a = await signup(t.app, { organization_name: `${MARK} Org` });
  b = await signup(t.app);
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const [path, methods] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(methods)) {
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        isPublic: Array.isArray(op.security) && op.security.length === 0,
        jsonBody: content['application/json']?.schema,
        multipart:
          !!content['multipart/form-data'] ||
          (method === 'post' && !content['application/json'] && /import|attachment/.test(path)),
        hasList: !!methods.get,
      });
    }
  }
  ops = ops.filter((o) => o.path !== '/health' && o.path !== '/openapi.json');

  // A's data: a lead through the factory (its id is the fallback for lead params), then every collection.
  leadA = await createLead(t.app, a, { first_name: MARK, last_name: MARK, email: `${MARK}@example.com` });
  created.set('/api/v1/leads', leadA as unknown as Record<string, unknown>);
  const posts = ops
    .filter((o) => o.method === 'POST' && !o.isPublic && o.hasList && !o.path.startsWith('/api/v1/auth'))
    .sort((x, y) => x.params.length - y.params.length);
  for (const op of posts) {
    if (created.has(op.path)) continue;
    const { url } = fill(op);
    for (const i of [...(KNOWN_BODIES[op.path] ? [-1] : []), 0, 1, 2, 3]) {
      dateShift = i === 3 ? -1 : 1;
      const res = await send(op, url, a, `${MARK}x`, i);
      dateShift = 1;
      if (process.env.ISOLATION_DEBUG)
        console.info(op.method, url, i, res.statusCode, res.body.slice(0, 300));
      if (res.statusCode < 300) {
        const j = res.json();
        created.set(op.path, (j?.data && !Array.isArray(j.data) ? j.data : j) as Record<string, unknown>);
        break;
      }
    }
  }
}, 120_000);
afterAll(async () => t.close());

describe('tenant isolation over every route of /openapi.json', () => {
  it('the walk covers the API: A created data in most collections', () => {
    const collections = ops.filter(
      (o) => o.method === 'POST' && !o.isPublic && o.hasList && !o.path.startsWith('/api/v1/auth'),
    );
    expect(ops.length).toBeGreaterThan(20);
    for (const core of [
      '/api/v1/leads',
      '/api/v1/teams',
      '/api/v1/api-keys',
      '/api/v1/invitations',
      '/api/v1/web-to-lead-keys',
    ]) {
      expect(created.has(core), core).toBe(true);
    }
    const missing = collections.filter((o) => !created.has(o.path)).map((o) => o.path);
    // Collections the generic body could not fill: their routes are still walked, with fallback ids.
    if (missing.length) console.info(`isolation: no generic body for ${missing.join(', ')}`);
    expect(missing.length).toBeLessThanOrEqual(collections.length / 2);
  });

  it('without credentials every non-public route is 401 and shows no data', async () => {
    for (const op of ops.filter((o) => !o.isPublic)) {
      const { url, values } = fill(op);
      const res = await send(op, url, null, 'anon');
      expect(res.statusCode, `${op.method} ${url}`).toBe(401);
      expect(leaked(res.body, values), `${op.method} ${url}`).toBe(false);
    }
  });

  it("organization B gets 401/403/404 on A's ids, never A's data, and changes nothing of A's", async () => {
    const reads = ops.filter((o) => o.method === 'GET' && o.params.length > 0);
    const before = new Map<string, string>();
    const unproven: string[] = [];
    for (const op of reads) {
      const { url, proven } = fill(op);
      const res = await send(op, url, a, MARK);
      if (res.statusCode === 200) before.set(url, res.body);
      else if (proven)
        throw new Error(`A cannot read its own ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      else unproven.push(url);
    }
    if (unproven.length) console.info(`isolation: A has nothing at ${unproven.join(', ')} (walked anyway)`);

    const failures: string[] = [];
    for (const op of ops) {
      if (op.isPublic || op.path === '/api/v1/auth/logout') continue;
      const { url, values } = fill(op);
      const res = await send(op, url, b, 'bbbother');
      const where = `${op.method} ${url} -> ${res.statusCode}`;
      if (leaked(res.body, values)) failures.push(`${where}: body holds A's data`);
      if (res.statusCode >= 500) failures.push(`${where}: server error`);
      if (op.params.length > 0 && res.statusCode < 300)
        failures.push(`${where}: succeeded on another organization's id`);
      if (
        op.params.length > 0 &&
        res.statusCode >= 300 &&
        ![400, 401, 403, 404, 405, 415, 422].includes(res.statusCode)
      )
        failures.push(`${where}: unexpected status`);
    }
    expect(failures).toEqual([]);

    for (const [url, body] of before) {
      const res = await t.app.inject({ method: 'GET', url, headers: a.headers });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(body);
    }
    expect(before.size).toBeGreaterThan(5);
  }, 120_000);

  it("B's lists and searches never include A's rows", async () => {
    for (const op of ops.filter((o) => o.method === 'GET' && o.params.length === 0 && !o.isPublic)) {
      const res = await t.app.inject({ method: 'GET', url: op.path, headers: b.headers });
      expect(res.body.toLowerCase(), op.path).not.toContain(MARK);
    }
    const search = await t.app.inject({ method: 'GET', url: `/api/v1/leads?q=${MARK}`, headers: b.headers });
    expect(search.statusCode, search.body.slice(0, 200)).toBe(200);
    expect(search.json().data).toEqual([]);
  });
});
