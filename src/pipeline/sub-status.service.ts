import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { StatusRepository, StatusRow, SubStatusRow } from './status.repository.js';
import { displayKey } from './status.repository.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

export interface SubStatusDto {
  id: number;
  status: string;
  name: string;
  position: number;
  created_at: string;
}

function toSubStatusDto(s: SubStatusRow, statusKey: string): SubStatusDto {
  return {
    id: s.id,
    status: statusKey,
    name: displayKey(s.name),
    position: s.position,
    created_at: s.created_at,
  };
}

/** Sub-statuses: named refinements of a status, looked up by name within it. Part of the status service. */
export function createSubStatusService({
  db,
  statuses,
  loadStatus,
}: {
  db: Kysely<Database>;
  statuses: StatusRepository;
  loadStatus: (orgId: number, key: string, trx?: Kysely<Database>) => Promise<StatusRow>;
}) {
  async function loadSubStatus(orgId: number, status: StatusRow, name: string, trx: Kysely<Database> = db) {
    const sub = await statuses.findSubStatus(orgId, status.id, name, trx);
    if (!sub) throw notFound(`Sub-status of "${status.key}"`, JSON.stringify(name));
    return sub;
  }

  /** Adds a sub-status, or finds the live one of that name (`created: false`): for idempotent clients. */
  async function addSubStatus(
    auth: AuthContext,
    statusKey: string,
    input: { name: string; position?: number },
    opts: TxOptions = {},
  ): Promise<{ subStatus: SubStatusDto; created: boolean }> {
    assertCan(auth, 'settings:write');
    return inTransaction(db, opts, async (trx) => {
      const status = await loadStatus(auth.orgId, statusKey, trx);
      // One upsert on the unique key (a retired name comes back): parallel adds cannot both pass a check.
      const row = await statuses.upsertSubStatus(trx, {
        org_id: auth.orgId,
        status_id: status.id,
        name: input.name,
        position: input.position ?? (await statuses.maxSubStatusPosition(auth.orgId, status.id, trx)) + 10,
        created_at: nowIso(),
      });
      if (row) return { subStatus: toSubStatusDto(row, status.key), created: true };
      const live = await loadSubStatus(auth.orgId, status, input.name, trx);
      return { subStatus: toSubStatusDto(live, status.key), created: false };
    });
  }

  return {
    /** Sub-statuses of one status, or of every status when `statusKey` is absent. */
    async listSubStatuses(
      auth: AuthContext,
      statusKey?: string,
      opts: TxOptions = {},
    ): Promise<SubStatusDto[]> {
      assertCan(auth, 'leads:read');
      const q = runner(db, opts);
      const all = await statuses.listByOrg(auth.orgId, q);
      const keyOf = new Map(all.map((s) => [s.id, s.key]));
      const status = statusKey !== undefined ? await loadStatus(auth.orgId, statusKey, q) : undefined;
      const rows = await statuses.listSubStatuses(auth.orgId, status?.id, q);
      return rows
        .filter((r) => keyOf.has(r.status_id))
        .map((r) => toSubStatusDto(r, keyOf.get(r.status_id)!));
    },

    async createSubStatus(
      auth: AuthContext,
      statusKey: string,
      input: { name: string; position?: number },
      opts: TxOptions = {},
    ): Promise<SubStatusDto> {
      const { subStatus, created } = await addSubStatus(auth, statusKey, input, opts);
      if (!created)
        throw new AppError('conflict', `"${statusKey}" already has a sub-status "${input.name}".`, [
          { field: 'name', message: 'is already used in this status' },
        ]);
      return subStatus;
    },

    addSubStatus,

    async updateSubStatus(
      auth: AuthContext,
      statusKey: string,
      name: string,
      patch: { name?: string; position?: number },
      opts: TxOptions = {},
    ): Promise<SubStatusDto> {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const status = await loadStatus(auth.orgId, statusKey, trx);
        const sub = await loadSubStatus(auth.orgId, status, name, trx);
        if (
          patch.name !== undefined &&
          patch.name !== sub.name &&
          (await statuses.findSubStatus(auth.orgId, status.id, patch.name, trx))
        ) {
          throw new AppError('conflict', `"${statusKey}" already has a sub-status "${patch.name}".`, [
            { field: 'name', message: 'is already used in this status' },
          ]);
        }
        const row = await statuses.updateSubStatus(trx, auth.orgId, sub.id, {
          name: patch.name ?? sub.name,
          position: patch.position ?? sub.position,
        });
        return toSubStatusDto(row, status.key);
      });
    },

    async deleteSubStatus(
      auth: AuthContext,
      statusKey: string,
      name: string,
      opts: TxOptions = {},
    ): Promise<void> {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        const status = await loadStatus(auth.orgId, statusKey, trx);
        const sub = await loadSubStatus(auth.orgId, status, name, trx);
        const n = await statuses.countLeadsWithSubStatus(auth.orgId, sub.id, trx);
        if (n > 0)
          throw new AppError(
            'conflict',
            `${n} lead(s) have the sub-status "${name}"; change their status first.`,
          );
        await statuses.updateSubStatus(trx, auth.orgId, sub.id, {
          name: `${sub.name}~${sub.id}`,
          deleted_at: nowIso(),
        });
      });
    },

    /** Finds a sub-status by name within a status, creating it when missing (for surfaces that create on the fly). */
    async ensureSubStatus(
      orgId: number,
      statusKey: string,
      name: string,
      opts: TxOptions = {},
    ): Promise<SubStatusDto> {
      return inTransaction(db, opts, async (trx) => {
        const status = await loadStatus(orgId, statusKey, trx);
        const found = await statuses.findSubStatus(orgId, status.id, name, trx);
        if (found) return toSubStatusDto(found, status.key);
        const row =
          (await statuses.upsertSubStatus(trx, {
            org_id: orgId,
            status_id: status.id,
            name,
            position: (await statuses.maxSubStatusPosition(orgId, status.id, trx)) + 10,
            created_at: nowIso(),
          })) ?? (await statuses.findSubStatus(orgId, status.id, name, trx));
        return toSubStatusDto(row!, status.key);
      });
    },
  };
}
