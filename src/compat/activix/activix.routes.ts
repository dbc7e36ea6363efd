import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuthContext } from '../../access/roles.js';
import { AppError, notFound } from '../../http/errors.js';
import { installRateLimit, RateLimiter } from '../../http/rate-limit.js';
import type { LeadDto } from '../../leads/lead.schema.js';
import type { TaskDto } from '../../activities/task.service.js';
import type { SurfaceKit } from '../shared/surface.js';
import { readOffset } from '../shared/paging.js';
import type { ActivixDeps } from './activix.deps.js';
import { INCLUDES, type Include } from './activix.fields.js';
import {
  ActivityBody,
  GetQuery,
  IdParams,
  LeadBody,
  LeadEmailBody,
  LeadEmailPatch,
  LeadPhoneBody,
  LeadPhonePatch,
  LeadVehicleBody,
  LeadVehiclePatch,
  ListQuery,
  NoteBody,
  NoteParams,
} from './activix.schema.js';
import { coreFilters, paginator } from './activix.list.js';
import {
  EVENT_TYPES,
  readIncludes,
  renderAccount,
  renderContext,
  renderEmail,
  renderLead,
  renderNote,
  renderPhone,
  renderTask,
  renderVehicle,
} from './activix.view.js';
import {
  appendParts,
  checkEmail,
  checkPhoneBody,
  matchUser,
  refuseDuplicate,
  toCoreInput,
  vehicleItem,
} from './activix.write.js';

const tags = ['compat: activix (seed 000)'];
type Body = Record<string, unknown>;
const ALL = new Set<Include>(INCLUDES);

