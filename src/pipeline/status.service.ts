import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { StatusRepository, StatusRow } from './status.repository.js';
export { displayKey } from './status.repository.js';
import type { StatusRules } from './status-rules.js';
import type { Category } from './default-statuses.js';
import { createSubStatusService } from './sub-status.service.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { defaultLifecycle, type Lifecycle } from '../catalogs/lifecycle.js';
export type { SubStatusDto } from './sub-status.service.js';

export interface StatusDto {
  key: string;
  label: string;
  position: number;
  category: string;
  reason_required: boolean;
  is_default: boolean;
  lifecycle: Lifecycle;
  sub_statuses: string[];
  lead_count: number;
}

export interface StatusInput {
  key: string;
  label: string;
  category: Category;
  position?: number;
  reason_required?: boolean;
  is_default?: boolean;
  lifecycle?: Lifecycle;
}

/** Statuses and their sub-statuses: the organization's pipeline, edited by admins. */
export function createStatusService({
  db,
  statuses,
  rules,
}: {
  db: Kysely<Database>;
  statuses: StatusRepository;
  rules: StatusRules;
}) {
  async function loadStatus(orgId: number, key: string, trx: Kysely<Database> = db): Promise<StatusRow> {
    const s = await statuses.findByKey(orgId, key, trx);
    if (!s) throw notFound('Status', key);
    return s;
  }

  async function present(orgId: number, rows: StatusRow[], trx: Kysely<Database> = db): Promise<StatusDto[]> {
    const [subs, counts] = await Promise.all([
      statuses.listSubStatuses(orgId, undefined, trx),
      statuses.countLeadsByStatus(orgId, trx),
    ]);
    return rows.map((s) => ({
      key: s.key,
      label: s.label,
      position: s.position,
      category: s.category,
      reason_required: s.reason_required === 1,
      is_default: s.is_default === 1,
      lifecycle: (s.lifecycle ?? defaultLifecycle(s.category, s.is_default === 1)) as Lifecycle,
      sub_statuses: subs.filter((x) => x.status_id === s.id).map((x) => x.name),
      lead_count: counts.get(s.id) ?? 0,
    }));
  }

  return {
    async listStatuses(auth: AuthContext): Promise<StatusDto[]> {
      assertCan(auth, 'leads:read');
      return present(auth.orgId, await statuses.listByOrg(auth.orgId));
    },

    async getStatus(auth: AuthContext, key: string): Promise<StatusDto> {
      assertCan(auth, 'leads:read');
      return (await present(auth.orgId, [await loadStatus(auth.orgId, key)]))[0];
    },

    async createStatus(auth: AuthContext, input: StatusInput, opts: TxOptions = {}): Promise<StatusDto> {
      assertCan(auth, 'settings:write');
      const row = await inTransaction(db, opts, async (trx) => {
        if (await statuses.findByKey(auth.orgId, input.key, trx)) {
          throw new AppError('conflict', `A status "${input.key}" already exists.`, [
            { field: 'key', message: 'is already used' },
          ]);
        }
        if (input.is_default) await statuses.clearDefault(trx, auth.orgId);
        return statuses.insert(trx, {
          org_id: auth.orgId,
          key: input.key,
          label: input.label,
          category: input.category,
          position: input.position ?? (await statuses.maxPosition(auth.orgId, trx)) + 10,
          reason_required: input.reason_required ? 1 : 0,
          is_default: input.is_default ? 1 : 0,
          lifecycle: input.lifecycle ?? defaultLifecycle(input.category, input.is_default),
          created_at: nowIso(),
        });
      });
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    async updateStatus(
      auth: AuthContext,
      key: string,
      patch: Partial<StatusInput>,
      opts: TxOptions = {},
    ): Promise<StatusDto> {
      assertCan(auth, 'settings:write');
      const row = await inTransaction(db, opts, async (trx) => {
        const s = await loadStatus(auth.orgId, key, trx);
        if (
          patch.key !== undefined &&
          patch.key !== s.key &&
          (await statuses.findByKey(auth.orgId, patch.key, trx))
        ) {
          throw new AppError('conflict', `A status "${patch.key}" already exists.`, [
            { field: 'key', message: 'is already used' },
          ]);
        }
        if (patch.is_default === false && s.is_default) {
          throw fieldError(
            'is_default',
            'an organization needs a default status: make another status the default instead',
          );
        }
        if (patch.is_default && !s.is_default) await statuses.clearDefault(trx, auth.orgId);
        return statuses.update(trx, auth.orgId, s.id, {
          key: patch.key ?? s.key,
          label: patch.label ?? s.label,
          category: patch.category ?? s.category,
          position: patch.position ?? s.position,
          reason_required:
            patch.reason_required === undefined ? s.reason_required : patch.reason_required ? 1 : 0,
          is_default: patch.is_default === undefined ? s.is_default : patch.is_default ? 1 : 0,
          lifecycle:
            patch.lifecycle ??
            (patch.category !== undefined
              ? defaultLifecycle(patch.category, s.is_default === 1)
              : s.lifecycle),
        });
      });
      return (await present(auth.orgId, [row], runner(db, opts)))[0];
    },

    /**
     * Deletes a status. Leads in it (trash included) must go somewhere: without `moveTo` that is a 409; with it,
     * every lead moves and gets a history row, so the history still explains where each lead is.
     */
    async deleteStatus(
      auth: AuthContext,
      key: string,
      opts: { moveTo?: string; reasonId?: number } & TxOptions = {},
    ): Promise<{ moved: number }> {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const s = await loadStatus(auth.orgId, key, trx);
        if (s.is_default)
          throw new AppError(
            'conflict',
            `"${key}" is the default status for new leads; make another status the default first.`,
          );
        const used = await statuses.countLeads(auth.orgId, s.id, trx);
        let moved = 0;
        if (used.total > 0) {
          if (opts.moveTo === undefined) {
            throw new AppError(
              'conflict',
              `${used.total} lead(s) are in "${key}"${used.trashed ? ` (${used.trashed} in the trash)` : ''}; move them with ?move_to=<status key>.`,
              [{ field: 'move_to', message: 'is required while leads are in this status' }],
            );
          }
          if (opts.moveTo === key)
            throw fieldError('move_to', 'must be another status than the one being deleted');
          const target = await rules
            .resolve(trx, auth.orgId, { status: opts.moveTo, reason_id: opts.reasonId ?? null }, true)
            .catch((e: AppError) => {
              throw e.errors?.[0]?.field === 'status' ? fieldError('move_to', e.errors[0].message) : e;
            });
          moved = await statuses.moveLeads(
            trx,
            auth.orgId,
            s.id,
            target.status.id,
            target.reason?.id ?? null,
            `status "${key}" was deleted`,
            auth.userId,
            nowIso(),
          );
        }
        const now = nowIso();
        for (const sub of await statuses.listSubStatuses(auth.orgId, s.id, trx)) {
          await statuses.updateSubStatus(trx, auth.orgId, sub.id, {
            name: `${sub.name}~${sub.id}`,
            deleted_at: now,
          });
        }
        await statuses.update(trx, auth.orgId, s.id, {
          key: `${s.key}~${s.id}`,
          deleted_at: now,
          is_default: 0,
        });
        return { moved };
      });
    },

    ...createSubStatusService({ db, statuses, loadStatus }),
  };
}

export type StatusService = ReturnType<typeof createStatusService>;
