import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import { assertCan, type AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow } from '../leads/lead.repository.js';
import type { AssignmentRepository, RuleRow } from './assignment.repository.js';
import { allMatch, checkConditions, type Condition } from './conditions.js';

export const STRATEGIES = ['round_robin', 'least_open', 'user', 'team'] as const;
export type Strategy = (typeof STRATEGIES)[number];
/** Odoo's default: 30 leads per user per 30 days. */
export const DEFAULT_CAPACITY = 30;
export const SLA_JOB = 'assignment.sla';

export interface RuleInput {
  name: string;
  enabled?: boolean;
  conditions?: Condition[];
  strategy: Strategy;
  user_ids?: number[];
  team_id?: number | null;
  capacity?: number | null;
  capacity_days?: number;
  sla_minutes?: number | null;
}

export interface RuleDto {
  id: number;
  name: string;
  position: number;
  enabled: boolean;
  conditions: Condition[];
  strategy: string;
  user_ids: number[];
  team_id: number | null;
  capacity: number;
  capacity_days: number;
  sla_minutes: number | null;
  created_at: string;
  updated_at: string;
}

export function toRuleDto(r: RuleRow): RuleDto {
  return {
    id: r.id,
    name: r.name,
    position: r.position,
    enabled: r.enabled === 1,
    conditions: JSON.parse(r.conditions) as Condition[],
    strategy: r.strategy,
    user_ids: JSON.parse(r.user_ids) as number[],
    team_id: r.team_id,
    capacity: r.capacity ?? DEFAULT_CAPACITY,
    capacity_days: r.capacity_days,
    sla_minutes: r.sla_minutes,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** What a rule decided for one new lead. */
interface Decision {
  rule: RuleRow;
  userId: number | null;
  teamId: number | null;
}

export interface AssignmentDeps {
  db: Kysely<Database>;
  repo: AssignmentRepository;
  leads: LeadRepository;
  /** The job queue's insert, in the caller's transaction (SLA checks are jobs due at the deadline). */
  enqueue(
    trx: Kysely<Database>,
    orgId: number,
    kind: string,
    payload: unknown,
    runAfter: string,
  ): Promise<number>;
  /** Emits a webhook event in the caller's transaction (src/webhooks). */
  emit?(trx: Kysely<Database>, orgId: number, type: string, data: unknown): Promise<void>;
  /** Injected for tests (SLA deadlines, capacity windows). */
  clock?: () => Date;
}

export function createAssignmentService({
  db,
  repo,
  leads,
  enqueue,
  emit,
  clock = () => new Date(),
}: AssignmentDeps) {
  async function validate(
    trx: Kysely<Database>,
    orgId: number,
    input: RuleInput,
    errors: FieldError[],
  ): Promise<void> {
    checkConditions(input.conditions ?? [], errors);
    const users = input.user_ids ?? [];
    if (new Set(users).size !== users.length) errors.push({ field: 'user_ids', message: 'has a user twice' });
    const known = await repo.members(trx, orgId, users);
    const unknown = users.filter((u) => !known.has(u));
    if (unknown.length)
      errors.push({ field: 'user_ids', message: `${unknown.join(', ')} are not users of this organization` });
    if (input.team_id != null && !(await repo.teamExists(trx, orgId, input.team_id)))
      errors.push({ field: 'team_id', message: 'is not a team of this organization' });
    if (input.strategy === 'user' && users.length !== 1)
      errors.push({ field: 'user_ids', message: 'the "user" strategy takes exactly one user' });
    if (input.strategy === 'team' && input.team_id == null)
      errors.push({ field: 'team_id', message: 'the "team" strategy needs a team' });
    if (
      (input.strategy === 'round_robin' || input.strategy === 'least_open') &&
      !users.length &&
      input.team_id == null
    )
      errors.push({ field: 'user_ids', message: `the "${input.strategy}" strategy needs users or a team` });
  }

  function fail(errors: FieldError[]) {
    if (errors.length)
      throw new AppError('unprocessable', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  }

  function columns(input: RuleInput) {
    return {
      name: input.name.trim(),
      enabled: input.enabled === false ? 0 : 1,
      conditions: JSON.stringify(input.conditions ?? []),
      strategy: input.strategy,
      user_ids: JSON.stringify(input.user_ids ?? []),
      team_id: input.team_id ?? null,
      capacity: input.capacity ?? null,
      capacity_days: input.capacity_days ?? 30,
      sla_minutes: input.sla_minutes ?? null,
    };
  }

  /** The users a rule hands leads to, in a stable order: its list, else its team's members. */
  async function pool(trx: Kysely<Database>, orgId: number, rule: RuleRow): Promise<number[]> {
    const ids = JSON.parse(rule.user_ids) as number[];
    if (ids.length || rule.team_id === null) return ids;
    return repo.teamUserIds(trx, orgId, rule.team_id);
  }

  /**
   * Users of the pool who may take one more lead: active, not away, under the capacity of the period (counting
   * leads handed out earlier in the same batch, `tally`).
   */
  async function eligible(
    trx: Kysely<Database>,
    orgId: number,
    rule: RuleRow,
    users: number[],
    tally: Map<number, number>,
    now: Date,
  ): Promise<number[]> {
    const available = await repo.availableUsers(trx, orgId, users);
    const cap = rule.capacity ?? DEFAULT_CAPACITY;
    if (cap === 0) return users.filter((u) => available.has(u));
    const since = new Date(now.getTime() - rule.capacity_days * 86_400_000).toISOString();
    const used = await repo.assignedSince(trx, orgId, users, since);
    return users.filter((u) => available.has(u) && (used.get(u) ?? 0) + (tally.get(u) ?? 0) < cap);
  }

  /** Picks the owner by the rule's strategy; null when nobody of the pool can take the lead. */
  async function pick(
    trx: Kysely<Database>,
    orgId: number,
    rule: RuleRow,
    tally: Map<number, number>,
    now: Date,
    exclude: number | null = null,
  ): Promise<number | null> {
    const users = (await pool(trx, orgId, rule)).filter((u) => u !== exclude);
    if (!users.length) return null;
    const ok = new Set(await eligible(trx, orgId, rule, users, tally, now));
    if (!ok.size) return null;
    if (rule.strategy === 'least_open') {
      const open = await repo.openLeads(trx, orgId, [...ok]);
      return [...ok].sort(
        (a, b) =>
          (open.get(a) ?? 0) + (tally.get(a) ?? 0) - ((open.get(b) ?? 0) + (tally.get(b) ?? 0)) || a - b,
      )[0];
    }
    if (rule.strategy === 'user') return users[0];
    // Round robin: one atomic turn per lead; an ineligible user's turn goes to the next one in the pool.
    const turn = await repo.claimTurn(trx, orgId, rule.id);
    for (let k = 0; k < users.length; k++) {
      const u = users[(turn - 1 + k) % users.length];
      if (ok.has(u)) return u;
    }
    return null;
  }

  async function decide(
    trx: Kysely<Database>,
    orgId: number,
    rules: RuleRow[],
    cols: Record<string, unknown>,
    tally: Map<number, number>,
    now: Date,
  ): Promise<Decision | null> {
    for (const rule of rules) {
      if (!rule.enabled || !allMatch(cols, JSON.parse(rule.conditions) as Condition[])) continue;
      if (rule.strategy === 'team') return { rule, userId: null, teamId: rule.team_id };
      const userId = await pick(trx, orgId, rule, tally, now);
      if (userId !== null) return { rule, userId, teamId: rule.team_id };
      // Nobody of this rule can take it: the next matching rule may.
    }
    return null;
  }

  async function recordAssignments(
    trx: Kysely<Database>,
    orgId: number,
    items: Array<{
      leadId: number;
      rule: RuleRow;
      userId: number | null;
      teamId: number | null;
      previous?: number | null;
      reason: string;
    }>,
    now: Date,
  ) {
    const at = now.toISOString();
    await repo.insertAssignments(
      trx,
      items.map((i) => ({
        org_id: orgId,
        lead_id: i.leadId,
        rule_id: i.rule.id,
        user_id: i.userId,
        team_id: i.teamId,
        previous_user_id: i.previous ?? null,
        reason: i.reason,
        sla_due_at:
          i.rule.sla_minutes && i.userId !== null
            ? new Date(now.getTime() + i.rule.sla_minutes * 60_000).toISOString()
            : null,
        resolved_at: null,
        outcome: null,
        created_at: at,
      })),
    );
    // One SLA check job per distinct deadline batch: the job sweeps every due assignment of the organization.
    const dues = new Set(
      items
        .filter((i) => i.rule.sla_minutes && i.userId !== null)
        .map((i) => new Date(now.getTime() + i.rule.sla_minutes! * 60_000).toISOString()),
    );
    for (const due of dues) await enqueue(trx, orgId, SLA_JOB, { org_id: orgId }, due);
  }

  return {
    async list(auth: AuthContext): Promise<RuleDto[]> {
      assertCan(auth, 'settings:read');
      return (await repo.list(auth.orgId)).map(toRuleDto);
    },
    async get(auth: AuthContext, id: number): Promise<RuleDto> {
      assertCan(auth, 'settings:read');
      const r = await repo.find(auth.orgId, id);
      if (!r) throw notFound('Assignment rule', id);
      return toRuleDto(r);
    },
    async create(auth: AuthContext, input: RuleInput, opts: TxOptions = {}): Promise<RuleDto> {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const errors: FieldError[] = [];
        await validate(trx, auth.orgId, input, errors);
        fail(errors);
        const at = clock().toISOString();
        const row = await repo.insert(trx, {
          ...columns(input),
          org_id: auth.orgId,
          position: (await repo.maxPosition(trx, auth.orgId)) + 1,
          rr_cursor: 0,
          created_at: at,
          updated_at: at,
        });
        return toRuleDto(row);
      });
    },
    async replace(auth: AuthContext, id: number, input: RuleInput, opts: TxOptions = {}): Promise<RuleDto> {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        if (!(await repo.find(auth.orgId, id, trx))) throw notFound('Assignment rule', id);
        const errors: FieldError[] = [];
        await validate(trx, auth.orgId, input, errors);
        fail(errors);
        const row = await repo.update(trx, auth.orgId, id, {
          ...columns(input),
          updated_at: clock().toISOString(),
        });
        return toRuleDto(row!);
      });
    },
    async remove(auth: AuthContext, id: number, opts: TxOptions = {}): Promise<void> {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        if (!(await repo.remove(trx, auth.orgId, id))) throw notFound('Assignment rule', id);
      });
    },
    /** Sets the evaluation order: `ids` must name every rule of the organization once. */
    async reorder(auth: AuthContext, ids: number[], opts: TxOptions = {}): Promise<RuleDto[]> {
      assertCan(auth, 'settings:write');
      return inTransaction(db, opts, async (trx) => {
        const rules = await repo.list(auth.orgId, trx);
        const have = new Set(rules.map((r) => r.id));
        const given = new Set(ids);
        if (given.size !== ids.length || given.size !== have.size || ids.some((i) => !have.has(i)))
          throw new AppError(
            'unprocessable',
            'ids must list every assignment rule of the organization exactly once',
            [{ field: 'ids', message: `must be a permutation of: ${[...have].join(', ')}` }],
          );
        const at = clock().toISOString();
        for (const [k, id] of ids.entries())
          await repo.update(trx, auth.orgId, id, { position: k + 1, updated_at: at });
        return (await repo.list(auth.orgId, trx)).map(toRuleDto);
      });
    },

    /**
     * For one create call (one lead, or an import batch), in its transaction: `assign` runs the rules on a
     * lead's column values before the insert (it sets owner_id, team_id and assignment_rule_id when a rule
     * applies), `record` writes the history and schedules the SLA checks once the ids are known.
     */
    begin(trx: Kysely<Database>, orgId: number) {
      const now = clock();
      const tally = new Map<number, number>();
      const decided = new Map<Record<string, unknown>, Decision>();
      let rules: RuleRow[] | undefined;
      return {
        async assign(cols: Record<string, unknown>): Promise<void> {
          rules ??= (await repo.list(orgId, trx)).filter((r) => r.enabled);
          if (!rules.length) return;
          const d = await decide(trx, orgId, rules, cols, tally, now);
          if (!d) return;
          if (d.userId !== null) {
            cols.owner_id = d.userId;
            tally.set(d.userId, (tally.get(d.userId) ?? 0) + 1);
          }
          if (d.teamId !== null && (cols.team_id === undefined || cols.team_id === null))
            cols.team_id = d.teamId;
          cols.assignment_rule_id = d.rule.id;
          decided.set(cols, d);
        },
        async record(items: Array<{ cols: Record<string, unknown>; leadId: number }>): Promise<void> {
          const rows = items.flatMap(({ cols, leadId }) => {
            const d = decided.get(cols);
            return d ? [{ leadId, rule: d.rule, userId: d.userId, teamId: d.teamId, reason: 'rule' }] : [];
          });
          if (!rows.length) return;
          // A bulk insert (imports) writes only the owner: the rule and a team strategy's team are set here.
          await repo.markAssigned(
            trx,
            orgId,
            rows.map((r) => ({ leadId: r.leadId, ruleId: r.rule.id, teamId: r.teamId })),
          );
          await recordAssignments(trx, orgId, rows, now);
        },
      };
    },

    async history(auth: AuthContext, leadId: number, opts: TxOptions = {}) {
      assertCan(auth, 'leads:read');
      return repo.history(auth.orgId, leadId, runner(db, opts));
    },

    /**
     * The SLA check (the job's work): every assignment of the organization whose deadline passed and that is
     * still open. A lead worked on since it was assigned (status change, follow-up, task, comment) is resolved as
     * contacted; one that changed hands meanwhile is superseded; else it goes to the next user of the rule (the
     * current owner excluded), with a new deadline, and the history keeps both rows.
     */
    async sweepSla(orgId: number): Promise<{ reassigned: number; contacted: number; expired: number }> {
      const now = clock();
      const at = now.toISOString();
      const out = { reassigned: 0, contacted: 0, expired: 0 };
      const due = await repo.dueSla(db, orgId, at);
      for (const a of due) {
        await inTransaction(db, {}, async (trx) => {
          const lead = await leads.findById(orgId, a.lead_id, trx, true);
          if (!lead || lead.deleted_at || lead.owner_id !== a.user_id) {
            await repo.resolve(trx, orgId, a.id, 'superseded', at);
            return;
          }
          if (await repo.contactedSince(trx, orgId, a.lead_id, a.created_at)) {
            if (await repo.resolve(trx, orgId, a.id, 'contacted', at)) out.contacted++;
            return;
          }
          const rule = a.rule_id !== null ? await repo.find(orgId, a.rule_id, trx) : undefined;
          const next =
            rule && rule.strategy !== 'team' ? await pick(trx, orgId, rule, new Map(), now, a.user_id) : null;
          if (!rule || next === null) {
            if (await repo.resolve(trx, orgId, a.id, 'expired', at)) out.expired++;
            return;
          }
          if (!(await repo.resolve(trx, orgId, a.id, 'reassigned', at))) return;
          await reassign(trx, orgId, lead, next, at);
          await recordAssignments(
            trx,
            orgId,
            [
              {
                leadId: lead.id,
                rule,
                userId: next,
                teamId: lead.team_id,
                previous: a.user_id,
                reason: 'sla',
              },
            ],
            now,
          );
          out.reassigned++;
        });
      }
      return out;
    },

    async availability(auth: AuthContext) {
      assertCan(auth, 'settings:read');
      const rows = await repo.availability(auth.orgId);
      const open = await repo.openLeads(
        db,
        auth.orgId,
        rows.map((r) => r.id),
      );
      const since = new Date(clock().getTime() - 30 * 86_400_000).toISOString();
      const used = await repo.assignedSince(
        db,
        auth.orgId,
        rows.map((r) => r.id),
        since,
      );
      return rows.map((r) => ({
        user_id: r.id,
        name: r.name,
        email: r.email,
        role: r.role,
        active: r.deactivated_at === null,
        away: r.away === 1,
        open_leads: open.get(r.id) ?? 0,
        assigned_last_30_days: used.get(r.id) ?? 0,
      }));
    },

    async setAway(auth: AuthContext, userId: number, away: boolean, opts: TxOptions = {}) {
      // Anyone may mark themselves away; marking someone else takes the right to manage users.
      if (userId !== auth.userId) assertCan(auth, 'users:manage');
      await inTransaction(db, opts, async (trx) => {
        if (!(await repo.setAway(trx, auth.orgId, userId, away))) throw notFound('User', userId);
      });
      return { user_id: userId, away };
    },
  };

  async function reassign(trx: Kysely<Database>, orgId: number, lead: LeadRow, to: number, at: string) {
    const updated = await leads.updateVersioned(trx, orgId, lead.id, lead.version, {
      owner_id: to,
      updated_at: at,
    });
    if (!updated)
      throw new AppError('conflict', `Lead ${lead.id} changed during its SLA check; it is checked again.`);
    await leads.insertFieldChanges(trx, [
      {
        org_id: orgId,
        lead_id: lead.id,
        field: 'owner_id',
        old_value: JSON.stringify(lead.owner_id),
        new_value: JSON.stringify(to),
        changed_by: null,
        changed_at: at,
      },
    ]);
    await emit?.(trx, orgId, 'lead.updated', {
      lead: updated,
      changes: ['owner_id'],
      reason: 'assignment_sla',
    });
  }
}

export type AssignmentService = ReturnType<typeof createAssignmentService>;
