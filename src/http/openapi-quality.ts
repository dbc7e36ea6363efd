import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * OpenAPI quality without touching every route file (docs/api.md, "OpenAPI document"):
 * - an onRoute hook gives every operation an operationId (verbNoun, unique), a tag per feature, a summary and a
 *   description when the route has none;
 * - `completeDocument` (the swagger `transformObject`) declares what the server really sends: every error as
 *   application/problem+json (the compat surfaces: their own JSON envelope), the statuses any route can answer
 *   (400 validation, 401, 403, 404, 413, 415, 429 rate limit, 500, 503 busy database), the multipart bodies of the
 *   two uploads and the binary downloads, plus the global tag list, servers and contact.
 * Only the document changes: the route schemas Fastify validates and serializes with stay as written.
 */

const VERBS: Record<string, string> = {
  GET: 'get',
  POST: 'create',
  PATCH: 'update',
  PUT: 'set',
  DELETE: 'delete',
};
/** Static path words that are actions on the resource before them, not collections. */
const ACTIONS: Record<string, string> = {
  restore: 'restore',
  run: 'run',
  revert: 'revert',
  convert: 'convert',
  accept: 'accept',
  status: 'changeStatusOf',
  login: 'logIn',
  logout: 'logOut',
  signup: 'signUp',
  content: 'download',
  'errors.csv': 'downloadErrorsOf',
  export: 'export',
  followup: 'createFollowUpFor',
};
const FEATURE_TAGS: Record<string, string> = {
  auth: 'auth',
  me: 'auth',
  users: 'users',
  invitations: 'users',
  teams: 'teams',
  'api-keys': 'api-keys',
  'web-to-lead-keys': 'web-to-lead',
  'web-to-lead': 'web-to-lead',
  'audit-log': 'audit',
  leads: 'leads',
  companies: 'accounts',
  contacts: 'accounts',
  opportunities: 'accounts',
  imports: 'imports',
  statuses: 'pipeline',
  'sub-statuses': 'pipeline',
  reasons: 'pipeline',
  'custom-fields': 'pipeline',
  'follow-ups': 'activities',
  tasks: 'activities',
  comments: 'activities',
  attachments: 'activities',
  timeline: 'activities',
  tags: 'leads',
  'status-history': 'pipeline',
};
const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Sign-up, sign-in, sessions and the signed-in user',
  users: 'Members of the organization and invitations',
  teams: 'Teams and their members',
  'api-keys': 'API keys for integrations',
  'web-to-lead': 'Lead capture from web forms',
  audit: 'The audit log',
  leads: 'Leads, their search, export and tags',
  accounts: 'Companies, contacts, opportunities and conversion',
  imports: 'CSV and XLSX imports',
  pipeline: 'Statuses, sub-statuses, reasons, custom fields and status changes',
  activities: 'Follow-ups, tasks, comments, attachments and the timeline',
  health: 'Liveness',
  'compat-capillary': 'Capillary-compatible lead API (docs/compat.md)',
  'compat-activix': 'Activix-compatible automotive Lead API (docs/compat/activix.md)',
  'compat-django-crm': 'Django-CRM-compatible leads API (docs/compat/django-crm.md)',
};

function pascal(word: string): string {
  return word
    .split(/[-_.]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}
function singular(word: string): string {
  if (/us$/.test(word)) return word;
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(ses|xes)$/.test(word) && !/statuses$/.test(word)) return word.slice(0, -2);
  if (/statuses$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word) && !/ss$/.test(word)) return word.slice(0, -1);
  return word;
}

