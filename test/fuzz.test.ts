/**
 * Fuzz run from /openapi.json (docs/security.md, "Fuzzing"): for every operation, valid requests and invalid ones
 * (wrong types, missing fields, bad ids, bad query values, junk bodies). Every answer must be: not a 5xx, a status
 * the document declares, a body valid against the documented schema, problem+json for /api/v1 errors; and a
 * refused write changes no row.
 */
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLead, createTestApp, signup, type Session, type TestApp } from './helpers.js';
import { KNOWN_BODIES, Walker, type Op, type Schema } from './openapi-walk.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const SKIP_TABLES = new Set([
  'audit_log',
  'idempotency_keys',
  'jobs',
  'kysely_migration',
  'kysely_migration_lock',
  // Rate-limit and sign-in counters (PostgreSQL): every request counts, refused or not; state, not data.
  'rate_counters',
]);

// Operations allowed to answer 5xx: none. (The task and follow-up routes did until their membership checks joined
// the request's transaction.)
const KNOWN_5XX = new Set<string>([]);

let t: TestApp;
let s: Session;
let w: Walker;
let tables: string[] = [];
const ajv = addFormats(new Ajv({ strict: false, allErrors: false, validateFormats: true }));
const compiled = new Map<string, ReturnType<Ajv['compile']>>();

/** The documented schema with $refs inlined and OpenAPI 3.0 `nullable` turned back into JSON Schema. */
function deref(node: unknown, depth = 0): unknown {
  if (Array.isArray(node)) return node.map((n) => deref(n, depth));
  if (!node || typeof node !== 'object') return node;
  if (depth > 12) return {};
  let o = node as Schema;
  if (typeof o.$ref === 'string') o = w.resolve(o) ?? {};
  const out: Schema = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === '$ref' || k === '$id' || k === 'example') continue;
    out[k] = deref(v, depth + 1);
  }
  if (out.nullable) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/** Background jobs (an import started by a valid request) must be done, or their rows would look like ours. */
