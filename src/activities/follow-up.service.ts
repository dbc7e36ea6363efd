import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { assertCan, seesOnlyOwnLeads, type AuthContext } from '../access/roles.js';
import type { AccessRepository } from '../access/access.repository.js';
import type { LeadRepository, LeadRow } from '../leads/lead.repository.js';
import type { LeadDto } from '../leads/lead.schema.js';
import { parseOptionalInstant } from '../pipeline/instant.js';
import { summarizeFollowUps, type ActivityRepository, type FollowUpRow } from './activity.repository.js';
import { checkMember, defaultGuard, loadLead, type LeadGuard } from './lead-access.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { emitEvent } from '../webhooks/events.js';

export interface FollowUpInput {
  scheduled_at?: string | null;
  done_at?: string | null;
  done_by?: number | null;
  notes?: string | null;
  next_follow_up_at?: string | null;
  /** When the entry was recorded, for backdated imports (default now). */
  created_at?: string;
}

export interface FollowUpDto {
  id: number;
  lead_id: number;
  state: 'planned' | 'done';
  scheduled_at: string | null;
  done_at: string | null;
  done_by: number | null;
  notes: string | null;
  next_follow_up_at: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export function toFollowUpResponse(r: FollowUpRow): FollowUpDto {
  return {
    id: r.id,
    lead_id: r.lead_id,
    state: r.done_at ? 'done' : 'planned',
    scheduled_at: r.scheduled_at,
    done_at: r.done_at,
    done_by: r.done_by,
    notes: r.notes,
    next_follow_up_at: r.next_follow_up_at,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** A follow-up checked by `prepareFirstFollowUps`, ready to insert. */
export interface PreparedFollowUp {
  scheduled_at: string | null;
  done_at: string | null;
  next_follow_up_at: string | null;
  done_by: number | null;
  notes: string | null;
  created_at: string;
}

export interface FollowUpDeps {
  db: Kysely<Database>;
  activities: ActivityRepository;
  leads: LeadRepository;
  access: AccessRepository;
  present: (orgId: number, rows: LeadRow[], opts?: TxOptions) => Promise<LeadDto[]>;
  guard?: LeadGuard;
}

/** Follow-ups, and the lead's next/last follow-up columns that summarize them. */
export function createFollowUpService({ db, activities, leads, access, present, ...deps }: FollowUpDeps) {
  const guard = deps.guard ?? defaultGuard(leads);
  /** Parses and checks the dates of a follow-up as it will be once `input` applies to `base`. */
  async function normalize(
    orgId: number,
    input: FollowUpInput,
    base: FollowUpRow | null,
    userId: number | null,
    trx: Kysely<Database>,
  ) {
    const v = {
      scheduled_at: parseOptionalInstant('scheduled_at', input.scheduled_at),
      done_at: parseOptionalInstant('done_at', input.done_at, { notFuture: true }),
      next_follow_up_at: parseOptionalInstant('next_follow_up_at', input.next_follow_up_at),
    };
    const scheduled = v.scheduled_at !== undefined ? v.scheduled_at : (base?.scheduled_at ?? null);
    const done = v.done_at !== undefined ? v.done_at : (base?.done_at ?? null);
    const next = v.next_follow_up_at !== undefined ? v.next_follow_up_at : (base?.next_follow_up_at ?? null);
    let doneBy = input.done_by !== undefined ? input.done_by : (base?.done_by ?? null);
    if (!scheduled && !done)
      throw fieldError('scheduled_at', 'a follow-up needs scheduled_at (planned) or done_at (done)');
    if (next && done && next <= done) throw fieldError('next_follow_up_at', 'must be after done_at');
    if (!done && input.done_by !== undefined && input.done_by !== null)
      throw fieldError('done_by', 'only a done follow-up (with done_at) has done_by');
    if (done && doneBy === null) doneBy = userId;
    if (!done) doneBy = null;
    await checkMember(access, orgId, 'done_by', input.done_by, trx);
    return { scheduled_at: scheduled, done_at: done, next_follow_up_at: next, done_by: doneBy };
  }

  /** Brings the lead's next_follow_up_at / last_follow_up_at in line with its follow-ups. */
  async function syncLead(trx: Kysely<Database>, auth: AuthContext, lead: LeadRow) {
    const { last, next } = await activities.followUpSummary(trx, auth.orgId, lead.id);
    if (last === lead.last_follow_up_at && next === lead.next_follow_up_at) return;
    const ok = await leads.updateVersioned(trx, auth.orgId, lead.id, lead.version, {
      last_follow_up_at: last,
      next_follow_up_at: next,
      updated_at: nowIso(),
      updated_by: auth.userId,
    });
    if (!ok)
      throw new AppError(
        'conflict',
        `Lead ${lead.id} was changed by another request at the same time; try again.`,
      );
  }

  async function load(orgId: number, leadId: number, id: number, trx?: Kysely<Database>) {
    const row = await activities.findFollowUp(orgId, leadId, id, trx);
    if (!row) throw notFound('Follow-up', id);
    return row;
  }

  return {
    async listFollowUps(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<FollowUpDto[]> {
      await guard(auth, leadId, 'read', opts);
      const q = runner(db, opts);
      await loadLead(leads, auth.orgId, leadId, q);
      return (await activities.listFollowUps(auth.orgId, leadId, q)).map(toFollowUpResponse);
    },

    /**
     * Records a follow-up: planned (scheduled_at), done (done_at, done_by, notes) and/or the next one decided
     * (next_follow_up_at). The lead's next/last follow-up columns follow in the same transaction.
     */
    async addFollowUp(
      auth: AuthContext,
      leadId: number,
      input: FollowUpInput,
      opts: TxOptions = {},
    ): Promise<FollowUpDto> {
      await guard(auth, leadId, 'write', opts);
      const v = await normalize(auth.orgId, input, null, auth.userId, runner(db, opts));
      const createdAt = parseOptionalInstant('created_at', input.created_at, { notFuture: true }) ?? nowIso();
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(leads, auth.orgId, leadId, trx, true);
        const row = await activities.insertFollowUp(trx, {
          org_id: auth.orgId,
          lead_id: leadId,
          ...v,
          notes: input.notes ?? null,
          created_by: auth.userId,
          created_at: createdAt,
          updated_at: nowIso(),
        });
        await syncLead(trx, auth, lead);
        const dto = toFollowUpResponse(row);
        await emitEvent(trx, auth.orgId, 'follow_up.created', { lead_id: leadId, follow_up: dto });
        return dto;
      });
    },

    /**
     * Checks the first follow-ups of a lead about to be created (the rules of `addFollowUp`; faults name
     * `<path>.<i>.<field>`), writing nothing. `summary` is what the new lead's follow-up columns will say, so the
     * lead is inserted with them (src/leads/lead-compose.service.ts); `insertForNewLead` then writes the rows.
     */
    async prepareFirstFollowUps(
      auth: AuthContext,
      inputs: FollowUpInput[],
      opts: TxOptions & { path?: string } = {},
    ) {
      assertCan(auth, 'leads:write');
      const q = runner(db, opts);
      const rows: PreparedFollowUp[] = [];
      for (const [i, input] of inputs.entries()) {
        try {
          const v = await normalize(auth.orgId, input, null, auth.userId, q);
          const createdAt =
            parseOptionalInstant('created_at', input.created_at, { notFuture: true }) ?? nowIso();
          rows.push({ ...v, notes: input.notes ?? null, created_at: createdAt });
        } catch (e) {
          if (!(e instanceof AppError) || !e.errors) throw e;
          const at = `${opts.path ?? 'follow_ups'}.${i}.`;
          const errors = e.errors.map((f) => ({ ...f, field: at + f.field }));
          throw new AppError(e.code, errors.map((f) => `${f.field}: ${f.message}`).join('; '), errors);
        }
      }
      return { rows, summary: summarizeFollowUps(rows) };
    },

    /** Writes prepared follow-ups of a lead created in this unit of work, in one statement. */
    async insertForNewLead(
      auth: AuthContext,
      lead: LeadRow,
      prepared: PreparedFollowUp[],
      opts: TxOptions,
    ): Promise<FollowUpDto[]> {
      assertCan(auth, 'leads:write');
      const now = nowIso();
      return inTransaction(db, opts, async (trx) =>
        (
          await activities.insertFollowUps(
            trx,
            prepared.map((p) => ({
              org_id: auth.orgId,
              lead_id: lead.id,
              ...p,
              created_by: auth.userId,
              updated_at: now,
            })),
          )
        ).map(toFollowUpResponse),
      );
    },

    async updateFollowUp(
      auth: AuthContext,
      leadId: number,
      id: number,
      input: Omit<FollowUpInput, 'created_at'>,
      opts: TxOptions = {},
    ): Promise<FollowUpDto> {
      await guard(auth, leadId, 'write', opts);
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(leads, auth.orgId, leadId, trx, true);
        const current = await load(auth.orgId, leadId, id, trx);
        const v = await normalize(auth.orgId, input, current, auth.userId, trx);
        const row = await activities.updateFollowUp(trx, auth.orgId, id, {
          ...v,
          notes: input.notes !== undefined ? input.notes : current.notes,
          updated_at: nowIso(),
        });
        await syncLead(trx, auth, lead);
        const dto = toFollowUpResponse(row);
        await emitEvent(trx, auth.orgId, 'follow_up.updated', { lead_id: leadId, follow_up: dto });
        return dto;
      });
    },

    async deleteFollowUp(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<void> {
      await guard(auth, leadId, 'write', opts);
      await inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(leads, auth.orgId, leadId, trx, true);
        await load(auth.orgId, leadId, id, trx);
        await activities.deleteFollowUp(trx, auth.orgId, id);
        await syncLead(trx, auth, lead);
        await emitEvent(trx, auth.orgId, 'follow_up.deleted', { lead_id: leadId, follow_up: { id } });
      });
    },

