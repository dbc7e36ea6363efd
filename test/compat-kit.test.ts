import { describe, expect, it } from 'vitest';
import { parseClientTime, renderClientTime } from '../src/compat/shared/time.js';
import { FieldFaults } from '../src/compat/shared/fields.js';
import { readOffset } from '../src/compat/shared/paging.js';
import { redactUrl } from '../src/http/log-redaction.js';
import { declareOwnedFields, isOwnedKey, withoutOwned } from '../src/compat/shared/owned-fields.js';

describe('client times (src/compat/shared/time.ts)', () => {
  it('keeps the offset the client wrote with', () => {
    const t = parseClientTime('2018-10-05T08:00:00+05:30', null);
    expect(t).toEqual({ instant: '2018-10-05T02:30:00.000Z', offset: '+05:30' });
    if ('error' in t) throw new Error(t.error);
    expect(renderClientTime(t.instant, t.offset)).toBe('2018-10-05T08:00:00+05:30');
    expect(renderClientTime('2019-04-16T05:19:06.000Z', 'Z')).toBe('2019-04-16T05:19:06Z');
    expect(parseClientTime('2018-10-05T08:00:00-0330', null)).toEqual({
      instant: '2018-10-05T11:30:00.000Z',
      offset: '-03:30',
    });
  });
  it("takes a time without a zone in the organization's time zone (DST included), UTC when none", () => {
    expect(parseClientTime('2018-10-05T08:00:00', 'Asia/Kolkata')).toEqual({
      instant: '2018-10-05T02:30:00.000Z',
      offset: '+05:30',
    });
    expect(parseClientTime('2018-07-01T12:00:00', 'Europe/Paris')).toEqual({
      instant: '2018-07-01T10:00:00.000Z',
      offset: '+02:00',
    });
    expect(parseClientTime('2018-01-01T12:00:00', 'Europe/Paris')).toEqual({
      instant: '2018-01-01T11:00:00.000Z',
      offset: '+01:00',
    });
    expect(parseClientTime('2018-10-05', null)).toEqual({ instant: '2018-10-05T00:00:00.000Z', offset: 'Z' });
  });
  it('refuses what is not a time', () => {
    for (const v of ['tomorrow', '2018-02-31T10:00:00Z', '2018-10-05T25:00:00', '0999-01-01T00:00:00Z'])
      expect(parseClientTime(v, null)).toHaveProperty('error');
  });
});

describe('field faults keep the caller path', () => {
  it('names statusLogDetails.1.reasonId and lists every fault', () => {
    const f = new FieldFaults();
    f.at('statusLogDetails', 1).add('reasonId', 'is not a reason');
    f.at('followUpDetails', 0).time('followedUpOn', 'soon');
    expect(f.list.map((e) => e.field)).toEqual([
      'statusLogDetails.1.reasonId',
      'followUpDetails.0.followedUpOn',
    ]);
    expect(() => f.throwIfAny()).toThrow(/statusLogDetails\.1\.reasonId/);
  });
});

describe('offset over keyset pages', () => {
  const rows = Array.from({ length: 25 }, (_, i) => i + 1);
  const fetch = async (cursor: string | undefined, size: number) => {
    const start = cursor ? Number(cursor) : 0;
    const data = rows.slice(start, start + size);
    return { data, next_cursor: start + size < rows.length ? String(start + size) : null };
  };
  it('skips offset rows and says whether more follow', async () => {
    expect(await readOffset(fetch, { offset: 10, limit: 5 })).toEqual({
      items: [11, 12, 13, 14, 15],
      more: true,
    });
    expect(await readOffset(fetch, { offset: 20, limit: 10 })).toEqual({
      items: [21, 22, 23, 24, 25],
      more: false,
    });
    expect(await readOffset(fetch, { offset: 2, limit: 3, keep: (r) => r % 2 === 0, maxPage: 4 })).toEqual({
      items: [6, 8, 10],
      more: true,
    });
  });
});

