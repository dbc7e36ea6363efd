import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../db/schema.js';
import { inTransaction, type TxOptions } from '../db/unit-of-work.js';
import { AppError, type FieldError } from '../http/errors.js';
import { errorResponses } from '../http/schemas.js';
import { requireAuth } from '../http/auth.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import type { StatusService } from '../pipeline/status.service.js';
import { StatusList } from '../pipeline/pipeline.schema.js';

/** Reordering the pipeline and choosing its default status, each in one transaction. */
export function createStatusOrderService({
  db,
  statuses,
  list,
}: {
  db: Kysely<Database>;
  statuses: StatusRepository;
  list: StatusService['listStatuses'];
}) {
  return {
    /** `keys` must name every live status once; positions become 10, 20, 30... in that order. */
    async reorder(auth: AuthContext, keys: string[], opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        const live = await statuses.listByOrg(auth.orgId, trx);
        const byKey = new Map(live.map((s) => [s.key, s]));
        const errors: FieldError[] = [];
        const seen = new Set<string>();
        keys.forEach((k, i) => {
          if (!byKey.has(k))
            errors.push({ field: `keys.${i}`, message: `"${k}" is not a status of this organization` });
          else if (seen.has(k)) errors.push({ field: `keys.${i}`, message: `"${k}" is listed twice` });
          seen.add(k);
        });
        const missing = live.filter((s) => !seen.has(s.key)).map((s) => s.key);
        if (missing.length)
          errors.push({ field: 'keys', message: `must list every status; missing: ${missing.join(', ')}` });
        if (errors.length)
          throw new AppError(
            'unprocessable',
            errors.map((e) => `${e.field} ${e.message}`).join('; '),
            errors,
          );
        for (const [i, k] of keys.entries()) {
          const s = byKey.get(k)!;
          if (s.position !== (i + 1) * 10)
            await statuses.update(trx, auth.orgId, s.id, { position: (i + 1) * 10 });
        }
      });
      return list(auth);
    },

    async setDefault(auth: AuthContext, key: string, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        const s = await statuses.findByKey(auth.orgId, key, trx);
        if (!s)
          throw new AppError('unprocessable', `key: "${key}" is not a status of this organization`, [
            { field: 'key', message: `"${key}" is not a status of this organization` },
          ]);
        if (s.is_default) return;
        await statuses.clearDefault(trx, auth.orgId);
        await statuses.update(trx, auth.orgId, s.id, { is_default: 1 });
      });
      return list(auth);
    },
  };
}
export type StatusOrderService = ReturnType<typeof createStatusOrderService>;

const Key = Type.String({ minLength: 1, maxLength: 100 });

export function statusOrderRoutes(svc: StatusOrderService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put(
      '/statuses/order',
      {
        schema: {
          tags: ['pipeline'],
          summary: 'Reorder the pipeline: every status key once, in the new order',
          body: Type.Object(
            { keys: Type.Array(Key, { minItems: 1, maxItems: 500 }) },
            { additionalProperties: false },
          ),
          response: { 200: StatusList, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => ({ data: await svc.reorder(requireAuth(req), req.body.keys) }),
    );
    app.put(
      '/statuses/default',
      {
        schema: {
          tags: ['pipeline'],
          summary: 'Choose the status new leads get when they name none',
          body: Type.Object({ key: Key }, { additionalProperties: false }),
          response: { 200: StatusList, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => ({ data: await svc.setDefault(requireAuth(req), req.body.key) }),
    );
  };
}