    /** The follow-up queue: leads whose next follow-up is due by `dueBefore`, soonest first. */
    async listDueFollowUps(
      auth: AuthContext,
      q: {
        due_before?: string;
        owner_id?: number;
        include_closed?: boolean;
        limit?: number;
        cursor?: string;
      },
    ) {
      assertCan(auth, 'leads:read');
      const limit = q.limit ?? 50;
      const dueBefore = parseOptionalInstant('due_before', q.due_before) ?? undefined;
      const c = q.cursor ? decodeCursor(q.cursor, 'follow-ups') : undefined;
      const rows = await activities.followUpQueue(auth.orgId, {
        dueBefore,
        // Agents work their own queue (the stricter reading of their visibility rule).
        ownerId: seesOnlyOwnLeads(auth) ? auth.userId! : q.owner_id,
        // Won, lost, converted and closed leads leave the queue unless asked for.
        categories: q.include_closed ? undefined : ['open', 'on_hold'],
        limit: limit + 1,
        after: c ? { at: String(c.v), id: c.id } : undefined,
      });
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const dtos = await present(auth.orgId, page);
      const now = nowIso();
      const last = page[page.length - 1];
      return {
        data: dtos.map((lead) => ({
          due_at: lead.next_follow_up_at!,
          overdue: lead.next_follow_up_at! < now,
          lead,
        })),
        next_cursor:
          more && last ? encodeCursor({ s: 'follow-ups', v: last.next_follow_up_at, id: last.id }) : null,
      };
    },

