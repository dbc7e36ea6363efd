import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DEFAULT_STATUSES } from './default-statuses.js';

type Q = Kysely<Database>;

export function createStatusRepository(db: Q) {
  return {
    async insertDefaults(trx: Q, orgId: number, now: string) {
      await trx
        .insertInto('statuses')
        .values(
          DEFAULT_STATUSES.map((s, i) => ({
            org_id: orgId,
            key: s.key,
            label: s.label,
            position: (i + 1) * 10,
            category: s.category,
            reason_required: s.reason_required ? 1 : 0,
            is_default: s.is_default ? 1 : 0,
            created_at: now,
          })),
        )
        .execute();
    },
    async listByOrg(orgId: number, trx: Q = db) {
      return trx.selectFrom('statuses').selectAll().where('org_id', '=', orgId).orderBy('position').orderBy('id').execute();
    },
    async findByKey(orgId: number, key: string, trx: Q = db) {
      return trx.selectFrom('statuses').selectAll().where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
    },
    async findDefault(orgId: number, trx: Q = db) {
      return (
        (await trx
          .selectFrom('statuses')
          .selectAll()
          .where('org_id', '=', orgId)
          .orderBy('is_default', 'desc')
          .orderBy('position')
          .limit(1)
          .executeTakeFirst()) ?? null
      );
    },
  };
}

export type StatusRepository = ReturnType<typeof createStatusRepository>;
