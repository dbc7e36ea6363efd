import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { ExternalRefRepository } from './external-ref.repository.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

export const EXTERNAL_REF_ENTITIES = ['lead', 'status_history', 'follow_up'] as const;
export type ExternalRefEntity = (typeof EXTERNAL_REF_ENTITIES)[number];
export type RefValue = string | number | boolean;
export type RefValues = Record<string, RefValue>;

/**
 * Keeps values of a client's own system (staff ids of another CRM, say) beside Leadflow records, so a compatible
 * surface returns what its client wrote without putting foreign ids into Leadflow's user-id columns.
 */
export function createExternalRefService({
  db,
  refs,
}: {
  db: Kysely<Database>;
  refs: ExternalRefRepository;
}) {
  /** The refs one surface keeps (its `kit.name`): two surfaces never see or overwrite each other's values. */
  const forSurface = (surface: string) => ({
    /** Records values for one record of the caller's organization; undefined values are skipped. */
    async set(
      auth: AuthContext,
      entity: ExternalRefEntity,
      entityId: number,
      values: Record<string, RefValue | undefined>,
      opts: TxOptions = {},
    ): Promise<void> {
      assertCan(auth, 'leads:write');
      const entries = Object.entries(values).filter((e): e is [string, RefValue] => e[1] !== undefined);
      if (entries.length === 0) return;
      const now = nowIso();
      await inTransaction(db, opts, async (trx) => {
        for (const [name, value] of entries) {
          await refs.upsert(trx, {
            org_id: auth.orgId,
            surface,
            entity,
            entity_id: entityId,
            name,
            value: JSON.stringify(value),
            created_at: now,
          });
        }
      });
    },

    /** Values for several records at once: one statement, in the caller's transaction when given. */
    async setMany(
      auth: AuthContext,
      items: Array<{ entity: ExternalRefEntity; id: number; values: Record<string, RefValue | undefined> }>,
      opts: TxOptions = {},
    ): Promise<void> {
      assertCan(auth, 'leads:write');
      const now = nowIso();
      const rows = items.flatMap((it) =>
        Object.entries(it.values)
          .filter((e): e is [string, RefValue] => e[1] !== undefined)
          .map(([name, value]) => ({
            org_id: auth.orgId,
            surface,
            entity: it.entity,
            entity_id: it.id,
            name,
            value: JSON.stringify(value),
            created_at: now,
          })),
      );
      if (rows.length === 0) return;
      await inTransaction(db, opts, (trx) => refs.upsertMany(trx, rows));
    },

    /** Ids of the caller's records of one kind that carry `name` = `value` (e.g. leads of a client's owner). */
    async findIds(
      auth: AuthContext,
      entity: ExternalRefEntity,
      name: string,
      value: RefValue,
    ): Promise<number[]> {
      assertCan(auth, 'leads:read');
      return refs.findEntityIds(auth.orgId, surface, entity, name, JSON.stringify(value));
    },

    /** Values per record id (records with none are absent from the map). */
    async get(
      auth: AuthContext,
      entity: ExternalRefEntity,
      ids: number[],
      opts: TxOptions = {},
    ): Promise<Map<number, RefValues>> {
      assertCan(auth, 'leads:read');
      const out = new Map<number, RefValues>();
      for (const r of await refs.listFor(auth.orgId, surface, entity, ids, runner(db, opts))) {
        const m = out.get(r.entity_id) ?? {};
        m[r.name] = JSON.parse(r.value) as RefValue;
        out.set(r.entity_id, m);
      }
      return out;
    },
  });
  return { forSurface };
}

export type ExternalRefService = ReturnType<typeof createExternalRefService>;
export type SurfaceRefs = ReturnType<ExternalRefService['forSurface']>;
