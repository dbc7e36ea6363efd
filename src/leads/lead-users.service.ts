import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, notFound, type FieldError } from '../http/errors.js';
import type { AuthContext } from '../access/roles.js';
import type { LeadRepository, LeadRow, LeadUpdate } from './lead.repository.js';
import { failOn, type LeadPart } from './lead-parts.js';
import type { LeadUserRepository, LeadUserRow } from './lead-users.repository.js';
import {
  LEAD_USER_ROLES,
  MULTI_ROLES,
  type LeadUserDto,
  type LeadUserInputT,
  type LeadUserPatchT,
} from './lead-users.schema.js';

export interface LeadUserServiceDeps {
  db: Kysely<Database>;
  repo: LeadUserRepository;
  leads: LeadRepository;
  /** 404 unless the caller may read/write the lead (the lead service's visibility rule). */
  guard: (auth: AuthContext, leadId: number, mode: 'read' | 'write') => Promise<void>;
}

const ROLE_SET: ReadonlySet<string> = new Set(LEAD_USER_ROLES);
const rolesText = LEAD_USER_ROLES.join(', ');

function toDto(r: LeadUserRow): LeadUserDto {
  return { id: r.id, user_id: r.user_id, role: r.role, created_at: r.created_at };
}
function ownerEntry(lead: LeadRow): LeadUserDto[] {
  return lead.owner_id !== null
    ? [{ id: null, user_id: lead.owner_id, role: 'owner', created_at: null }]
    : [];
}
const keyOf = (u: { user_id: number; role: string }) => `${u.role}:${u.user_id}`;

