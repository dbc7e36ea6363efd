import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import type { AuthContext } from '../../access/roles.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import { AppError } from '../../http/errors.js';
import { addSecretParams } from '../../http/log-redaction.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { DjangoDeps } from './django.deps.js';
import { idOf, uuidOf, type IdKind } from './django.ids.js';
import {
  DJANGO_SOURCES,
  DJANGO_STATUSES,
  countryWrite,
  sourceWrite,
  statusKeysReading,
  type DjangoStatus,
} from './django.mapping.js';
import {
  CommentBody,
  CompanyBody,
  IdParam,
  LeadBody,
  ListQuery,
  SiteBody,
  SiteQuery,
  type CompanyBodyT,
  type LeadBodyT,
  type ListQueryT,
  type SiteBodyT,
} from './django.schema.js';
import { translateLead, type WriteMode } from './django.write.js';
import {
  addressOf,
  toDjangoAttachment,
  toDjangoComment,
  toDjangoCompany,
  toDjangoLead,
  toDjangoUser,
} from './django.view.js';
import { registerUpload } from './django.upload.js';

export interface UploadedPart {
  field: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}
/** Files of a multipart request, buffered by `onFile` (bounded by the multipart limits). */
export const filesOf = new WeakMap<FastifyRequest, UploadedPart[]>();
const ATTACHMENT_FIELDS = new Set(['attachment', 'lead_attachment', 'file', 'attachments']);

/** Documented answers besides 200 (the body shapes are in docs/compat/django-crm.md). */
const AnyBody = Type.Object({}, { additionalProperties: true });
const Created = { 201: AnyBody };
const NoContent = { 204: Type.Null() };

const STATUS_CHOICES = DJANGO_STATUSES.map((s) => [s, s.replace(/\b\w/g, (c) => c.toUpperCase())]);

type Handler = (req: FastifyRequest, reply: import('fastify').FastifyReply) => Promise<unknown>;

/** Every path with and without its trailing slash (Django clients send the slash, others may not). */
function both(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  opts: RouteShorthandOptions,
  handler: Handler,
) {
  app.route({ method, url, ...opts, handler });
  // The slashless twin is the same operation: kept out of the OpenAPI document.
  app.route({
    method,
    url: url.replace(/\/$/, ''),
    ...opts,
    schema: { ...opts.schema, hide: true },
    handler,
  });
}

export function pathId(kind: IdKind, value: string, what: string): number {
  const id = idOf(kind, value);
  if (id === undefined) throw new AppError('not_found', `No ${what} matches the given query.`);
  return id;
}

export async function djangoRoutes(app: FastifyInstance, kit: SurfaceKit, deps: DjangoDeps): Promise<void> {
  addSecretParams(['apikey']);
  // The upload streams its file to the core import (its own multipart scope); the other forms are buffered.
  await app.register(async (up) => registerUpload(up, kit, deps));
  await app.register(async (forms) => formRoutes(forms, kit, deps));
}