/** verbNoun from the method and the path: GET /leads -> listLeads, GET /leads/{id}/tasks/{itemId} -> getLeadTask. */
export function operationIdFor(method: string, url: string, hasListSibling: boolean): string {
  const parts = url.split('/').filter(Boolean);
  let prefix = '';
  let rest = parts;
  if (parts[0] === 'api' && parts[1] === 'v1') rest = parts.slice(2);
  else if (parts[0] === 'compat') {
    prefix = parts[1].replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    rest = parts.slice(2).filter((p) => !/^v\d+$/.test(p));
  }
  const isParam = (p: string) => p.startsWith(':') || p.startsWith('{');
  const last = rest[rest.length - 1] ?? 'root';
  const statics = rest.filter((p) => !isParam(p));
  const endsWithParam = isParam(last);
  let verb: string;
  let nouns: string[];
  const action = !endsWithParam && rest.length > 0 ? ACTIONS[last] : undefined;
  if (action && (method !== 'GET' || last === 'content' || last === 'errors.csv' || last === 'export')) {
    verb = action;
    nouns = statics.slice(0, -1).map(singular);
    if (last === 'export') nouns = statics.slice(0, -1);
    if (nouns.length === 0) nouns = [last === 'signup' || last === 'login' || last === 'logout' ? '' : last];
  } else {
    nouns = statics.map((p, i) =>
      i < statics.length - 1 || endsWithParam || method === 'POST' || method === 'PUT' ? singular(p) : p,
    );
    verb = VERBS[method] ?? method.toLowerCase();
    if (method === 'GET' && !endsWithParam) verb = last === 'me' || !/s$/.test(last) ? 'get' : 'list';
    if (method === 'POST' && !endsWithParam && !hasListSibling && !/s$/.test(last)) verb = 'create';
    if (method === 'PUT' && endsWithParam) verb = 'put';
  }
  const noun = nouns.map(pascal).join('');
  const base = `${verb}${noun}`;
  return prefix ? `${prefix}${base[0].toUpperCase()}${base.slice(1)}` : base;
}

function tagFor(url: string): string {
  const parts = url.split('/').filter(Boolean);
  if (parts[0] === 'compat') return `compat-${parts[1]}`;
  const rest = parts[0] === 'api' && parts[1] === 'v1' ? parts.slice(2) : parts;
  const statics = rest.filter((p) => !p.startsWith(':'));
  // The most specific feature word: /leads/:id/tasks is an activity, /leads/:id/convert stays with accounts.
  for (let i = statics.length - 1; i >= 0; i--) if (FEATURE_TAGS[statics[i]]) return FEATURE_TAGS[statics[i]];
  if (statics.includes('convert')) return 'accounts';
  return statics[0] ?? 'misc';
}

function sentence(opId: string): string {
  const words = opId
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase()
    .trim();
  return words[0].toUpperCase() + words.slice(1);
}

/** Adds the onRoute hook; register it before the routes. */
export function installOpenApiQuality(app: FastifyInstance): void {
  const used = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('HEAD') && methods.length === 1) return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    if (schema.hide) return;
    if (route.url.startsWith('/docs') || route.url === '/openapi.json') return;
    const method = methods.find((m) => m !== 'HEAD') ?? 'GET';
    const listSibling = /\/[a-z-]+s$/.test(route.url);
    let opId = (schema.operationId as string | undefined) ?? operationIdFor(method, route.url, listSibling);
    if (used.has(opId)) {
      let n = 2;
      while (used.has(`${opId}${n}`)) n++;
      opId = `${opId}${n}`;
    }
    used.add(opId);
    const tags = (schema.tags as string[] | undefined)?.length
      ? (schema.tags as string[])
      : [tagFor(route.url)];
    const summary = (schema.summary as string | undefined) ?? sentence(opId);
    route.schema = {
      ...schema,
      operationId: opId,
      tags,
      summary,
      description: (schema.description as string | undefined) ?? `${summary}.`,
    };
  });
}