export function createLeadUserService({ db, repo, leads, guard }: LeadUserServiceDeps) {
  async function loadLead(trx: Kysely<Database>, orgId: number, id: number): Promise<LeadRow> {
    const row = await leads.findById(orgId, id, trx, true);
    if (!row || row.deleted_at) throw notFound('Lead', id);
    return row;
  }

  /** A change to the lead's people is a change to the lead: new version, updated_at, and the field history. */
  async function touch(
    trx: Kysely<Database>,
    auth: AuthContext,
    lead: LeadRow,
    field: string,
    oldValue: unknown,
    newValue: unknown,
    set: LeadUpdate = {},
  ): Promise<void> {
    const now = nowIso();
    const ok = await leads.updateVersioned(trx, auth.orgId, lead.id, lead.version, {
      ...set,
      updated_at: now,
      updated_by: auth.userId,
    });
    if (!ok)
      throw new AppError(
        'conflict',
        `Lead ${lead.id} was changed by another request at the same time; try again.`,
      );
    await recordChange(trx, auth, lead.id, field, oldValue, newValue, now);
  }
  async function recordChange(
    trx: Kysely<Database>,
    auth: AuthContext,
    leadId: number,
    field: string,
    oldValue: unknown,
    newValue: unknown,
    now = nowIso(),
  ) {
    await leads.insertFieldChanges(trx, [
      {
        org_id: auth.orgId,
        lead_id: leadId,
        field,
        old_value: JSON.stringify(oldValue ?? null),
        new_value: JSON.stringify(newValue ?? null),
        changed_by: auth.userId,
        changed_at: now,
      },
    ]);
  }

  /** Role known, user an active member of the organization; pushes faults under `path`. */
  async function checkEntries(
    orgId: number,
    entries: Array<{ user_id?: number; role?: string }>,
    path: (i: number) => string,
    errors: FieldError[],
    trx: Kysely<Database>,
  ) {
    const members = await repo.activeMembers(
      orgId,
      entries.flatMap((e) => (e.user_id !== undefined ? [e.user_id] : [])),
      trx,
    );
    entries.forEach((e, i) => {
      if (e.role !== undefined && !ROLE_SET.has(e.role))
        errors.push({
          field: `${path(i)}role`,
          message: `"${e.role}" is not a lead role (one of: ${rolesText})`,
        });
      if (e.user_id !== undefined && !members.has(e.user_id))
        errors.push({
          field: `${path(i)}user_id`,
          message: `user ${e.user_id} is not an active user of this organization`,
        });
    });
  }

  /** One user per single role, no pair twice: checked against the entries the lead will hold. */
  function checkCardinality(
    entries: Array<{ user_id: number; role: string }>,
    path: (i: number) => string,
    errors: FieldError[],
  ) {
    const seenRole = new Set<string>();
    const seenPair = new Set<string>();
    entries.forEach((e, i) => {
      if (seenPair.has(keyOf(e))) {
        errors.push({
          field: `${path(i)}user_id`,
          message: `user ${e.user_id} is already ${e.role} of this lead`,
        });
        return;
      }
      seenPair.add(keyOf(e));
      if (!MULTI_ROLES.has(e.role)) {
        if (seenRole.has(e.role))
          errors.push({
            field: `${path(i)}role`,
            message: `a lead has one ${e.role}; change or delete the other entry`,
          });
        seenRole.add(e.role);
      }
    });
  }

  const part: LeadPart = {
    async check(orgId, input, errors, trx = db) {
      const users = input.users as LeadUserInputT[] | undefined;
      if (users) {
        const path = (i: number) => `users.${i}.`;
        await checkEntries(orgId, users, path, errors, trx);
        users.forEach((u, i) => {
          if (u.role === 'owner')
            errors.push({ field: `users.${i}.role`, message: 'the owner is set through owner_id' });
        });
        checkCardinality(users, path, errors);
      }
      const teamIds = input.team_ids as number[] | undefined;
      if (teamIds) {
        const known = await repo.existingTeams(orgId, teamIds, trx);
        const seen = new Set<number>();
        teamIds.forEach((t, i) => {
          if (!known.has(t))
            errors.push({ field: `team_ids.${i}`, message: `team ${t} is not a team of this organization` });
          else if (seen.has(t)) errors.push({ field: `team_ids.${i}`, message: `team ${t} is listed twice` });
          seen.add(t);
        });
      }
    },

    async write(trx, auth, lead, input, created) {
      let changed = false;
      const users = input.users as LeadUserInputT[] | undefined;
      if (users) {
        const old = await repo.usersOf(auth.orgId, [lead.id], trx);
        const before = old.map(keyOf).sort().join(',');
        const after = users.map(keyOf).sort().join(',');
        if (before !== after) {
          await repo.deleteUsersOf(trx, auth.orgId, lead.id);
          const now = nowIso();
          for (const u of users)
            await repo.insertUser(trx, {
              org_id: auth.orgId,
              lead_id: lead.id,
              ...u,
              created_by: auth.userId,
              created_at: now,
            });
          if (!created)
            await recordChange(
              trx,
              auth,
              lead.id,
              'users',
              old.map((o) => ({ user_id: o.user_id, role: o.role })),
              users,
            );
          changed = true;
        }
      }
      const teamIds = input.team_ids as number[] | undefined;
      if (teamIds) {
        const old = (await repo.teamsOf(auth.orgId, [lead.id], trx)).map((t) => t.team_id);
        if (old.join(',') !== teamIds.join(',')) {
          await repo.replaceTeams(trx, auth.orgId, lead.id, teamIds);
          if (!created) await recordChange(trx, auth, lead.id, 'team_ids', old, teamIds);
          changed = true;
        }
      }
      return changed;
    },

    async describe(orgId, rows, trx) {
      const ids = rows.map((r) => r.id);
      const [users, teams] = await Promise.all([
        repo.usersOf(orgId, ids, trx),
        repo.teamsOf(orgId, ids, trx),
      ]);
      const out = new Map<number, Record<string, unknown>>();
      for (const r of rows)
        out.set(r.id, { users: ownerEntry(r), team_ids: r.team_id !== null ? [r.team_id] : [] });
      for (const u of users) (out.get(u.lead_id)!.users as LeadUserDto[]).push(toDto(u));
      for (const t of teams) {
        const list = out.get(t.lead_id)!.team_ids as number[];
        if (!list.includes(t.team_id)) list.push(t.team_id);
      }
      return out;
    },
  };

  async function listIn(trx: Kysely<Database>, orgId: number, lead: LeadRow): Promise<LeadUserDto[]> {
    return [...ownerEntry(lead), ...(await repo.usersOf(orgId, [lead.id], trx)).map(toDto)];
  }

  return {
    part,

    async list(auth: AuthContext, leadId: number, opts: TxOptions = {}): Promise<LeadUserDto[]> {
      await guard(auth, leadId, 'read');
      const trx = runner(db, opts);
      const lead = await leads.findById(auth.orgId, leadId, trx);
      if (!lead || lead.deleted_at) throw notFound('Lead', leadId);
      return listIn(trx, auth.orgId, lead);
    },

    async get(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<LeadUserDto> {
      await guard(auth, leadId, 'read');
      const row = await repo.findUser(auth.orgId, leadId, id, runner(db, opts));
      if (!row) throw notFound('Lead user', id);
      return toDto(row);
    },

    /** Adds a user in a role; role owner sets leads.owner_id (when the lead has none). */
    async add(
      auth: AuthContext,
      leadId: number,
      input: LeadUserInputT,
      opts: TxOptions = {},
    ): Promise<LeadUserDto> {
      await guard(auth, leadId, 'write');
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const errors: FieldError[] = [];
        await checkEntries(auth.orgId, [input], () => '', errors, trx);
        failOn(errors);
        const current = await listIn(trx, auth.orgId, lead);
        checkCardinality([...current, input], (i) => (i === current.length ? '' : `existing.${i}.`), errors);
        failOn(errors.filter((e) => !e.field.startsWith('existing.')));
        if (input.role === 'owner') {
          await touch(trx, auth, lead, 'owner_id', lead.owner_id, input.user_id, { owner_id: input.user_id });
          return { id: null, user_id: input.user_id, role: 'owner', created_at: null };
        }
        const row = await repo.insertUser(trx, {
          org_id: auth.orgId,
          lead_id: leadId,
          user_id: input.user_id,
          role: input.role,
          created_by: auth.userId,
          created_at: nowIso(),
        });
        await touch(trx, auth, lead, 'users', null, { added: { user_id: row.user_id, role: row.role } });
        return toDto(row);
      });
    },

    async update(
      auth: AuthContext,
      leadId: number,
      id: number,
      input: LeadUserPatchT,
      opts: TxOptions = {},
    ): Promise<LeadUserDto> {
      await guard(auth, leadId, 'write');
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const row = await repo.findUser(auth.orgId, leadId, id, trx);
        if (!row) throw notFound('Lead user', id);
        const errors: FieldError[] = [];
        await checkEntries(auth.orgId, [input], () => '', errors, trx);
        if (input.role === 'owner')
          errors.push({ field: 'role', message: 'the owner is set through owner_id' });
        failOn(errors);
        const next = { user_id: input.user_id ?? row.user_id, role: input.role ?? row.role };
        if (keyOf(next) === keyOf(row)) return toDto(row);
        const others = (await repo.usersOf(auth.orgId, [leadId], trx)).filter((u) => u.id !== id);
        checkCardinality([...others, next], (i) => (i === others.length ? '' : `existing.${i}.`), errors);
        failOn(errors.filter((e) => !e.field.startsWith('existing.')));
        const updated = await repo.updateUser(trx, auth.orgId, id, next);
        await touch(trx, auth, lead, 'users', { user_id: row.user_id, role: row.role }, next);
        return toDto(updated);
      });
    },

    async remove(auth: AuthContext, leadId: number, id: number, opts: TxOptions = {}): Promise<void> {
      await guard(auth, leadId, 'write');
      await inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const row = await repo.findUser(auth.orgId, leadId, id, trx);
        if (!row) throw notFound('Lead user', id);
        await repo.deleteUser(trx, auth.orgId, id);
        await touch(trx, auth, lead, 'users', { removed: { user_id: row.user_id, role: row.role } }, null);
      });
    },

    async listTeams(auth: AuthContext, leadId: number, opts: TxOptions = {}) {
      await guard(auth, leadId, 'read');
      const trx = runner(db, opts);
      const lead = await leads.findById(auth.orgId, leadId, trx);
      if (!lead || lead.deleted_at) throw notFound('Lead', leadId);
      const ids = (await part.describe(auth.orgId, [lead], trx)).get(leadId)!.team_ids as number[];
      return ids.map((t) => ({ id: t, team_id: t, primary: t === lead.team_id }));
    },

    async getTeam(auth: AuthContext, leadId: number, teamId: number, opts: TxOptions = {}) {
      const found = (await this.listTeams(auth, leadId, opts)).find((t) => t.team_id === teamId);
      if (!found) throw notFound('Lead team', teamId);
      return found;
    },

    /** Adds a team to the lead (the first one also becomes leads.team_id). */
    async addTeam(auth: AuthContext, leadId: number, teamId: number, opts: TxOptions = {}) {
      await guard(auth, leadId, 'write');
      return inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        if (!(await repo.existingTeams(auth.orgId, [teamId], trx)).has(teamId))
          failOn([{ field: 'team_id', message: `team ${teamId} is not a team of this organization` }]);
        const old = (await repo.teamsOf(auth.orgId, [leadId], trx)).map((t) => t.team_id);
        if (old.includes(teamId) || lead.team_id === teamId)
          failOn([{ field: 'team_id', message: `team ${teamId} is already a team of this lead` }]);
        await repo.replaceTeams(trx, auth.orgId, leadId, [...old, teamId]);
        await touch(
          trx,
          auth,
          lead,
          'team_ids',
          old,
          [...old, teamId],
          lead.team_id === null ? { team_id: teamId } : {},
        );
        return { id: teamId, team_id: teamId, primary: lead.team_id === null };
      });
    },

    async removeTeam(auth: AuthContext, leadId: number, teamId: number, opts: TxOptions = {}) {
      await guard(auth, leadId, 'write');
      await inTransaction(db, opts, async (trx) => {
        const lead = await loadLead(trx, auth.orgId, leadId);
        const old = (await repo.teamsOf(auth.orgId, [leadId], trx)).map((t) => t.team_id);
        if (!old.includes(teamId) && lead.team_id !== teamId) throw notFound('Lead team', teamId);
        const rest = old.filter((t) => t !== teamId);
        await repo.replaceTeams(trx, auth.orgId, leadId, rest);
        // The primary team goes too; the next team (if any) takes its place.
        const set = lead.team_id === teamId ? { team_id: rest[0] ?? null } : {};
        await touch(trx, auth, lead, 'team_ids', old, rest, set);
      });
    },
  };
}

export type LeadUserService = ReturnType<typeof createLeadUserService>;
