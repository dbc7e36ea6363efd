import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, type FieldError } from '../../http/errors.js';
import { fieldErrorsFromValidation } from '../../http/validation.js';
import type { SurfaceKit } from '../shared/surface.js';
import type { CrmcomDeps } from './crmcom.deps.js';
import { ok } from './crmcom.errors.js';
import {
  CancelBody,
  CreateBody,
  ListQuery,
  LoseBody,
  type LeadFieldsT,
  ShowQuery,
  TokenBody,
  UpdateBody,
} from './crmcom.schema.js';
import { fieldsSet, renderLeads } from './crmcom.view.js';
import { parseGetIdentifier, vocabulary } from './crmcom.vocabulary.js';
import { closeLead, createLead, findLead, updateLead } from './crmcom.write.js';

const tags = ['compat: crmcom (seed 003)'];
const P = '/crmapi/rest/v2';
/** Tokens live two hours from issue (the public documentation). */
export const TOKEN_TTL_MS = 2 * 3600_000;
const Optional = Type.Object(
  {
    lead_type_identifier: Type.Optional(Type.String({ maxLength: 300 })),
    life_cycle_state: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const NoQuery = Type.Object({}, { additionalProperties: false });

function getIdent(name: string, v: string) {
  const ident = parseGetIdentifier(v);
  if (!ident)
    throw new AppError('validation_failed', `${name} must be field=value, e.g. ${name}=id=19`, [
      { field: name, message: 'must be field=value (id=..., name=..., alternative_code=..., number=...)' },
    ]);
  return ident;
}

/**
 * A create body the schema refused in part: its faults, and the body without the top-level parameters they name
 * (so the rest is translated and checked, and one answer names everything). A body that is not an object at all
 * is refused as it is.
 */
function withoutMalformed(req: FastifyRequest<{ Body: LeadFieldsT }>): {
  body: LeadFieldsT;
  malformed: FieldError[];
} {
  const err = req.validationError as (Error & { validation?: never[] }) | undefined;
  if (!err) return { body: req.body, malformed: [] };
  const malformed = fieldErrorsFromValidation(err.validation ?? [], 'body');
  const raw = req.body as unknown;
  if (
    !raw ||
    typeof raw !== 'object' ||
    Array.isArray(raw) ||
    !err.validation ||
    malformed.some((f) => f.field === 'body')
  )
    throw err;
  const body: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const f of malformed) delete body[f.field.split('.')[0]];
  return { body: body as LeadFieldsT, malformed };
}

/** The API key of `authentication/web_api_key/token`: HTTP Basic with the key as the user name. */
function basicKey(req: FastifyRequest): string {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(req.headers.authorization ?? '');
  const user = m ? Buffer.from(m[1], 'base64').toString('utf8').split(':')[0].trim() : '';
  if (!user)
    throw new AppError('unauthorized', 'Send the API key as the HTTP Basic user name (empty password).');
  return user;
}

export function crmcomRoutes(parent: FastifyInstance, kit: SurfaceKit, deps: CrmcomDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const token = (t: { token: string; expires_at: string; auth: { orgId: number } }) =>
    ok({ token: t.token, expiration_date: t.expires_at, organisation_id: String(t.auth.orgId) });

  // Authentication (public routes: they make the token).
  app.post(
    `${P}/authentication/token`,
    {
      config: { public: true },
      schema: { tags, summary: 'A token for a user (2 hours)', body: TokenBody, security: [] },
    },
    async (req) =>
      token(
        await deps.tokens.issueToken(
          { email: req.body.username, password: req.body.password, organization: req.body.organisation },
          TOKEN_TTL_MS,
          { ip: req.ip },
        ),
      ),
  );
  app.post(
    `${P}/authentication/web_api_key/token`,
    {
      config: { public: true },
      schema: { tags, summary: 'A token for an API key (Basic user name, 2 hours)', security: [] },
    },
    async (req) => token(await deps.tokens.exchangeApiKey(basicKey(req), TOKEN_TTL_MS)),
  );
  app.post(
    `${P}/authentication/token/release`,
    { schema: { tags, summary: 'Ends the token' } },
    async (req) => {
      await deps.tokens.releaseToken(kit.auth(req));
      return ok(null);
    },
  );

  // Configuration lists, from the core catalogs.
  const entries = (
    path: string,
    kind: 'categories' | 'sources' | 'privacy_levels' | 'importance_levels' | 'priorities',
  ) =>
    app.get(
      `${P}/leads/configuration/${path}/list`,
      { schema: { tags, querystring: NoQuery } },
      async (req) =>
        ok(
          (await deps.catalogs.listEntries(kit.auth(req), kind)).map((e) => ({
            id: String(e.id),
            name: e.name,
            alternative_code: e.alternative_code,
          })),
        ),
    );
  entries('categories', 'categories');
  entries('sources', 'sources');
  entries('privacy_levels', 'privacy_levels');
  entries('importance_levels', 'importance_levels');
  entries('priorities', 'priorities');
  app.get(`${P}/leads/configuration/types/list`, { schema: { tags, querystring: NoQuery } }, async (req) =>
    ok(
      (await deps.catalogs.listLeadTypes(kit.auth(req))).map((t) => ({
        id: String(t.id),
        name: t.name,
        alternative_code: t.alternative_code,
        default_status: t.default_status,
        default_category: t.default_category_id !== null ? String(t.default_category_id) : null,
        communication: { email: t.communication.email_required, phone: t.communication.phone_required },
        lock_when_won_or_lost: t.lock_when_closed,
      })),
    ),
  );
  app.get(
    `${P}/leads/configuration/lost_reasons/list`,
    { schema: { tags, querystring: NoQuery } },
    async (req) =>
      ok(
        (await deps.reasons.listReasons(kit.auth(req)))
          .filter((r) => r.categories === null || r.categories.includes('lost'))
          .map((r) => ({ id: String(r.id), name: r.text, alternative_code: null })),
      ),
  );
  app.get(`${P}/leads/configuration/groups/list`, { schema: { tags, querystring: NoQuery } }, async (req) =>
    ok(
      (await deps.teams.list(kit.auth(req))).data.map((t) => ({
        id: String(t.id),
        name: t.name,
        alternative_code: null,
      })),
    ),
  );
  app.get(
    `${P}/leads/configuration/statuses/list`,
    { schema: { tags, querystring: Optional } },
    async (req) => {
      const auth = kit.auth(req);
      const v = vocabulary(deps, auth);
      const faults = await kit.faults(auth);
      const type = req.query.lead_type_identifier
        ? await v.resolve(
            'types',
            getIdent('lead_type_identifier', req.query.lead_type_identifier),
            faults,
            'lead_type_identifier',
          )
        : undefined;
      const life = req.query.life_cycle_state?.replace(' ', '_').toUpperCase();
      if (life && !['PENDING', 'IN_PROGRESS', 'LOST', 'WON', 'CANCELLED', 'ON_HOLD'].includes(life))
        faults.add('life_cycle_state', 'must be one of PENDING, IN_PROGRESS, LOST, WON, CANCELLED');
      faults.throwIfAny();
      const allowed = type?.core.allowed_statuses;
      return ok(
        (await v.all('statuses'))
          .filter((s) => (!allowed || allowed.includes(s.key)) && (!life || s.life_cycle_state === life))
          .map((s) => ({
            id: s.key,
            default: type ? type.core.default_status === s.key : false,
            status: {
              id: s.key,
              name: s.name,
              alternative_code: s.alternative_code,
              life_cycle_state: s.life_cycle_state,
            },
          })),
      );
    },
  );

  // Leads.
  app.post(
    `${P}/leads/create`,
    { attachValidation: true, schema: { tags, summary: 'Creates a lead', body: CreateBody } },
    async (req) => {
      const auth = kit.auth(req);
      const { body, malformed } = withoutMalformed(req);
      const fields = fieldsSet(body.fields_set);
      const { lead, v } = await createLead(deps, kit, auth, body, malformed);
      return ok((await renderLeads(deps, kit, auth, v, [lead], fields))[0]);
    },
  );
  app.post(
    `${P}/leads/update`,
    { schema: { tags, summary: 'Updates a lead', body: UpdateBody } },
    async (req) => {
      const auth = kit.auth(req);
      const fields = fieldsSet(req.body.fields_set);
      const { lead, v } = await updateLead(deps, kit, auth, req.body);
      return ok((await renderLeads(deps, kit, auth, v, [lead], fields))[0]);
    },
  );
  for (const [path, life, body] of [
    ['lose', 'LOST', LoseBody],
    ['cancel', 'CANCELLED', CancelBody],
  ] as const)
    app.post(`${P}/leads/${path}`, { schema: { tags, body } }, async (req) => {
      const auth = kit.auth(req);
      const b = req.body as { lead_identifier: never; fields_set?: string };
      const fields = fieldsSet(b.fields_set);
      const { lead, v } = await closeLead(deps, kit, auth, b, life);
      return ok((await renderLeads(deps, kit, auth, v, [lead], fields))[0]);
    });
  app.get(`${P}/leads/show`, { schema: { tags, querystring: ShowQuery } }, async (req) => {
    const auth = kit.auth(req);
    const fields = fieldsSet(req.query.fields_set);
    const lead = await findLead(deps, auth, getIdent('lead_identifier', req.query.lead_identifier));
    return ok((await renderLeads(deps, kit, auth, vocabulary(deps, auth), [lead], fields))[0]);
  });
  app.get(`${P}/leads/list`, { schema: { tags, querystring: ListQuery } }, async (req) => {
    const auth = kit.auth(req);
    const q = req.query;
    const fields = fieldsSet(q.fields_set);
    const v = vocabulary(deps, auth);
    const faults = await kit.faults(auth);
    const core: Record<string, unknown> = { sort: 'created_at' };
    const type = q.type_identifier
      ? await v.resolve('types', getIdent('type_identifier', q.type_identifier), faults, 'type_identifier')
      : undefined;
    const statusKeys: string[][] = [];
    if (q.status_identifier) {
      const s = await v.resolve(
        'statuses',
        getIdent('status_identifier', q.status_identifier),
        faults,
        'status_identifier',
      );
      if (s) statusKeys.push([s.key]);
    }
    if (q.life_cycle_state) {
      const life = q.life_cycle_state.replace(' ', '_').toUpperCase();
      statusKeys.push((await v.all('statuses')).filter((s) => s.life_cycle_state === life).map((s) => s.key));
    }
    if (statusKeys.length) {
      const keys = statusKeys.reduce((a, b) => a.filter((k) => b.includes(k)));
      core.status = keys.length ? keys.join(',') : undefined;
      if (!keys.length) return ok([]);
    }
    if (q.owned_by_group_identifier) {
      const g = await v.resolve(
        'groups',
        getIdent('owned_by_group_identifier', q.owned_by_group_identifier),
        faults,
        'owned_by_group_identifier',
      );
      if (g) core.team_id = Number(g.id);
    }
    if (q.lead_owner) {
      const u = await v.resolve('users', getIdent('lead_owner', q.lead_owner), faults, 'lead_owner');
      if (u) core.owner_id = Number(u.id);
    }
    for (const [param, key] of [
      ['created_date_from', 'created_after'],
      ['created_date_to', 'created_before'],
      ['updated_date_from', 'updated_after'],
    ] as const) {
      const t = faults.time(param, q[param]);
      if (t) core[key] = t.instant;
    }
    if (q.search_value) core.q = q.search_value;
    faults.throwIfAny();
    const perPage = q.records_per_page ?? 50;
    const offset = ((q.page ?? 1) - 1) * perPage;
    // The core pages by offset in SQL (one query), its lead type filter included.
    if (type) core.lead_type_id = Number(type.id);
    const items = (
      await deps.leads.list(auth, { ...core, offset, limit: perPage } as never, { offsetPastEnd: 'empty' })
    ).data;
    return ok(await renderLeads(deps, kit, auth, v, items, fields));
  });
}
