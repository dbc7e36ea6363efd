import type { Insertable, Kysely } from 'kysely';
import type { Database, StatusHistoryTable } from '../db/schema.js';
import { AppError, fieldError, type FieldError } from '../http/errors.js';
import type { LeadRow, LeadUpdate } from '../leads/lead.repository.js';
import type { ReasonRepository, ReasonRow } from './reason.repository.js';
import type { StatusRepository, StatusRow, SubStatusRow } from './status.repository.js';
import { parseInstant } from './instant.js';
import type { CatalogSnapshot } from './catalog-snapshot.js';

/** Where a lead should go: a status key, optionally a sub-status name of that status and a reason id. */
export interface StatusTarget {
  /** Status key; absent keeps the current status (only the sub-status changes). */
  status?: string;
  /** Sub-status name within the status; null clears it; absent clears it on a status change, else keeps it. */
  sub_status?: string | null;
  reason_id?: number | null;
  note?: string | null;
}

export interface StatusChangeOptions {
  /** When it happened (ISO), for backdated entries from imports and compatible clients. Default: now. */
  at?: string;
  /** Who made the change (a user id), when not the caller. */
  by?: number | null;
  /** Append a history row even when status and sub-status stay the same (an explicit status action). */
  record?: boolean;
  /** The organization's catalogs already read by the caller (src/pipeline/catalog-snapshot.ts): no reads. */
  known?: CatalogSnapshot;
}

export interface ResolvedTarget {
  status: StatusRow;
  subStatus: SubStatusRow | null;
  reason: ReasonRow | null;
}

export interface StatusChangePlan extends ResolvedTarget {
  set: LeadUpdate;
  history: Insertable<StatusHistoryTable>;
}

export function reasonCategories(r: ReasonRow): string[] | null {
  return r.categories ? (JSON.parse(r.categories) as string[]) : null;
}

/**
 * The one place that decides whether a status change is allowed and what it writes. POST /leads/:id/status,
 * PATCH /leads/:id with `status`, lead creation and every compatible surface go through it.
 */
export function createStatusRules({
  statuses,
  reasons,
}: {
  statuses: StatusRepository;
  reasons: ReasonRepository;
}) {
  /** Validates a target, collecting every problem into one 422 that names the fields. */
  async function resolve(
    trx: Kysely<Database>,
    orgId: number,
    target: StatusTarget & { status: string },
    /** Whether the lead enters this status (a reason may be required), or a test of the status found. */
    changing: boolean | ((status: StatusRow) => boolean),
    known?: CatalogSnapshot,
  ): Promise<ResolvedTarget> {
    const status = known
      ? known.statuses.find((s) => s.key === target.status)
      : await statuses.findByKey(orgId, target.status, trx);
    if (!status) {
      const keys = (known?.statuses ?? (await statuses.listByOrg(orgId, trx))).map((s) => s.key);
      throw fieldError(
        'status',
        `"${target.status}" is not a status of this organization (one of: ${keys.join(', ')})`,
      );
    }
    const errors: FieldError[] = [];
    let subStatus: SubStatusRow | null = null;
    if (typeof target.sub_status === 'string') {
      const name = target.sub_status;
      subStatus =
        (known
          ? known.subStatuses.find((s) => s.status_id === status.id && s.name === name)
          : await statuses.findSubStatus(orgId, status.id, name, trx)) ?? null;
      if (!subStatus) {
        const own = (
          known
            ? known.subStatuses.filter((s) => s.status_id === status.id)
            : await statuses.listSubStatuses(orgId, status.id, trx)
        ).map((s) => s.name);
        const elsewhere = known
          ? known.subStatuses.filter((s) => s.name === name)
          : await statuses.findSubStatusesNamed(orgId, name, trx);
        const hint = elsewhere.length
          ? `it is a sub-status of another status, not of "${status.key}"`
          : `it is not a sub-status of "${status.key}"`;
        errors.push({
          field: 'sub_status',
          message: `${hint} (${own.length ? `one of: ${own.join(', ')}` : `"${status.key}" has no sub-statuses`})`,
        });
      }
    }
    let reason: ReasonRow | null = null;
    if (target.reason_id !== undefined && target.reason_id !== null) {
      const id = target.reason_id;
      reason =
        (known ? known.reasons.find((r) => r.id === id) : await reasons.findLive(orgId, id, trx)) ?? null;
      if (!reason)
        errors.push({
          field: 'reason_id',
          message: `${target.reason_id} is not a reason of this organization (GET /api/v1/reasons)`,
        });
      else {
        const cats = reasonCategories(reason);
        if (cats && !cats.includes(status.category)) {
          errors.push({
            field: 'reason_id',
            message: `reason ${reason.id} ("${reason.text}") is for ${cats.join('/')} statuses, not ${status.category}`,
          });
          reason = null;
        }
      }
    } else if ((typeof changing === 'function' ? changing(status) : changing) && status.reason_required) {
      errors.push({
        field: 'reason_id',
        message: `is required to enter "${status.key}" (GET /api/v1/reasons?category=${status.category})`,
      });
    }
    if (errors.length)
      throw new AppError('unprocessable', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    return { status, subStatus, reason };
  }

  return {
    resolve,

    /**
     * Plans a change of `current` towards `target`: the lead columns to set and the history row to append.
     * Returns null when nothing would change and no explicit record was asked for.
     */
    async plan(
      trx: Kysely<Database>,
      orgId: number,
      userId: number | null,
      current: LeadRow,
      target: StatusTarget,
      opts: StatusChangeOptions = {},
    ): Promise<StatusChangePlan | null> {
      const at =
        opts.at !== undefined ? parseInstant('at', opts.at, { notFuture: true }) : new Date().toISOString();
      let key = target.status;
      if (key === undefined) {
        const byId = (s: StatusRow) => s.id === current.status_id;
        const cur = opts.known?.statuses.find(byId) ?? (await statuses.listAllByOrg(orgId, trx)).find(byId);
        key = cur?.key ?? '';
      }
      const resolved = await resolve(
        trx,
        orgId,
        { ...target, status: key },
        (s) => s.id !== current.status_id,
        opts.known,
      );
      const statusChanges = resolved.status.id !== current.status_id;
      let subStatusId: number | null;
      if (target.sub_status === undefined) subStatusId = statusChanges ? null : current.sub_status_id;
      else subStatusId = resolved.subStatus?.id ?? null;
      const subChanges = subStatusId !== current.sub_status_id;
      if (!statusChanges && !subChanges && !opts.record) {
        if (resolved.reason || target.note) {
          throw fieldError(
            'status',
            'the lead is already in this status and sub-status; a reason or note needs a change (or POST /api/v1/leads/:id/status)',
          );
        }
        return null;
      }
      const set: LeadUpdate = { status_id: resolved.status.id, sub_status_id: subStatusId };
      if (statusChanges) set.status_changed_at = at;
      return {
        ...resolved,
        set,
        history: {
          org_id: orgId,
          lead_id: current.id,
          from_status_id: current.status_id,
          to_status_id: resolved.status.id,
          sub_status_id: subStatusId,
          reason_id: resolved.reason?.id ?? null,
          note: target.note ?? null,
          created_by: opts.by !== undefined ? opts.by : userId,
          created_at: at,
        },
      };
    },
  };
}

export type StatusRules = ReturnType<typeof createStatusRules>;
