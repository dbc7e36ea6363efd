import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { Session } from './helpers.js';

/** Invites a new person with `role` into the organization of `admin` and accepts: returns their session. */
export async function addMember(
  app: FastifyInstance,
  admin: Session,
  role: string,
  teamIds: number[] = [],
): Promise<Session & { invitationId: number }> {
  const email = `member.${randomBytes(4).toString('hex')}@example.com`;
  const inv = await app.inject({
    method: 'POST',
    url: '/api/v1/invitations',
    headers: admin.headers,
    payload: { email, role, team_ids: teamIds },
  });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.statusCode} ${inv.body}`);
  const acc = await app.inject({
    method: 'POST',
    url: `/api/v1/invitations/${inv.json().token}/accept`,
    payload: { name: `A ${role}`, password: 'a long password' },
  });
  if (acc.statusCode !== 200) throw new Error(`accept failed: ${acc.statusCode} ${acc.body}`);
  const j = acc.json();
  return {
    token: j.token,
    userId: j.user.id,
    orgId: j.organization_id,
    email,
    headers: { authorization: `Bearer ${j.token}` },
    invitationId: inv.json().id,
  };
}

export async function createApiKey(
  app: FastifyInstance,
  admin: Session,
  scopes: string[],
  extra: Record<string, unknown> = {},
) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: admin.headers,
    payload: { name: `key ${scopes.join(' ')}`, scopes, ...extra },
  });
  if (res.statusCode !== 201) throw new Error(`api key failed: ${res.statusCode} ${res.body}`);
  const j = res.json();
  return { ...j, headers: { authorization: `Bearer ${j.key}` } };
}

export async function auditActions(
  app: FastifyInstance,
  admin: Session,
  action?: string,
): Promise<Array<Record<string, any>>> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/audit-log?limit=200${action ? `&action=${action}` : ''}`,
    headers: admin.headers,
  });
  if (res.statusCode !== 200) throw new Error(`audit failed: ${res.statusCode} ${res.body}`);
  return res.json().data;
}