    /**
     * Sets the lead's next follow-up directly (compatible clients send it on the lead). It holds until the next
     * change to the lead's follow-ups recomputes it.
     */
    async setNextFollowUp(
      auth: AuthContext,
      leadId: number,
      at: string | null,
      opts: TxOptions = {},
    ): Promise<LeadDto> {
      await guard(auth, leadId, 'write', opts);
      const value = parseOptionalInstant('next_follow_up_at', at) ?? null;
      const row = await inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(leads, auth.orgId, leadId, trx, true);
        if (lead.next_follow_up_at === value) return lead;
        const now = nowIso();
        const updated = await leads.updateVersioned(trx, auth.orgId, leadId, lead.version, {
          next_follow_up_at: value,
          updated_at: now,
          updated_by: auth.userId,
        });
        if (!updated)
          throw new AppError(
            'conflict',
            `Lead ${leadId} was changed by another request at the same time; try again.`,
          );
        await leads.insertFieldChanges(trx, [
          {
            org_id: auth.orgId,
            lead_id: leadId,
            field: 'next_follow_up_at',
            old_value: JSON.stringify(lead.next_follow_up_at),
            new_value: JSON.stringify(value),
            changed_by: auth.userId,
            changed_at: now,
          },
        ]);
        return updated;
      });
      return (await present(auth.orgId, [row], opts))[0];
    },
  };
}

export type FollowUpService = ReturnType<typeof createFollowUpService>;