describe('owned fields are namespaced per surface', () => {
  it("two surfaces' lead_type do not collide, and both are hidden from client fields", () => {
    const a = declareOwnedFields('kittesta', [{ key: 'lead_type', type: 'string' }]);
    const b = declareOwnedFields('kittestb', [{ key: 'lead_type', type: 'string' }]);
    expect(a.stored('lead_type')).not.toBe(b.stored('lead_type'));
    const cf = { [a.stored('lead_type')]: 'SKU', [b.stored('lead_type')]: 'Retail', trial_status: 'x' };
    expect(a.read(cf, 'lead_type')).toBe('SKU');
    expect(b.read(cf, 'lead_type')).toBe('Retail');
    expect(isOwnedKey('kittesta__lead_type')).toBe(true);
    expect(withoutOwned(cf)).toEqual({ trial_status: 'x' });
  });
});

describe('tokens in the query stay out of the logs', () => {
  it('redacts the value, keeps the rest', () => {
    expect(redactUrl('/compat/x/leads?apikey=lfk_secret&page=2')).toBe(
      '/compat/x/leads?apikey=[redacted]&page=2',
    );
    expect(redactUrl('/api/v1/leads?limit=5')).toBe('/api/v1/leads?limit=5');
  });
});

describe('a surface declared with the kit (token in query or body, org from a header)', () => {
  it('authenticates each form, strips the token before the schema, and renders its own envelope', async () => {
    const { default: Fastify } = await import('fastify');
    const { defineSurface } = await import('../src/compat/shared/surface.js');
    const { AppError } = await import('../src/http/errors.js');
    const seen: Array<{ token: string; org?: string }> = [];
    const surface = defineSurface<null>({
      name: 'kitdemo',
      prefix: '/compat/kitdemo',
      auth: {
        forms: [
          { kind: 'query-token', param: 'apikey' },
          { kind: 'body-token', field: 'token' },
        ],
        org: { headers: ['organization-id'] },
      },
      errors: { render: (f) => ({ status: 'error', data: f.faults.map((x) => x.message) }) },
      ownedFields: [{ key: 'lead_type', type: 'string' }],
      routes(app, kit) {
        app.get(
          '/leads',
          { schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } } },
          async (req) => ({
            status: 'ok',
            data: { org: kit.auth(req).orgId, query: req.query },
          }),
        );
        app.post(
          '/leads/create',
          {
            schema: {
              body: {
                type: 'object',
                additionalProperties: false,
                required: ['name'],
                properties: { name: { type: 'string' } },
              },
            },
          },
          async (req) => ({ status: 'ok', data: { org: kit.auth(req).orgId, body: req.body } }),
        );
      },
    });
    const app = Fastify({ ajv: { customOptions: { removeAdditional: false } } });
    await surface.register(
      app,
      {
        authenticators: {
          async token(token, org) {
            seen.push({ token, org });
            if (token !== 'good') throw new AppError('unauthorized', 'bad token');
            return { kind: 'api_key', orgId: org ? Number(org) : 1, userId: null, role: 'admin' };
          },
          password: () => Promise.reject(new AppError('unauthorized', 'no')),
        },
        orgTimeZone: async () => null,
      },
      null,
    );
    await app.ready();
    const q = await app.inject({
      method: 'GET',
      url: '/compat/kitdemo/leads?apikey=good',
      headers: { 'organization-id': '7' },
    });
    expect(q.statusCode, q.body).toBe(200);
    expect(q.json()).toEqual({ status: 'ok', data: { org: 7, query: {} } });
    const b = await app.inject({
      method: 'POST',
      url: '/compat/kitdemo/leads/create',
      payload: { token: 'good', name: 'Ada' },
    });
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json().data.body).toEqual({ name: 'Ada' });
    const none = await app.inject({
      method: 'POST',
      url: '/compat/kitdemo/leads/create',
      payload: { name: 'Ada' },
    });
    expect(none.statusCode).toBe(401);
    expect(none.json().status).toBe('error');
    const bad = await app.inject({ method: 'GET', url: '/compat/kitdemo/leads?apikey=nope' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ status: 'error', data: ['bad token'] });
    expect(redactUrl('/compat/kitdemo/leads?apikey=good')).toBe('/compat/kitdemo/leads?apikey=[redacted]');
    expect(seen.map((s) => s.token)).toEqual(['good', 'good', 'nope']);
    await app.close();
  });
});
