/**
 * Walks /openapi.json the way test/isolation.test.ts does: lists every operation, makes bodies from each
 * route's own schema, creates one of everything through the collections' POSTs and fills path params with
 * what was created. Used by the watchdog and the fuzz tests, so a route added later is covered too.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Session } from './helpers.js';

export type Schema = Record<string, any>;
export interface Op {
  method: string;
  path: string;
  params: string[];
  isPublic: boolean;
  jsonBody?: Schema;
  jsonRequired: boolean;
  multipart: boolean;
  hasList: boolean;
  spec: Schema;
}

export class Walker {
  doc: Schema = {};
  ops: Op[] = [];
  /** Collection path template -> what was created there ({ id, key, name, token }). */
  created = new Map<string, Record<string, unknown>>();
  leadId = 1;
  private counter = 0;

  constructor(private app: FastifyInstance) {}

  async load(): Promise<this> {
    this.doc = (await this.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, methods] of Object.entries<Schema>(this.doc.paths)) {
      for (const [method, op] of Object.entries<Schema>(methods)) {
        const content = op.requestBody?.content ?? {};
        this.ops.push({
          method: method.toUpperCase(),
          path,
          params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
          isPublic: Array.isArray(op.security) && op.security.length === 0,
          jsonBody: content['application/json']?.schema,
          jsonRequired: !!op.requestBody?.required,
          multipart:
            !!content['multipart/form-data'] ||
            (method === 'post' && !content['application/json'] && /import|attachment/.test(path)),
          hasList: !!methods.get,
          spec: op,
        });
      }
    }
    this.ops = this.ops.filter((o) => o.path !== '/health' && o.path !== '/openapi.json');
    return this;
  }

  resolve(s: Schema | undefined): Schema | undefined {
    if (!s) return s;
    if (typeof s.$ref === 'string') {
      const name = s.$ref.split('/').pop()!;
      return this.resolve(this.doc.components?.schemas?.[name]);
    }
    return s;
  }

  /** A value valid for `schema` as far as a generic generator can tell, with `mark` in free text. */
  sample(schema: Schema | undefined, mark: string, key = '', shiftDays = 1): unknown {
    const s = this.resolve(schema) ?? {};
    if (s.const !== undefined) return s.const;
    if (Array.isArray(s.enum)) return s.enum.find((v: unknown) => v !== null);
    const alts = s.anyOf ?? s.oneOf;
    if (Array.isArray(alts))
      return this.sample(
        alts.find((x: Schema) => this.resolve(x)?.type !== 'null') ?? alts[0],
        mark,
        key,
        shiftDays,
      );
    const type = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
    switch (type) {
      case 'string': {
        if (s.format === 'email') return `${mark}${++this.counter}@example.com`;
        if (s.format === 'date') return '2026-01-15';
        if (s.format === 'date-time') return new Date(Date.now() + shiftDays * 86400_000).toISOString();
        if (s.format === 'uri' || s.format === 'url') return `https://${mark}.example.com/`;
        const fits = (v: string) =>
          (!s.pattern || new RegExp(s.pattern).test(v)) &&
          v.length >= (s.minLength ?? 0) &&
          v.length <= (s.maxLength ?? 1e9);
        const m = /key|name/i.test(key) ? mark.replace(/[^a-z]/g, '') : mark;
        const candidates = [`${m}${++this.counter}`, 'EUR', 'US', 'fr', '2026-01-15', '+33612345678'];
        return candidates.find(fits) ?? `${mark}${++this.counter}`.slice(0, s.maxLength ?? 100);
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
        return s.minItems ? [this.sample(s.items, mark, key, shiftDays)] : [];
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const r of s.required ?? []) out[r] = this.sample(s.properties?.[r], mark, r, shiftDays);
        return out;
      }
      default:
        return `${mark}${++this.counter}`;
    }
  }

  /** Bodies from few fields to every field (the last one with past dates). */
  bodies(schema: Schema, mark: string): Array<Record<string, unknown>> {
    const s = this.resolve(schema) ?? {};
    const base = (this.sample(s, mark) ?? {}) as Record<string, unknown>;
    if (typeof base !== 'object' || Array.isArray(base)) return [base, base, base, base];
    const props = Object.entries<Schema>(s.properties ?? {});
    const withName = { ...base };
    for (const [k, p] of props)
      if (
        withName[k] === undefined &&
        /^(name|first_name|last_name|title|body|subject|label|note|description)$/.test(k)
      )
        withName[k] = this.sample(p, mark, k);
    const all = { ...withName };
    for (const [k, p] of props) {
      const r = this.resolve(p) ?? {};
      const ty = Array.isArray(r.type) ? r.type : [r.type];
      if (all[k] === undefined && ty.includes('string') && !r.format && !r.pattern && !r.enum)
        all[k] = this.sample(p, mark, k);
    }
    const every = { ...all };
    for (const [k, p] of props) if (every[k] === undefined) every[k] = this.sample(p, mark, k);
    const past = { ...every };
    for (const [k, p] of props)
      if (this.resolve(p)?.format === 'date-time') past[k] = this.sample(p, mark, k, -1);
    return [withName, all, every, past];
  }

  multipart(mark: string) {
    const boundary = `----walk${randomBytes(6).toString('hex')}`;
    const csv = `first_name,last_name,email\n${mark},Mark,${mark}@example.com\n`;
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${mark}.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  }

  /** Fills path params with what was created under the collection just before each param. */
  fill(op: Op): string {
    let url = op.path;
    for (const p of op.params) {
      const prefix = op.path.slice(0, op.path.indexOf(`{${p}}`) - 1);
      const made = this.created.get(prefix);
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
      if (v === undefined || v === null) v = /lead/i.test(p) || prefix.endsWith('/leads') ? this.leadId : 1;
      url = url.replace(`{${p}}`, encodeURIComponent(String(v)));
    }
    return url;
  }

  send(op: Op, url: string, s: Session | null, payload?: unknown, extraHeaders: Record<string, string> = {}) {
    const headers: Record<string, string> = { ...(s ? s.headers : {}), ...extraHeaders };
    let body: string | object | undefined = payload as object | undefined;
    if (payload === undefined && op.multipart) {
      const m = this.multipart('walk');
      body = m.payload;
      Object.assign(headers, m.headers);
    }
    return this.app.inject({
      method: op.method as 'GET',
      url,
      headers,
      ...(body !== undefined ? { payload: body } : {}),
    });
  }

  /** Creates one of everything the collections accept (fewer params first), as `s`. */
  async createEverything(s: Session, mark: string, known: Record<string, (m: string) => unknown> = {}) {
    const posts = this.ops
      .filter((o) => o.method === 'POST' && !o.isPublic && o.hasList && !o.path.startsWith('/api/v1/auth'))
      .sort((x, y) => x.params.length - y.params.length);
    for (const op of posts) {
      if (this.created.has(op.path)) continue;
      const url = this.fill(op);
      const tries: unknown[] = op.multipart ? [undefined] : [];
      if (known[op.path]) tries.push(known[op.path](mark));
      if (op.jsonBody) tries.push(...this.bodies(op.jsonBody, mark));
      for (const body of tries) {
        const res = await this.send(op, url, s, body);
        if (res.statusCode < 300) {
          const j = res.json();
          const row = (j?.data && !Array.isArray(j.data) ? j.data : j) as Record<string, unknown>;
          this.created.set(op.path, row);
          if (op.path === '/api/v1/leads') this.leadId = row.id as number;
          break;
        }
      }
    }
  }
}

/** Bodies for collections whose rules a schema cannot tell (cross-field rules, array bodies). */
export const KNOWN_BODIES: Record<string, (mark: string) => unknown> = {
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
  '/compat/activix/v2/leads': (m) => ({
    type: 'email',
    first_name: m,
    emails: [{ address: `${m}.ax@example.com` }],
    phones: [{ number: '+15145550142', type: 'mobile' }],
    vehicles: [{ type: 'wanted', make: 'Ford', model: `${m}` }],
  }),
};
