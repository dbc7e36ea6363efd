import type { FastifyInstance } from 'fastify';
import type { Session } from './helpers.js';

/** Seed 003's base path under the surface's mount. */
export const CRM = '/compat/crmcom/crmapi/rest/v2';

export async function v1(
  app: FastifyInstance,
  s: Session,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: object,
) {
  const res = await app.inject({
    method,
    url: `/api/v1${url}`,
    headers: s.headers,
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A token through `authentication/token` (email + password + organisation). */
export async function crmToken(app: FastifyInstance, s: Session, organisation?: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: `${CRM}/authentication/token`,
    payload: {
      username: s.email,
      password: 'correct horse battery',
      ...(organisation ? { organisation } : {}),
    },
  });
  if (res.statusCode !== 200) throw new Error(`token: ${res.statusCode} ${res.body}`);
  return res.json().data.token;
}

export function crm(app: FastifyInstance, token: string) {
  return {
    post: (path: string, body: object = {}) =>
      app.inject({ method: 'POST', url: `${CRM}/${path}`, payload: { token, ...body } }),
    get: (path: string, query: Record<string, string> = {}) =>
      app.inject({
        method: 'GET',
        url: `${CRM}/${path}?${new URLSearchParams({ token, ...query }).toString()}`,
      }),
  };
}

/** An organization's seed-003 set-up through /api/v1: a lead type with rules, catalogs, a team. */
export async function setUp(app: FastifyInstance, s: Session) {
  const category = await v1(app, s, 'POST', '/lead-categories', { name: 'Retail', alternative_code: 'RET' });
  const category2 = await v1(app, s, 'POST', '/lead-categories', {
    name: 'Wholesale',
    alternative_code: 'WHO',
  });
  const source = await v1(app, s, 'POST', '/lead-sources', { name: 'Web site', alternative_code: 'WEB' });
  const privacy = await v1(app, s, 'POST', '/privacy-levels', { name: 'Public', alternative_code: 'PUB' });
  const plain = await v1(app, s, 'POST', '/lead-types', {
    name: 'Plain',
    alternative_code: 'PL',
    default_category_id: category.id,
    default_status: 'qualified',
  });
  const emailType = await v1(app, s, 'POST', '/lead-types', {
    name: 'Email follow up',
    alternative_code: 'EM',
    communication: { email_required: true, phone_required: false },
  });
  const phoneType = await v1(app, s, 'POST', '/lead-types', {
    name: 'Phone follow up',
    alternative_code: 'PH',
    communication: { email_required: false, phone_required: true },
    lock_when_closed: true,
  });
  const team = await v1(app, s, 'POST', '/teams', { name: 'North' });
  const team2 = await v1(app, s, 'POST', '/teams', { name: 'South' });
  return { category, category2, source, privacy, plain, emailType, phoneType, team, team2 };
}

/** The smallest valid create body. */
export const minimal = (extra: Record<string, unknown> = {}) => ({
  type_identifier: { alternative_code: 'PL' },
  importance: 'IMPORTANCE3',
  priority: '2',
  contact_information: { first_name: 'Ada', last_name: 'Lovelace' },
  lead_source: { source_identifier: { alternative_code: 'WEB' } },
  ...extra,
});
