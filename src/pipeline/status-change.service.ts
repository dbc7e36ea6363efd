import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, notFound } from '../http/errors.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow } from '../leads/lead.repository.js';
import type { LeadDto } from '../leads/lead.schema.js';
import type { StatusRepository } from './status.repository.js';
import type { ReasonRepository } from './reason.repository.js';
import type { HistoryRepository, HistoryRow } from './history.repository.js';
import type { StatusChangeOptions, StatusRules, StatusTarget } from './status-rules.js';
import { displayKey } from './status.repository.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { emitLeadEvent } from '../webhooks/events.js';

export interface HistoryEntryDto {
  id: number;
  from: string | null;
  to: string;
  to_category: string;
  sub_status: string | null;
  /** `number`: the reason's number within the organization (surfaces that name reasons by it). */
  reason: { id: number; text: string; number?: number } | null;
  note: string | null;
  by: number | null;
  at: string;
}

export interface StatusChangeDeps {
  db: Kysely<Database>;
  leads: LeadRepository;
  statuses: StatusRepository;
  reasons: ReasonRepository;
  history: HistoryRepository;
  rules: StatusRules;
  present: (orgId: number, rows: LeadRow[], opts?: TxOptions) => Promise<LeadDto[]>;
  /** May the caller read/write this lead (visibility rules of the lead service)? 404 if not. */
  guard?: (auth: AuthContext, leadId: number, mode: 'read' | 'write', opts?: TxOptions) => Promise<void>;
}

/** Status changes of leads and their history. */
export function createStatusChangeService({
  db,
  leads,
  statuses,
  reasons,
  history,
  rules,
  present,
  ...deps
}: StatusChangeDeps) {
  const guard =
    deps.guard ??
    (async (auth: AuthContext, leadId: number, mode: 'read' | 'write', opts?: TxOptions) => {
      assertCan(auth, mode === 'read' ? 'leads:read' : 'leads:write');
      const lead = await leads.findById(auth.orgId, leadId, runner(db, opts));
      if (!lead || lead.deleted_at) throw notFound('Lead', leadId);
    });
  /** Maps history rows to entries, naming deleted statuses, sub-statuses and reasons as they were. */
  async function toEntries(
    orgId: number,
    rows: HistoryRow[],
    trx: Kysely<Database> = db,
  ): Promise<HistoryEntryDto[]> {
    const [all, subs, rs] = await Promise.all([
      statuses.listAllByOrg(orgId, trx),
      statuses.subStatusesByIds(
        orgId,
        rows.flatMap((r) => (r.sub_status_id ? [r.sub_status_id] : [])),
        trx,
      ),
      reasons.byIds(
        orgId,
        rows.flatMap((r) => (r.reason_id ? [r.reason_id] : [])),
        trx,
      ),
    ]);
    const byId = new Map(all.map((s) => [s.id, s]));
    return rows.map((r) => {
      const to = byId.get(r.to_status_id);
      const from = r.from_status_id === null ? undefined : byId.get(r.from_status_id);
      const reason = r.reason_id ? rs.get(r.reason_id) : undefined;
      const sub = r.sub_status_id ? subs.get(r.sub_status_id) : undefined;
      return {
        id: r.id,
        from: r.from_status_id === null ? null : from ? displayKey(from.key) : `status ${r.from_status_id}`,
        to: to ? displayKey(to.key) : `status ${r.to_status_id}`,
        to_category: to?.category ?? 'open',
        sub_status: sub ? displayKey(sub.name) : null,
        reason: reason ? { id: reason.id, text: reason.text } : null,
        note: r.note,
        by: r.created_by,
        at: r.created_at,
      };
    });
  }

  return {
    toEntries,

    /**
     * Moves a lead to a status (and sub-status), validated by the status rules, appending to its history.
     * The lead row is locked for the transaction, so concurrent changes apply one after the other and the
     * history always chains from the previous state. `opts.at` backdates the entry (imports, compat clients).
     * Returns the lead and the history entry written (null when the lead was already there and nothing was
     * recorded), so a caller can keep a reference to the entry without reading the history back.
     */
    async changeStatus(
      auth: AuthContext,
      leadId: number,
      target: StatusTarget & { status: string },
      opts: StatusChangeOptions & TxOptions = {},
    ): Promise<{ lead: LeadDto; history: HistoryEntryDto | null }> {
      const { tx, ...change } = opts;
      await guard(auth, leadId, 'write', { tx });
      const row = await inTransaction(db, { tx }, async (trx) => {
        const current = await leads.findById(auth.orgId, leadId, trx, true);
        if (!current || current.deleted_at) throw notFound('Lead', leadId);
        const plan = await rules.plan(trx, auth.orgId, auth.userId, current, target, {
          record: true,
          ...change,
        });
        if (!plan) return { row: current, entry: null };
        const updated = await leads.updateVersioned(trx, auth.orgId, leadId, current.version, {
          ...plan.set,
          updated_at: new Date().toISOString(),
          updated_by: auth.userId,
        });
        if (!updated)
          throw new AppError(
            'conflict',
            `Lead ${leadId} was changed by another request at the same time; try again.`,
          );
        const written = await leads.insertStatusHistory(
          trx,
          plan.history as Parameters<LeadRepository['insertStatusHistory']>[1],
        );
        await emitLeadEvent(trx, auth.orgId, 'lead.status_changed', updated, {
          from_status_id: current.status_id,
          to_status_id: updated.status_id,
        });
        return { row: updated, entry: (await toEntries(auth.orgId, [written], trx))[0] };
      });
      return { lead: (await present(auth.orgId, [row.row], { tx }))[0], history: row.entry };
    },

    async listStatusHistory(
      auth: AuthContext,
      leadId: number,
      opts: { limit?: number; cursor?: string } & TxOptions = {},
    ) {
      await guard(auth, leadId, 'read', opts);
      const q = runner(db, opts);
      const lead = await leads.findById(auth.orgId, leadId, q);
      if (!lead) throw notFound('Lead', leadId);
      const limit = opts.limit ?? 50;
      const after = opts.cursor ? decodeCursor(opts.cursor, 'history') : undefined;
      const rows = await history.listForLead(auth.orgId, leadId, limit + 1, after?.id, q);
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return {
        data: await toEntries(auth.orgId, page, q),
        next_cursor: more && last ? encodeCursor({ s: 'history', v: null, id: last.id }) : null,
      };
    },
  };
}

export type StatusChangeService = ReturnType<typeof createStatusChangeService>;