async function settleJobs(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM jobs WHERE status IN ('queued', 'running')`.execute(t.db.kysely);
    if (Number(r.rows[0].n) === 0) return;
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Row counts of every table and the sum of lead versions, in one round trip. */
async function fingerprint(): Promise<string> {
  const counts = tables.map((name) => sql`(SELECT count(*) FROM ${sql.table(name)})`);
  const r = await sql<{ f: string }>`SELECT ${sql.join(
    [...counts, sql`(SELECT coalesce(sum(version), 0) FROM leads)`],
    sql` || ',' || `,
  )} AS f`.execute(t.db.kysely);
  return String(r.rows[0].f);
}

/** Invalid variants of a body: wrong type per property, missing required, unknown field, junk. */
function invalidBodies(op: Op): unknown[] {
  const out: unknown[] = ['not an object', [], 12, { zz_unknown_field: 1 }, null];
  const schema = w.resolve(op.jsonBody);
  if (!schema || schema.type !== 'object') return out;
  const valid = w.bodies(schema, 'fz')[0] as Record<string, unknown>;
  const props = Object.entries<Schema>(schema.properties ?? {}).slice(0, 12);
  for (const [k, p] of props) {
    const r = w.resolve(p) ?? {};
    const wrong =
      r.type === 'string' ? 12345 : r.type === 'array' ? 'nope' : r.type === 'object' ? 'nope' : 'nope';
    out.push({ ...valid, [k]: wrong });
    if (r.type === 'string') out.push({ ...valid, [k]: 'x'.repeat((r.maxLength ?? 5000) + 1) });
    if (r.type === 'integer' || r.type === 'number') out.push({ ...valid, [k]: -999999999999 });
  }
  for (const k of schema.required ?? []) {
    const copy = { ...valid };
    delete copy[k];
    out.push(copy);
  }
  return out;
}

function badUrls(op: Op): string[] {
  const good = w.fill(op);
  const out: string[] = [];
  for (const p of op.params) {
    for (const bad of ['0', '-1', 'abc', '99999999', '2147483648', '%00', 'Infinity']) {
      let url = op.path;
      for (const q of op.params) url = url.replace(`{${q}}`, q === p ? bad : w.fill(op).split('/')[0] || '1');
      // Keep the other params real: rebuild from the filled URL.
      const parts = good.split('/');
      const tmpl = op.path.split('/');
      const i = tmpl.indexOf(`{${p}}`);
      parts[i] = bad;
      out.push(parts.join('/'));
    }
  }
  for (const q of (op.spec.parameters ?? []).filter((x: Schema) => x.in === 'query').slice(0, 8)) {
    for (const bad of ['', 'Infinity', '0x1', '-5', 'x'.repeat(300), '%FF'])
      out.push(`${good}?${q.name}=${bad}`);
    const valid = w.sample(q.schema, 'fz', q.name);
    out.push(`${good}?${q.name}=${encodeURIComponent(String(valid))}`);
  }
  return out;
}

beforeAll(async () => {
  // The daily digest runs on its own clock and writes digest_runs between requests: off here, so a row count
  // change can only come from the request under test.
  t = await createTestApp({}, { email: { digest: false } });
  s = await signup(t.app);
  w = await new Walker(t.app).load();
  await createLead(t.app, s);
  await w.createEverything(s, 'fz', KNOWN_BODIES);
  const names =
    t.db.dialect === 'sqlite'
      ? await sql<{
          name: string;
        }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(
          t.db.kysely,
        )
      : await sql<{
          name: string;
        }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(
          t.db.kysely,
        );
  tables = names.rows.map((r) => r.name).filter((n) => !SKIP_TABLES.has(n) && !n.startsWith('leads_fts'));
}, 120_000);
afterAll(async () => t.close());

describe('fuzz from /openapi.json', () => {
  it('2,000+ valid and invalid requests: no 5xx, declared statuses, documented bodies, refused writes change nothing', async () => {
    const failures: string[] = [];
    const known: string[] = [];
    let sent = 0;
    const perOp = new Map<string, number>();
    const last = (o: Op) =>
      o.path === '/api/v1/auth/logout' || o.path.endsWith('/authentication/token/release')
        ? 2
        : o.method === 'DELETE'
          ? 1
          : 0;
    const ops = [...w.ops].sort((x, y) => last(x) - last(y));

    const check = async (
      op: Op,
      url: string,
      payload: unknown,
      headers: Record<string, string> = {},
      who: Session | null = s,
    ) => {
      const isWrite = op.method !== 'GET';
      if (isWrite) await settleJobs();
      const before = isWrite ? await fingerprint() : '';
      const res = await w.send(op, url, who, payload, headers);
      sent++;
      perOp.set(`${op.method} ${op.path}`, (perOp.get(`${op.method} ${op.path}`) ?? 0) + 1);
      const where = `${op.method} ${url.slice(0, 120)} ${JSON.stringify(payload ?? '').slice(0, 60)} -> ${res.statusCode}`;
      if (res.statusCode >= 500) {
        // Issue 12's membership checks outside the request's transaction (OutsideTransactionError): fixed on
        // branch uow-core. Remove this entry once it is merged.
        if (KNOWN_5XX.has(`${op.method} ${op.path}`)) known.push(where);
        else failures.push(`${where}: server error ${res.body.slice(0, 200)}`);
      }
      const declared = op.spec.responses?.[String(res.statusCode)] ?? op.spec.responses?.default;
      if (!declared) failures.push(`${where}: status not declared`);
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode >= 400 && op.path.startsWith('/api/v1')) {
        if (!type.startsWith('application/problem+json')) failures.push(`${where}: error is ${type}`);
        else {
          const p = res.json();
          if (p.status !== res.statusCode || !p.code || !p.title)
            failures.push(`${where}: malformed problem`);
        }
      }
      const media = declared?.content?.[type.split(';')[0]] ?? null;
      if (declared && media?.schema && res.body && /json/.test(type)) {
        const key = `${op.method} ${op.path} ${res.statusCode} ${type.split(';')[0]}`;
        let validate = compiled.get(key);
        if (!validate) {
          validate = ajv.compile(deref(media.schema) as object);
          compiled.set(key, validate);
        }
        if (!validate(res.json()))
          failures.push(
            `${where}: body does not match the schema: ${ajv.errorsText(validate.errors).slice(0, 200)}`,
          );
      }
      if (isWrite && res.statusCode >= 400 && (await settleJobs(), await fingerprint()) !== before)
        failures.push(`${where}: a refused request changed rows`);
    };

    for (const op of ops) {
      const url = w.fill(op);
      // Valid: the bodies made from the schema (these may succeed).
      if (op.jsonBody) for (const b of w.bodies(op.jsonBody, 'fz')) await check(op, url, b);
      else await check(op, url, undefined);
      // Invalid: bodies, ids, query values, a wrong content type, no credentials.
      if (op.jsonBody || op.method !== 'GET') for (const b of invalidBodies(op)) await check(op, url, b);
      for (const bad of badUrls(op))
        await check(op, bad, op.jsonBody ? w.bodies(op.jsonBody, 'fz')[0] : undefined);
      if (op.method !== 'GET') await check(op, url, 'a=1', { 'content-type': 'text/plain' });
      const body = op.jsonBody ? w.bodies(op.jsonBody, 'fz')[0] : undefined;
      if (op.path !== '/api/v1/auth/logout') {
        await check(op, url, body, {}, null);
        await check(op, url, body, { authorization: 'Bearer lf_not_a_real_token' }, null);
      }
    }
    expect(failures.slice(0, 40)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(2000);
    // The bodies were really checked against many documented schemas.
    expect(compiled.size).toBeGreaterThan(100);
    for (const op of w.ops)
      expect(perOp.get(`${op.method} ${op.path}`), `${op.method} ${op.path}`).toBeGreaterThan(2);
    console.info(`fuzz: ${sent} requests over ${w.ops.length} operations; known 5xx: ${known.length}`);
    if (known.length) console.info(known.join('\n'));
  }, 900_000);
});
