import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../db/schema.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { fieldError } from '../http/errors.js';
import { errorResponses, Nullable } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import { findOrgTimeZone, isTimeZone, updateOrgTimeZone } from './time-zone.js';

/** The organization's IANA time zone: read by anyone in it, set by admins. */
export function createTimeZoneService(db: Kysely<Database>) {
  return {
    async get(auth: AuthContext, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      return { time_zone: await findOrgTimeZone(runner(db, opts), auth.orgId) };
    },
    async set(auth: AuthContext, zone: string | null, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      if (zone !== null && !isTimeZone(zone))
        throw fieldError('time_zone', `"${zone}" is not an IANA time zone such as "Europe/Paris"`);
      await inTransaction(db, opts, (trx) => updateOrgTimeZone(trx, auth.orgId, zone));
      return { time_zone: zone };
    },
  };
}

const Body = Type.Object(
  {
    time_zone: Nullable(
      Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. "Europe/Paris"; null = UTC' }),
    ),
  },
  { additionalProperties: false },
);

export function timeZoneRoutes(svc: ReturnType<typeof createTimeZoneService>): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['organization'];
    app.get(
      '/organization/time-zone',
      {
        schema: {
          tags,
          summary: "The organization's time zone (local times and date-only values are read in it)",
          response: { 200: Body, ...errorResponses(401) },
        },
      },
      async (req) => svc.get(requireAuth(req)),
    );
    app.put(
      '/organization/time-zone',
      {
        schema: {
          tags,
          summary: "Set the organization's time zone (IANA name)",
          body: Body,
          response: { 200: Body, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => svc.set(requireAuth(req), req.body.time_zone),
    );
  };
}