/** Seed 000's handlers: thin translations onto the core (docs/compat/activix.md). */
export function activixRoutes(parent: FastifyInstance, kit: SurfaceKit, deps: ActivixDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  installRateLimit(
    app,
    {
      authenticatedPerMinute: deps.rateLimitPerMinute,
      anonymousPerMinute: deps.rateLimitPerMinute,
      loginFailuresPerEmail: 0,
      loginFailuresPerIp: 0,
      loginWindowMinutes: 15,
    },
    new RateLimiter(60_000, deps.counters, 'activix:'),
  );

  async function renderLeads(auth: AuthContext, leads: LeadDto[], inc: Set<Include>) {
    const ctx = await renderContext(deps, auth, leads, inc);
    return leads.map((l) => renderLead(l, kit.fields, ctx, inc));
  }
  const one = async (auth: AuthContext, lead: LeadDto, inc: Set<Include>) => ({
    data: (await renderLeads(auth, [lead], inc))[0],
  });

  async function listLeads(
    req: FastifyRequest,
    auth: AuthContext,
    q: Record<string, unknown>,
    extra: Record<string, unknown>,
  ) {
    const f = await kit.faults(auth);
    const filters = coreFilters(kit, q, f);
    f.throwIfAny();
    const page = (q.page as number | undefined) ?? 1;
    const perPage = (q.per_page as number | undefined) ?? 25;
    const res = await deps.leads.list(
      auth,
      { ...filters, ...extra, sort: '-created_at', limit: perPage, offset: (page - 1) * perPage } as never,
      { offsetPastEnd: 'empty' },
    );
    const inc = readIncludes(q);
    const data = await renderLeads(auth, res.data, inc);
    return { data, ...paginator(req, page, perPage, res.total ?? data.length, data.length) };
  }

  // Leads
  app.post(
    '/v2/leads',
    { schema: { tags, summary: 'Create a lead', body: LeadBody } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const body = req.body as Body;
      const f = await kit.faults(auth);
      const { input, createdAt } = await toCoreInput(deps, kit, auth, body, f);
      f.throwIfAny();
      const lead = await deps.transaction(async (opts) => {
        await refuseDuplicate(deps, auth, body, opts);
        return deps.leads.create(auth, input as never, { ...opts, ...(createdAt ? { at: createdAt } : {}) });
      });
      reply.code(201);
      return one(auth, lead, ALL);
    },
  );
  app.get(
    '/v2/leads',
    { schema: { tags, summary: 'List leads (newest first)', querystring: ListQuery } },
    async (req) => listLeads(req, kit.auth(req), req.query as Body, {}),
  );
  app.get(
    '/v2/leads/search',
    {
      schema: {
        tags,
        summary: 'Search leads (name, second contact, phone, email, postal code)',
        querystring: ListQuery,
      },
    },
    async (req) => {
      const q = req.query as Body;
      return listLeads(req, kit.auth(req), q, { q: String(q.query ?? '') });
    },
  );
  app.get(
    '/v2/leads/:id',
    { schema: { tags, summary: 'Get a lead', params: IdParams, querystring: GetQuery } },
    async (req) => {
      const auth = kit.auth(req);
      return one(auth, await deps.leads.get(auth, req.params.id), readIncludes(req.query));
    },
  );
  app.put(
    '/v2/leads/:id',
    {
      schema: {
        tags,
        summary: 'Update a lead (emails, phones and vehicles sent are added)',
        params: IdParams,
        body: LeadBody,
      },
    },
    async (req) => {
      const auth = kit.auth(req);
      const body = req.body as Body;
      const current = await deps.leads.get(auth, req.params.id);
      const f = await kit.faults(auth);
      const { input } = await toCoreInput(deps, kit, auth, body, f, current);
      f.throwIfAny();
      const lead = await deps.transaction(async (opts) => {
        const { custom_fields, ...rest } = input;
        const patch = { ...rest, ...(Object.keys(custom_fields).length ? { custom_fields } : {}) };
        if (Object.keys(patch).length)
          await deps.leads.update(auth, current.id, patch as never, undefined, opts);
        await appendParts(deps, auth, current.id, body, f, opts);
        return deps.leads.get(auth, current.id, opts);
      });
      return one(auth, lead, ALL);
    },
  );

  // Emails and phones of a lead
  const emailOf = (
    auth: AuthContext,
    leadId: number,
    e: Awaited<ReturnType<ActivixDeps['points']['emails']['get']>>,
  ) => ({
    data: renderEmail(leadId, e as never),
  });
  app.post(
    '/v2/lead-emails',
    { schema: { tags, summary: 'Add an email to a lead', body: LeadEmailBody } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const { lead_id, ...e } = req.body;
      const f = await kit.faults(auth);
      checkEmail(f, e);
      const lead = await deps.leads.get(auth, lead_id);
      const type = e.type ?? 'home';
      if ((lead.emails ?? []).some((x) => x.type === type))
        f.add('type', `has already been taken (the lead has a ${type} email; one per type)`);
      f.throwIfAny();
      const made = await deps.points.emails.add(auth, lead_id, { ...e, address: e.address.trim(), type });
      reply.code(201);
      return emailOf(auth, lead_id, made);
    },
  );
  app.get(
    '/v2/lead-emails/:id',
    { schema: { tags, summary: 'Get an email', params: IdParams } },
    async (req) => {
      const auth = kit.auth(req);
      const { lead_id } = await deps.points.findPoint(auth, 'email', req.params.id);
      return emailOf(auth, lead_id, await deps.points.emails.get(auth, lead_id, req.params.id));
    },
  );
  app.put(
    '/v2/lead-emails/:id',
    { schema: { tags, summary: 'Update an email', params: IdParams, body: LeadEmailPatch } },
    async (req) => {
      const auth = kit.auth(req);
      const { lead_id: _l, ...e } = req.body;
      void _l;
      const { lead_id } = await deps.points.findPoint(auth, 'email', req.params.id);
      const f = await kit.faults(auth);
      checkEmail(f, e);
      const lead = await deps.leads.get(auth, lead_id);
      if (e.type && (lead.emails ?? []).some((x) => x.type === e.type && x.id !== req.params.id))
        f.add('type', `has already been taken (the lead has a ${e.type} email; one per type)`);
      f.throwIfAny();
      return emailOf(auth, lead_id, await deps.points.emails.update(auth, lead_id, req.params.id, e));
    },
  );

  app.post(
    '/v2/lead-phones',
    { schema: { tags, summary: 'Add a phone to a lead', body: LeadPhoneBody } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const { lead_id, ...p } = req.body;
      const f = await kit.faults(auth);
      checkPhoneBody(f, p);
      const lead = await deps.leads.get(auth, lead_id);
      const type = p.type ?? 'home';
      if ((lead.phones ?? []).some((x) => x.number.replace(/\D/g, '') === p.number.replace(/\D/g, '')))
        throw new AppError('forbidden', 'Duplicate phone.');
      if ((lead.phones ?? []).some((x) => x.type === type))
        f.add('type', `has already been taken (the lead has a ${type} phone; one per type)`);
      f.throwIfAny();
      const made = await deps.points.phones.add(auth, lead_id, { ...p, type });
      reply.code(201);
      return { data: renderPhone(lead_id, made as never) };
    },
  );
  app.get(
    '/v2/lead-phones/:id',
    { schema: { tags, summary: 'Get a phone', params: IdParams } },
    async (req) => {
      const auth = kit.auth(req);
      const { lead_id } = await deps.points.findPoint(auth, 'phone', req.params.id);
      return {
        data: renderPhone(lead_id, (await deps.points.phones.get(auth, lead_id, req.params.id)) as never),
      };
    },
  );
  app.put(
    '/v2/lead-phones/:id',
    { schema: { tags, summary: 'Update a phone', params: IdParams, body: LeadPhonePatch } },
    async (req) => {
      const auth = kit.auth(req);
      const { lead_id: _l, ...p } = req.body;
      void _l;
      const { lead_id } = await deps.points.findPoint(auth, 'phone', req.params.id);
      const f = await kit.faults(auth);
      checkPhoneBody(f, p);
      const lead = await deps.leads.get(auth, lead_id);
      const others = (lead.phones ?? []).filter((x) => x.id !== req.params.id);
      if (p.number && others.some((x) => x.number.replace(/\D/g, '') === p.number!.replace(/\D/g, '')))
        throw new AppError('forbidden', 'Duplicate phone.');
      if (p.type && others.some((x) => x.type === p.type))
        f.add('type', `has already been taken (the lead has a ${p.type} phone; one per type)`);
      f.throwIfAny();
      return {
        data: renderPhone(
          lead_id,
          (await deps.points.phones.update(auth, lead_id, req.params.id, p)) as never,
        ),
      };
    },
  );

  // Vehicles (wanted or exchange)
  app.post(
    '/v2/lead-vehicles',
    { schema: { tags, summary: 'Add a vehicle to a lead', body: LeadVehicleBody } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const body = req.body as Body;
      const f = await kit.faults(auth);
      const item = vehicleItem(f, body);
      f.throwIfAny();
      const leadId = body.lead_id as number;
      const made = await deps.items.add(auth, leadId, item as never);
      reply.code(201);
      return { data: renderVehicle(leadId, made) };
    },
  );
  app.get(
    '/v2/lead-vehicles/:id',
    { schema: { tags, summary: 'Get a vehicle', params: IdParams } },
    async (req) => {
      const auth = kit.auth(req);
      const { lead_id } = await deps.items.findItem(auth, req.params.id);
      const it = await deps.items.get(auth, lead_id, req.params.id);
      if (it.type !== 'vehicle') throw notFound('Vehicle', req.params.id);
      return { data: renderVehicle(lead_id, it) };
    },
  );
  app.put(
    '/v2/lead-vehicles/:id',
    { schema: { tags, summary: 'Update a vehicle', params: IdParams, body: LeadVehiclePatch } },
    async (req) => {
      const auth = kit.auth(req);
      const { lead_id } = await deps.items.findItem(auth, req.params.id);
      const f = await kit.faults(auth);
      const item = vehicleItem(f, req.body as Body, true);
      f.throwIfAny();
      const base = await deps.items.get(auth, lead_id, req.params.id);
      if (base.type !== 'vehicle') throw notFound('Vehicle', req.params.id);
      return { data: renderVehicle(lead_id, await deps.items.update(auth, lead_id, req.params.id, item)) };
    },
  );

  // Notes
  app.get(
    '/v2/leads/:id/notes',
    { schema: { tags, summary: "A lead's notes", params: IdParams } },
    async (req) => {
      const auth = kit.auth(req);
      return { data: (await deps.tasks.listComments(auth, req.params.id)).map(renderNote) };
    },
  );
  app.post(
    '/v2/leads/:id/notes',
    { schema: { tags, summary: 'Add a note', params: IdParams, body: NoteBody } },
    async (req, reply) => {
      const auth = kit.auth(req);
      const { content, parent_id, file_url } = req.body;
      const made = await deps.tasks.addComment(auth, req.params.id, content, {
        ...(parent_id !== undefined ? { parent_id } : {}),
        ...(file_url !== undefined ? { file_url } : {}),
      });
      reply.code(201);
      return { data: renderNote(made) };
    },
  );
  app.put(
    '/v2/leads/:id/notes/:noteId',
    { schema: { tags, summary: 'Edit a note', params: NoteParams, body: NoteBody } },
    async (req) => {
      const auth = kit.auth(req);
      const { content, parent_id, file_url } = req.body;
      return {
        data: renderNote(
          await deps.tasks.editComment(auth, req.params.id, req.params.noteId, content, {
            ...(parent_id !== undefined ? { parent_id } : {}),
            ...(file_url !== undefined ? { file_url } : {}),
          }),
        ),
      };
    },
  );

  // Events and tasks (with or without a lead)
  for (const kind of ['events', 'tasks'] as const) {
    const isEvent = kind === 'events';
    const fits = (t: TaskDto) => EVENT_TYPES.includes(t.type) === isEvent;
    const what = isEvent ? 'Event' : 'Task';
    async function activityInput(auth: AuthContext, body: Body, creating: boolean) {
      const f = await kit.faults(auth);
      const type =
        (body.type as string | undefined) ?? (creating ? (isEvent ? 'appointment' : 'call') : undefined);
      if (type !== undefined && EVENT_TYPES.includes(type) !== isEvent)
        f.add(
          'type',
          isEvent
            ? `is not an event type (one of: ${EVENT_TYPES.join(', ')})`
            : `is an event type (POST /v2/events)`,
        );
      if (creating && !body.title) f.add('title', 'field is required');
      const input: Body = {};
      for (const k of ['title', 'description', 'priority', 'done', 'canceled', 'confirmed', 'no_show'])
        if (body[k] !== undefined) input[k] = body[k];
      if (type !== undefined) input.type = type;
      for (const k of ['start_at', 'end_at'] as const)
        if (body[k] !== undefined) input[k] = body[k] === null ? null : f.time(k, body[k] as string)?.instant;
      if (!isEvent && input.start_at !== undefined) input.due_at = input.start_at;
      if (body.owner !== undefined) {
        const members = body.owner ? (await deps.users.list(auth)).data : [];
        input.assignee_id = body.owner ? (matchUser(body.owner as never, members, f, 'owner') ?? null) : null;
      }
      f.throwIfAny();
      return input;
    }
    async function load(auth: AuthContext, id: number) {
      const t = await deps.activities.getTask(auth, id);
      if (!fits(t)) throw notFound(what, id);
      return t;
    }
    app.post(
      `/v2/${kind}`,
      {
        schema: { tags, summary: `Create ${kind === 'events' ? 'an event' : 'a task'}`, body: ActivityBody },
      },
      async (req, reply) => {
        const auth = kit.auth(req);
        const body = req.body as Body;
        const input = await activityInput(auth, body, true);
        const made = await deps.activities.createTask(auth, {
          ...input,
          lead_id: (body.lead_id as number | null | undefined) ?? null,
        } as never);
        reply.code(201);
        return { data: renderTask(made) };
      },
    );
    app.get(
      `/v2/${kind}/:id`,
      { schema: { tags, summary: `Get ${what.toLowerCase()}`, params: IdParams } },
      async (req) => ({
        data: renderTask(await load(kit.auth(req), req.params.id)),
      }),
    );
    app.put(
      `/v2/${kind}/:id`,
      { schema: { tags, summary: `Update ${what.toLowerCase()}`, params: IdParams, body: ActivityBody } },
      async (req) => {
        const auth = kit.auth(req);
        await load(auth, req.params.id);
        const input = await activityInput(auth, req.body as Body, false);
        return { data: renderTask(await deps.activities.updateTask(auth, req.params.id, input as never)) };
      },
    );
    app.get(
      `/v2/${kind}`,
      { schema: { tags, summary: `List ${kind}`, querystring: ListQuery } },
      async (req) => {
        const auth = kit.auth(req);
        const q = req.query as Body;
        const page = (q.page as number | undefined) ?? 1;
        const perPage = (q.per_page as number | undefined) ?? 25;
        const leadId = q['filter[lead_id]'] !== undefined ? Number(q['filter[lead_id]']) : undefined;
        const f = await kit.faults(auth);
        if (leadId !== undefined && !(Number.isInteger(leadId) && leadId > 0))
          f.add('filter.lead_id', 'must be a lead id');
        f.throwIfAny();
        let all: TaskDto[];
        if (leadId !== undefined) all = (await deps.tasks.listTasks(auth, leadId)).filter(fits);
        else
          all = (
            await readOffset((cursor, limit) => deps.tasks.listAllTasks(auth, { cursor, limit }), {
              offset: 0,
              limit: Number.MAX_SAFE_INTEGER,
              keep: fits,
            })
          ).items;
        all.sort((a, b) =>
          a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id,
        );
        const data = all.slice((page - 1) * perPage, page * perPage).map((t) => renderTask(t));
        return { data, ...paginator(req, page, perPage, all.length, data.length) };
      },
    );
  }

  // The account: the dealer, i.e. the organization
  app.get('/account', { schema: { tags, summary: 'The account (the organization)' } }, async (req) => ({
    data: renderAccount(await deps.organization(kit.auth(req))),
  }));
}