type Obj = Record<string, any>;
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const COMPAT_ERROR = {
  type: 'object',
  description: "The surface's own error envelope (docs/compat.md)",
  additionalProperties: true,
};
const STATUS_TEXT: Record<string, string> = {
  '400': 'Bad request: the body, query or path failed validation',
  '401': 'Unauthorized: no or bad credentials',
  '403': 'Forbidden: the role, key scope or origin does not allow this',
  '404': 'Not found',
  '405': 'Method not allowed',
  '409': 'Conflict',
  '412': 'Precondition failed: If-Match is stale',
  '413': 'Payload too large',
  '414': 'URI too long',
  '415': 'Unsupported media type',
  '422': 'Unprocessable: a field breaks a rule',
  '428': 'Precondition required',
  '429': 'Too many requests (Retry-After)',
  '500': 'Internal server error (logged, never detailed)',
  '503': 'The database is busy (Retry-After)',
};
const BINARY: Record<string, string[]> = {
  '/api/v1/leads/export': ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  '/api/v1/imports/{id}/errors.csv': ['text/csv'],
  '/api/v1/imports/{id}/failed-rows.csv': ['text/csv'],
  '/api/v1/leads/{id}/attachments/{itemId}/content': ['application/octet-stream'],
};
const UPLOADS: Record<string, string> = {
  '/api/v1/imports': 'The CSV, TSV or XLSX file to import',
  '/api/v1/leads/{id}/attachments': 'The file to attach',
};

/** OpenAPI 3.0 has no type arrays: `type: [T, 'null']` becomes `type: T, nullable: true`. */
function fixNullable(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(fixNullable);
  if (!node || typeof node !== 'object') return;
  const o = node as Obj;
  if (Array.isArray(o.type)) {
    const types = o.type.filter((t: string) => t !== 'null');
    if (types.length === 1) {
      if (o.type.includes('null')) o.nullable = true;
      o.type = types[0];
    }
  }
  for (const v of Object.values(o)) fixNullable(v);
}

/** The swagger `transformObject`: completes the generated document (see the module comment). */
export function completeDocument(doc: Obj): Obj {
  const tags = new Set<string>();
  for (const [path, item] of Object.entries<Obj>(doc.paths ?? {})) {
    const compat = path.startsWith('/compat/');
    for (const [method, op] of Object.entries<Obj>(item)) {
      for (const t of op.tags ?? []) tags.add(t);
      const responses: Obj = (op.responses ??= {});
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      const codes = ['400', '404', '413', '415', '429', '500', '503'];
      if (
        !isPublic ||
        path.includes('web-to-lead') ||
        path.includes('/accept') ||
        path.includes('/authentication/')
      )
        codes.push('401', '403');
      if (['patch', 'delete', 'put'].includes(method)) codes.push('409', '412', '422');
      if (method === 'post') codes.push('409', '422');
      if (path.startsWith('/api/v1/leads') && method === 'get') codes.push('422');
      // Surfaces whose API answers every validation failure with 422 (Laravel's, seed 000), and creates with 201.
      if (compat) codes.push('422');
      if (compat && method === 'post') responses['201'] ??= { description: 'Created' };
      for (const c of codes) responses[c] ??= { description: STATUS_TEXT[c] };
      for (const [status, res] of Object.entries<Obj>(responses)) {
        if (Number(status) >= 400) {
          res.description =
            res.description && res.description !== 'Default Response'
              ? res.description
              : (STATUS_TEXT[status] ?? 'Error');
          res.content = compat
            ? { 'application/json': { schema: COMPAT_ERROR } }
            : { 'application/problem+json': { schema: PROBLEM_REF } };
          if (status === '429' || status === '503')
            res.headers = { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } };
        }
      }
      if (BINARY[path] && method === 'get') {
        responses['200'] = {
          description: 'The file',
          content: Object.fromEntries(
            BINARY[path].map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
          ),
        };
      }
      if (UPLOADS[path] && method === 'post') {
        op.requestBody = {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file'],
                properties: { file: { type: 'string', format: 'binary', description: UPLOADS[path] } },
              },
            },
          },
        };
      }
      if (compat) {
        for (const [status, res] of Object.entries<Obj>(responses)) {
          if (Number(status) < 400 && !res.content)
            res.content = { 'application/json': { schema: { type: 'object', additionalProperties: true } } };
        }
      }
    }
  }
  fixNullable(doc.paths);
  fixNullable(doc.components);
  doc.tags = [...tags].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  doc.servers ??= [{ url: '/', description: 'This server' }];
  doc.info = { ...doc.info, contact: { name: 'Leadflow', url: 'https://github.com/leadflow/leadflow' } };
  return doc;
}
