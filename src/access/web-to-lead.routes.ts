import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses } from '../http/schemas.js';
import { AppError, fieldError } from '../http/errors.js';
import { RateLimiter, rateHeaders, tooMany } from '../http/rate-limit.js';
import type { CounterStore } from '../http/counter-store.js';
import { HONEYPOT_FIELD, type WebToLeadService } from './web-to-lead.service.js';
import type { WebKeyRow } from './key.repository.js';

const KeyQuery = Type.Object({ key: Type.Optional(Type.String({ maxLength: 100 })) });
const Field = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const FormBody = Type.Object(
  {
    first_name: Field(200),
    last_name: Field(200),
    email: Field(254),
    phone: Field(50),
    mobile: Field(50),
    company_name: Field(300),
    job_title: Field(200),
    title: Field(500),
    website: Field(500),
    civility: Field(20),
    city: Field(200),
    state: Field(100),
    postal_code: Field(40),
    country: Field(60),
    description: Field(20000),
    message: Field(20000),
    [HONEYPOT_FIELD]: Field(2000),
  },
  {
    additionalProperties: Type.String({ maxLength: 2000 }),
    description: 'Form fields; unknown ones are kept as custom fields',
  },
);
const Received = Type.Object({ status: Type.Literal('received') });
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function keyOf(req: FastifyRequest<{ Querystring: { key?: string } }>): string | undefined {
  const h = req.headers['x-web-to-lead-key'];
  return req.query.key ?? (Array.isArray(h) ? h[0] : h);
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Public web-to-lead endpoints: a form posts here with its key; CORS is answered per key. */
export function webToLeadRoutes(w2l: WebToLeadService, counters?: CounterStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Per form key, shared by every worker and node when the store is (src/http/counter-store.ts).
    const perKey = new RateLimiter(60_000, counters, 'w2l:');
    // Plain HTML forms post application/x-www-form-urlencoded.
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );

    function cors(reply: FastifyReply, row: WebKeyRow, origin: string | undefined) {
      if (origin === undefined) return;
      reply.header('vary', 'Origin');
      if (w2l.originAllowed(row, origin)) reply.header('access-control-allow-origin', origin);
    }

    app.options(
      '/web-to-lead',
      { config: { public: true }, schema: { hide: true, querystring: KeyQuery } },
      async (req, reply) => {
        const row = await w2l.resolveKey(keyOf(req));
        const origin = req.headers.origin;
        if (!w2l.originAllowed(row, origin))
          throw new AppError('forbidden', `Origin ${origin} is not allowed to post with this key.`);
        cors(reply, row, origin);
        return reply
          .code(204)
          .header('access-control-allow-methods', 'POST, OPTIONS')
          .header('access-control-allow-headers', 'content-type, x-web-to-lead-key')
          .header('access-control-max-age', '600')
          .send();
      },
    );

    app.post(
      '/web-to-lead',
      {
        config: { public: true },
        schema: {
          tags: ['web-to-lead'],
          summary: 'Create a lead from a web form (public; key in ?key= or X-Web-To-Lead-Key)',
          security: [],
          querystring: KeyQuery,
          body: FormBody,
          response: { 201: Received, 303: Type.Null(), ...errorResponses(400, 401, 403, 422, 429) },
        },
      },
      async (req, reply) => {
        const row = await w2l.resolveKey(keyOf(req));
        const limit = await perKey.hit(`k:${row.id}`, row.rate_limit_per_minute);
        if (!limit.allowed) throw tooMany(limit, 'submissions for this form');
        reply.headers(rateHeaders(limit));
        const origin = req.headers.origin;
        cors(reply, row, origin);
        const form = req.body as Record<string, unknown>;
        if (typeof form.email === 'string' && form.email.trim() !== '' && !EMAIL.test(form.email.trim())) {
          throw fieldError('email', 'must be a valid email address');
        }
        const result = await w2l.submit(row, form, { origin, ip: req.ip });
        const isHtmlForm = (req.headers['content-type'] ?? '').startsWith(
          'application/x-www-form-urlencoded',
        );
        // A browser's form post lands on a page a visitor reads: the key's success URL, or the hosted thank-you
        // page (POST-redirect-GET, so a reload does not post again). fetch/API callers keep the JSON answer.
        if (isHtmlForm)
          return reply
            .code(303)
            .header(
              'location',
              result.successUrl ?? `/api/v1/web-to-lead/thanks?key=${encodeURIComponent(row.key)}`,
            )
            .send(null);
        return reply.code(201).send({ status: 'received' as const });
      },
    );

    app.get(
      '/web-to-lead/thanks',
      {
        config: { public: true },
        schema: {
          tags: ['web-to-lead'],
          summary: 'The hosted thank-you page a web form lands on when its key has no success URL',
          security: [],
          querystring: KeyQuery,
        },
      },
      async (req, reply) => {
        const row = await w2l.resolveKey(keyOf(req));
        const back = req.headers.referer;
        const safeBack = back && /^https?:\/\//i.test(back) ? back : null;
        const html =
          `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
          `<meta name="viewport" content="width=device-width, initial-scale=1">` +
          `<title>Thank you</title></head>\n<body>\n<main>\n` +
          `<h1>Thank you</h1>\n` +
          `<p>We received your message${row.name ? ` (${escapeHtml(row.name)})` : ''} and will get back to you soon.</p>\n` +
          (safeBack ? `<p><a href="${escapeHtml(safeBack)}">Back to the previous page</a></p>\n` : '') +
          `</main>\n</body></html>\n`;
        return reply.type('text/html; charset=utf-8').send(html);
      },
    );
    app.get(
      '/web-to-lead/form.html',
      {
        config: { public: true, embeddable: true },
        schema: {
          tags: ['web-to-lead'],
          summary: 'An HTML form snippet for a web-to-lead key, ready to paste into a page',
          security: [],
          querystring: KeyQuery,
        },
      },
      async (req, reply) => {
        const row = await w2l.resolveKey(keyOf(req));
        const action = `${req.protocol}://${req.host}/api/v1/web-to-lead?key=${encodeURIComponent(row.key)}`;
        const input = (name: string, label: string, type = 'text', required = false) =>
          `  <label>${label}<br><input type="${type}" name="${name}"${required ? ' required' : ''}></label><br>\n`;
        const html =
          `<!-- Leadflow web-to-lead form "${escapeHtml(row.name)}". Paste it into your page. -->\n` +
          `<form action="${escapeHtml(action)}" method="post" accept-charset="utf-8">\n` +
          input('first_name', 'First name') +
          input('last_name', 'Last name', 'text', true) +
          input('email', 'Email', 'email', true) +
          input('phone', 'Phone', 'tel') +
          input('company_name', 'Company') +
          `  <label>Message<br><textarea name="message" rows="4"></textarea></label><br>\n` +
          `  <!-- Leave this hidden field empty: bots fill it and are ignored. -->\n` +
          `  <div style="position:absolute;left:-10000px" aria-hidden="true"><input type="text" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></div>\n` +
          `  <button type="submit">Send</button>\n` +
          `</form>\n`;
        return reply.type('text/html; charset=utf-8').send(html);
      },
    );
  };
}