async function formRoutes(app: FastifyInstance, kit: SurfaceKit, deps: DjangoDeps): Promise<void> {
  const maxFile = deps.attachments.maxBytes;
  await app.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: maxFile, files: 10, fields: 60 },
    async onFile(part) {
      const data = await part.toBuffer();
      const list = filesOf.get(this) ?? [];
      list.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, data });
      filesOf.set(this, list);
    },
  });
  // A multipart body as plain values (repeated fields as a list), so the route's schema checks it.
  app.addHook('preValidation', async (req) => {
    if (!req.isMultipart() || !req.body || typeof req.body !== 'object') return;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) {
      const parts = (Array.isArray(v) ? v : [v]) as Array<{ type?: string; value?: unknown }>;
      const values = parts.filter((p) => p?.type === 'field').map((p) => p.value);
      if (values.length === 1) out[k] = values[0];
      else if (values.length > 1) out[k] = values;
    }
    req.body = out;
  });
  const bodyLimit = maxFile + 1024 * 1024;

  const statusesOf = async (auth: AuthContext) =>
    (await deps.statuses.listStatuses(auth)).map((s) => ({ key: s.key, category: s.category }));
  const usersOf = async (auth: AuthContext) => (await deps.users.list(auth)).data;
  const render = (auth: AuthContext, lead: LeadDto) => toDjangoLead(lead, auth.orgId);

  /** One page of leads through the core list (filters and offset in the database, never in memory). */
  async function page(auth: AuthContext, query: Record<string, unknown>, offset: number, limit: number) {
    const r = await deps.leads.list(auth, { ...query, offset, limit }, { offsetPastEnd: 'empty' });
    return { items: r.data, total: r.total ?? 0 };
  }

  // GET /api/leads/: open and closed leads (converted ones are never listed), each paged by limit/offset.
  both(app, 'GET', '/api/leads/', { schema: { querystring: ListQuery } }, async (req) => {
    const auth = kit.auth(req);
    const q = req.query as ListQueryT;
    const f = await kit.faults(auth);
    const statuses = await statusesOf(auth);
    const base: Record<string, unknown> = {};
    // The public system matches these as "contains": the core's wildcard (LIST-CONTRACT.md).
    const contains = (v: string) => `*${v.replace(/\*/g, '')}*`;
    if (q.name) base.name = contains(q.name);
    if (q.title) base.title = contains(q.title);
    if (q.city) base.city = contains(q.city);
    if (q.email) base.email = contains(q.email);
    if (q.source) base.source = sourceWrite(q.source);
    if (q.assigned_to) {
      const ids = q.assigned_to
        .replace(/[[\]"\s]/g, '')
        .split(',')
        .filter(Boolean);
      const id = ids.length === 1 ? idOf('user', ids[0]) : undefined;
      if (id === undefined) f.add('assigned_to', 'must be one user id (UUID).');
      else base.user_id = id;
    }
    if (q.tags) {
      const tags = q.tags
        .replace(/[[\]"]/g, '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      if (tags.length !== 1) f.add('tags', 'must be one tag.');
      else base.tag = tags[0];
    }
    let wanted: DjangoStatus | undefined;
    if (q.status) {
      const s = q.status.toLowerCase() as DjangoStatus;
      if (!DJANGO_STATUSES.includes(s)) f.add('status', `"${q.status}" is not a valid choice.`);
      else wanted = s;
    }
    f.throwIfAny();
    const closedKeys = statusKeysReading(statuses, 'closed');
    const openKeys = (['assigned', 'in process', 'recycled'] as DjangoStatus[])
      .filter((s) => !wanted || wanted === s)
      .flatMap((s) => statusKeysReading(statuses, s));
    const limit = q.limit ?? 10;
    const offset = q.offset ?? 0;
    const none = { items: [] as LeadDto[], total: 0 };
    const showClosed = !wanted || wanted === 'closed';
    const [open, closed, contacts, users, tags] = await Promise.all([
      openKeys.length && wanted !== 'closed' && wanted !== 'converted'
        ? page(auth, { ...base, status: openKeys.join(',') }, offset, limit)
        : none,
      showClosed && closedKeys.length
        ? page(auth, { ...base, status: closedKeys.join(',') }, offset, limit)
        : none,
      deps.contacts.list(auth, { limit: 50 } as never),
      usersOf(auth),
      deps.tagCounts(auth),
    ]);
    return {
      per_page: limit,
      offset,
      open_leads: open.items.map((l) => render(auth, l)),
      closed_leads: closed.items.map((l) => render(auth, l)),
      open_leads_count: open.total,
      closed_leads_count: closed.total,
      contacts: contacts.data.map((c) => ({
        id: uuidOf('contact', c.id),
        first_name: c.first_name,
        last_name: c.last_name,
        email: c.emails[0]?.email ?? null,
      })),
      users: users.filter((u) => u.active).map(toDjangoUser),
      source_list: Object.keys(DJANGO_SOURCES),
      tags: tags.map((t) => t.tag),
      status: STATUS_CHOICES,
    };
  });

  /** A converted lead's account, contact and opportunity, as `converted_account`. */
  type Converted = Awaited<ReturnType<DjangoDeps['conversion']['convert']>>;
  const convertedAccount = (c: Converted | null) =>
    c?.company
      ? {
          ...toDjangoCompany(c.company, c.lead.id),
          contact: c.contact ? uuidOf('contact', c.contact.id) : null,
          opportunity: c.opportunity ? { id: c.opportunity.id, name: c.opportunity.name } : null,
        }
      : null;

  async function attach(
    auth: AuthContext,
    leadId: number,
    files: UploadedPart[],
    opts: { tx?: never } | object,
  ) {
    for (const file of files)
      await deps.attachments.addAttachment(
        auth,
        leadId,
        { filename: file.filename, contentType: file.mimetype, stream: Readable.from(file.data) },
        opts,
      );
  }

  // POST /api/leads/: JSON or multipart (with attachments); auto_convert / status converted converts at once.
  both(
    app,
    'POST',
    '/api/leads/',
    { bodyLimit, schema: { body: LeadBody, response: Created } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const f = await kit.faults(auth);
      const files = (filesOf.get(req) ?? []).filter((x) => ATTACHMENT_FIELDS.has(x.field));
      const w = translateLead(req.body as LeadBodyT, f, 'create', auth.orgId);
      f.throwIfAny();
      const r = await deps.transaction(async (opts) => {
        const lead = await deps.leads.create(auth, w.input as never, opts);
        await attach(auth, lead.id, files, opts);
        const conv = w.convert
          ? await deps.conversion.convert(auth, lead.id, { create_opportunity: {} }, opts)
          : null;
        return { lead: conv ? await deps.leads.get(auth, lead.id, opts) : lead, conv };
      });
      return reply.code(201).send({ ...render(auth, r.lead), converted_account: convertedAccount(r.conv) });
    },
  );

  async function detail(auth: AuthContext, lead: LeadDto) {
    const [comments, attachments, users, teams] = await Promise.all([
      deps.comments.listComments(auth, lead.id),
      deps.attachments.listAttachments(auth, lead.id),
      usersOf(auth),
      deps.teams.list(auth),
    ]);
    const obj = render(auth, lead);
    const assigned = new Set(obj.assigned_to);
    const teamIds = new Set(lead.team_ids ?? []);
    return {
      lead_obj: obj,
      address_obj: addressOf(lead),
      assigned_to: users.filter((u) => assigned.has(uuidOf('user', u.id))).map(toDjangoUser),
      teams: teams.data
        .filter((t) => teamIds.has(t.id))
        .map((t) => ({ id: uuidOf('team', t.id), name: t.name })),
      comments: comments.map(toDjangoComment),
      attachments: attachments.map(toDjangoAttachment),
      contacts: lead.contacts.map((c) => ({
        id: uuidOf('contact', c.id),
        first_name: c.first_name,
        last_name: c.last_name,
        email: c.email,
      })),
      users_mention: users
        .filter((u) => u.active)
        .map((u) => ({ id: uuidOf('user', u.id), username: u.email, name: u.name })),
      tags: lead.tags,
    };
  }

  both(app, 'GET', '/api/leads/:id/', { schema: { params: IdParam } }, async (req) => {
    const auth = kit.auth(req);
    const id = pathId('lead', (req.params as { id: string }).id, 'Lead');
    return detail(auth, await deps.leads.get(auth, id));
  });

  const update = (mode: WriteMode) => async (req: FastifyRequest) => {
    const auth = kit.auth(req);
    const id = pathId('lead', (req.params as { id: string }).id, 'Lead');
    const current = await deps.leads.get(auth, id);
    const f = await kit.faults(auth);
    const w = translateLead(req.body as LeadBodyT, f, mode, auth.orgId, current);
    f.throwIfAny();
    const r = await deps.transaction(async (opts) => {
      let lead = Object.keys(w.input).length
        ? await deps.leads.update(auth, id, w.input as never, undefined, opts)
        : current;
      const conv = w.convert
        ? await deps.conversion.convert(auth, id, { create_opportunity: {} }, opts)
        : null;
      if (conv) lead = await deps.leads.get(auth, id, opts);
      return { lead, conv };
    });
    return { ...render(auth, r.lead), converted_account: convertedAccount(r.conv) };
  };
  both(app, 'PUT', '/api/leads/:id/', { schema: { params: IdParam, body: LeadBody } }, update('put'));
  both(app, 'PATCH', '/api/leads/:id/', { schema: { params: IdParam, body: LeadBody } }, update('patch'));

  both(
    app,
    'DELETE',
    '/api/leads/:id/',
    { schema: { params: IdParam, response: NoContent } },
    async (req, reply) => {
      const auth = kit.auth(req);
      await deps.leads.remove(auth, pathId('lead', (req.params as { id: string }).id, 'Lead'));
      return reply.code(204).send();
    },
  );

  // POST /api/leads/{id}/: a comment and/or attachments, in one unit of work; answers the lead's detail.
  both(
    app,
    'POST',
    '/api/leads/:id/',
    { bodyLimit, schema: { params: IdParam, body: CommentBody } },
    async (req) => {
      const auth = kit.auth(req);
      const id = pathId('lead', (req.params as { id: string }).id, 'Lead');
      const files = (filesOf.get(req) ?? []).filter((x) => ATTACHMENT_FIELDS.has(x.field));
      const comment = (req.body as { comment?: string } | undefined)?.comment;
      const f = await kit.faults(auth);
      if (comment !== undefined && comment.trim() === '') f.add('comment', 'This field may not be blank.');
      if (comment === undefined && files.length === 0) f.add('comment', 'Send a comment or an attachment.');
      f.throwIfAny();
      await deps.transaction(async (opts) => {
        if (comment !== undefined) await deps.comments.addComment(auth, id, comment, opts);
        await attach(auth, id, files, opts);
      });
      return detail(auth, await deps.leads.get(auth, id));
    },
  );

  // Comments by their own id.
  const commentUpdate = async (req: FastifyRequest) => {
    const auth = kit.auth(req);
    const id = pathId('comment', (req.params as { id: string }).id, 'Comment');
    const comment = (req.body as { comment?: string } | undefined)?.comment;
    const f = await kit.faults(auth);
    if (comment === undefined || comment.trim() === '') f.add('comment', 'This field is required.');
    f.throwIfAny();
    return toDjangoComment(await deps.comments.updateComment(auth, id, comment!, {}));
  };
  both(
    app,
    'PUT',
    '/api/leads/comment/:id/',
    { schema: { params: IdParam, body: CommentBody } },
    commentUpdate,
  );
  both(
    app,
    'PATCH',
    '/api/leads/comment/:id/',
    { schema: { params: IdParam, body: CommentBody } },
    commentUpdate,
  );
  both(app, 'GET', '/api/leads/comment/:id/', { schema: { params: IdParam } }, async (req) =>
    toDjangoComment(
      await deps.comments.getComment(
        kit.auth(req),
        pathId('comment', (req.params as { id: string }).id, 'Comment'),
      ),
    ),
  );
  both(
    app,
    'DELETE',
    '/api/leads/comment/:id/',
    { schema: { params: IdParam, response: NoContent } },
    async (req, reply) => {
      await deps.comments.deleteComment(
        kit.auth(req),
        pathId('comment', (req.params as { id: string }).id, 'Comment'),
      );
      return reply.code(204).send();
    },
  );

  both(
    app,
    'DELETE',
    '/api/leads/attachment/:id/',
    { schema: { params: IdParam, response: NoContent } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const id = pathId('attachment', (req.params as { id: string }).id, 'Attachment');
      const leadId = await deps.comments.attachmentLead(auth, id);
      await deps.attachments.deleteAttachment(auth, leadId, id);
      return reply.code(204).send();
    },
  );

  // POST /api/leads/create-from-site/?apikey=: public; the key (query or body) is a web-to-lead key.
  both(
    app,
    'POST',
    '/api/leads/create-from-site/',
    {
      config: { public: true },
      schema: {
        security: [],
        querystring: SiteQuery,
        body: SiteBody,
        response: { ...Created, 403: AnyBody },
      },
    },
    async (req, reply) => {
      const body = { ...(req.body as SiteBodyT) };
      const key = (req.query as { apikey?: string }).apikey ?? body.apikey;
      delete body.apikey;
      let row;
      try {
        row = await deps.webToLead.resolveKey(key);
      } catch (e) {
        if (e instanceof AppError && e.status === 401)
          throw new AppError('forbidden', 'The API key is missing, unknown or revoked.');
        throw e;
      }
      const errors: Array<{ field: string; message: string }> = [];
      for (const k of ['first_name', 'last_name', 'email'] as const)
        if (!body[k] || !String(body[k]).trim())
          errors.push({ field: k, message: 'This field is required.' });
      const country = body.country ? countryWrite(body.country) : undefined;
      if (body.country && !country)
        errors.push({ field: 'country', message: `"${body.country}" is not a country this API knows.` });
      if (errors.length)
        throw new AppError('unprocessable', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
      const form: Record<string, unknown> = {
        first_name: body.first_name,
        last_name: body.last_name,
        email: body.email,
        phone: body.phone,
        title: body.title,
        website: body.website,
        company_name: body.account_name,
        description: body.description,
        city: body.city,
        state: body.state,
        postal_code: body.postcode,
        country,
        address_line: body.address_line,
        street: body.street,
      };
      const r = await deps.webToLead.submit(row, form, {
        origin: req.headers.origin,
        ip: req.ip,
      });
      if (!r.created) return reply.code(201).send({});
      return reply.code(201).send(toDjangoLead(r.lead, row.org_id));
    },
  );

  // Companies.
  const companyInput = (b: CompanyBodyT, create: boolean, f: Awaited<ReturnType<SurfaceKit['faults']>>) => {
    const input: Record<string, unknown> = {};
    if (b.name !== undefined) {
      if (!b.name.trim()) f.add('name', 'This field may not be blank.');
      else input.name = b.name.trim();
    } else if (create) f.add('name', 'This field is required.');
    for (const k of ['industry', 'website', 'email', 'phone'] as const)
      if (b[k] !== undefined) input[k] = b[k] || null;
    const address: Record<string, unknown> = {};
    if (b.address !== undefined) address.line1 = b.address || null;
    if (b.billing_street !== undefined) address.line2 = b.billing_street || null;
    if (b.billing_city !== undefined) address.city = b.billing_city || null;
    if (b.billing_state !== undefined) address.state = b.billing_state || null;
    if (b.billing_postcode !== undefined) address.postal_code = b.billing_postcode || null;
    if (b.billing_country) {
      const c = countryWrite(b.billing_country);
      if (!c) f.add('billing_country', `"${b.billing_country}" is not a country this API knows.`);
      else address.country = c;
    }
    if (Object.keys(address).length) input.address = address;
    return input;
  };
  both(app, 'GET', '/api/leads/companies/', {}, async (req) => {
    const auth = kit.auth(req);
    const r = await deps.companies.list(auth, { limit: 200 } as never);
    return { companies: r.data.map((c) => toDjangoCompany(c)) };
  });
  both(
    app,
    'POST',
    '/api/leads/companies/',
    { schema: { body: CompanyBody, response: Created } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const f = await kit.faults(auth);
      const input = companyInput(req.body as CompanyBodyT, true, f);
      f.throwIfAny();
      const c = await deps.transaction((opts) => deps.companies.create(auth, input as never, opts));
      return reply.code(201).send(toDjangoCompany(c));
    },
  );
  both(app, 'GET', '/api/leads/company/:id/', { schema: { params: IdParam } }, async (req) => {
    const auth = kit.auth(req);
    return toDjangoCompany(
      await deps.companies.get(auth, pathId('company', (req.params as { id: string }).id, 'Company')),
    );
  });
  both(
    app,
    'PUT',
    '/api/leads/company/:id/',
    { schema: { params: IdParam, body: CompanyBody } },
    async (req) => {
      const auth = kit.auth(req);
      const id = pathId('company', (req.params as { id: string }).id, 'Company');
      const f = await kit.faults(auth);
      const input = companyInput(req.body as CompanyBodyT, false, f);
      f.throwIfAny();
      return toDjangoCompany(await deps.companies.update(auth, id, input as never, undefined, {}));
    },
  );
  both(
    app,
    'DELETE',
    '/api/leads/company/:id/',
    { schema: { params: IdParam, response: NoContent } },
    async (req, reply) => {
      const auth = kit.auth(req);
      await deps.companies.remove(auth, pathId('company', (req.params as { id: string }).id, 'Company'));
      return reply.code(204).send();
    },
  );
}
