import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { checkContentIfMatch } from '../http/etag.js';
import type { AccessRepository } from './access.repository.js';
import type { TeamRepository } from './team.repository.js';
import type { AuditService } from './audit.service.js';
import { hashPassword, hashToken, newToken, verifyPassword } from './crypto.js';
import { assertCan, canGrantRole, roleRank, type AuthContext, type Role } from './roles.js';
import { normalizeEmail } from './auth.service.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';

const INVITATION_DAYS = 7;
const SESSION_DAYS = 30;

export interface UserServiceDeps {
  db: Kysely<Database>;
  access: AccessRepository;
  teams: TeamRepository;
  audit: AuditService;
  /** In the invitation's transaction: queues its email (src/email). */
  onInvited?: (
    trx: Kysely<Database>,
    orgId: number,
    inv: { id: number; email: string; role: string; invited_by: number | null; expires_at: string },
    token: string,
  ) => Promise<void>;
  /** The delivery state of each invitation's latest email, shown in the list (src/email). */
  deliveryOf?: (orgId: number, ids: number[], opts?: TxOptions) => Promise<Map<number, InvitationDelivery>>;
}

export type InvitationDelivery = {
  email_id: number;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: string | null;
} | null;

type MemberRow = NonNullable<Awaited<ReturnType<AccessRepository['findMember']>>>;
type InvitationRow = NonNullable<Awaited<ReturnType<AccessRepository['findInvitation']>>>;

export function toUserDto(m: MemberRow) {
  return {
    id: m.id,
    email: m.email,
    name: m.name,
    role: m.role,
    active: m.deactivated_at === null,
    joined_at: m.joined_at,
    deactivated_at: m.deactivated_at,
  };
}

function invitationState(i: InvitationRow, now: string) {
  if (i.accepted_at) return 'accepted';
  if (i.revoked_at) return 'revoked';
  return i.expires_at <= now ? 'expired' : 'pending';
}

export function toInvitationDto(i: InvitationRow, now = nowIso()) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    team_ids: JSON.parse(i.team_ids) as number[],
    state: invitationState(i, now),
    invited_by: i.invited_by,
    created_at: i.created_at,
    expires_at: i.expires_at,
  };
}

/** Members of an organization and invitations to join it. */
export function createUserService({ db, access, teams, audit, onInvited, deliveryOf }: UserServiceDeps) {
  async function loadMember(orgId: number, userId: number, trx: Kysely<Database> = db) {
    const m = await access.findMember(orgId, userId, trx);
    if (!m) throw notFound('User', userId);
    return m;
  }

  async function denyEscalation(
    auth: AuthContext,
    detail: Record<string, unknown>,
    message: string,
    opts: TxOptions,
  ): Promise<never> {
    // Kept when the write is refused (its own statement), unless the caller's transaction rolls back.
    await audit.record(
      auth,
      {
        action: 'permission.denied',
        targetType: 'user',
        targetId: detail.user_id as number | undefined,
        details: detail,
      },
      opts,
    );
    throw new AppError('forbidden', message);
  }

  return {
    async list(auth: AuthContext) {
      assertCan(auth, 'settings:read');
      return { data: (await access.listMembers(auth.orgId)).map(toUserDto) };
    },

    async get(auth: AuthContext, userId: number) {
      assertCan(auth, 'settings:read');
      return toUserDto(await loadMember(auth.orgId, userId));
    },

    /** Changes a member's role or deactivates/reactivates them. */
    async update(
      auth: AuthContext,
      userId: number,
      input: { role?: Role; active?: boolean },
      ifMatch?: string,
      opts: TxOptions = {},
    ) {
      assertCan(auth, 'users:manage');
      const target = await loadMember(auth.orgId, userId, runner(db, opts));
      checkContentIfMatch(`User ${userId}`, toUserDto(target), ifMatch);
      const actorRole = auth.role;
      if (
        userId === auth.userId &&
        input.role !== undefined &&
        input.role !== target.role &&
        actorRole !== 'owner'
      ) {
        await denyEscalation(
          auth,
          { user_id: userId, role: input.role },
          'You cannot change your own role.',
          opts,
        );
      }
      // Only someone above the member may touch them (owners may touch owners), and only grant what they could hold.
      if (
        actorRole !== 'owner' &&
        roleRank(target.role as Role) >= roleRank(actorRole) &&
        userId !== auth.userId
      ) {
        await denyEscalation(
          auth,
          { user_id: userId, target_role: target.role },
          `A ${actorRole} cannot change a member whose role is ${target.role}.`,
          opts,
        );
      }
      if (input.role !== undefined && input.role !== target.role && !canGrantRole(actorRole, input.role)) {
        await denyEscalation(
          auth,
          { user_id: userId, from: target.role, to: input.role },
          `A ${actorRole} cannot grant the role ${input.role}.`,
          opts,
        );
      }
      const now = nowIso();
      await inTransaction(db, opts, async (trx) => {
        const events: Array<{ action: string; details: Record<string, unknown> }> = [];
        const set: { role?: string; deactivated_at?: string | null } = {};
        if (input.role !== undefined && input.role !== target.role) {
          set.role = input.role;
          events.push({ action: 'user.role_changed', details: { from: target.role, to: input.role } });
        }
        if (input.active === false && target.deactivated_at === null) {
          if (userId === auth.userId) throw fieldError('active', 'you cannot deactivate yourself');
          set.deactivated_at = now;
          events.push({ action: 'user.deactivated', details: { email: target.email } });
        }
        if (input.active === true && target.deactivated_at !== null) {
          set.deactivated_at = null;
          events.push({ action: 'user.reactivated', details: { email: target.email } });
        }
        if (Object.keys(set).length === 0) return;
        await access.updateMembership(trx, auth.orgId, userId, set);
        if (target.role === 'owner' && (await access.countActiveOwners(trx, auth.orgId)) === 0) {
          throw fieldError(set.role ? 'role' : 'active', 'the organization needs at least one active owner');
        }
        for (const e of events)
          await audit.record(
            auth,
            { action: e.action, targetType: 'user', targetId: userId, details: e.details },
            { tx: trx },
          );
      });
      return toUserDto(await loadMember(auth.orgId, userId, runner(db, opts)));
    },

    async invite(
      auth: AuthContext,
      input: { email: string; role: Role; team_ids?: number[] },
      opts: TxOptions = {},
    ) {
      assertCan(auth, 'users:manage');
      if (!canGrantRole(auth.role, input.role)) {
        await denyEscalation(
          auth,
          { email: input.email, role: input.role },
          `A ${auth.role} cannot invite someone as ${input.role}.`,
          opts,
        );
      }
      const q = runner(db, opts);
      const email = normalizeEmail(input.email);
      const existing = await access.findUserByEmail(email, q);
      if (existing) {
        const m = await access.findMembership(auth.orgId, existing.id, q);
        if (m && m.deactivated_at === null)
          throw new AppError('conflict', `${email} is already a member of this organization.`, [
            { field: 'email', message: 'is already a member' },
          ]);
      }
      const teamIds = [...new Set(input.team_ids ?? [])];
      for (const t of teamIds) {
        if (!(await teams.findById(auth.orgId, t, q)))
          throw fieldError('team_ids', `team ${t} does not exist in this organization`);
      }
      const token = newToken('lfi');
      const now = nowIso();
      const row = await inTransaction(db, opts, async (trx) => {
        const inserted = await access.insertInvitation(trx, {
          org_id: auth.orgId,
          email,
          role: input.role,
          team_ids: JSON.stringify(teamIds),
          token_hash: hashToken(token),
          invited_by: auth.userId,
          created_at: now,
          expires_at: new Date(Date.parse(now) + INVITATION_DAYS * 86400_000).toISOString(),
        });
        await onInvited?.(trx, auth.orgId, inserted, token);
        await audit.record(
          auth,
          {
            action: 'invitation.created',
            targetType: 'invitation',
            targetId: inserted.id,
            details: { email, role: input.role },
          },
          { tx: trx },
        );
        return inserted;
      });
      return {
        ...toInvitationDto(row, now),
        token,
        accept_path: `/api/v1/invitations/${token}/accept`,
        ...(deliveryOf ? { delivery: (await deliveryOf(auth.orgId, [row.id], opts)).get(row.id) } : {}),
      };
    },

    async listInvitations(auth: AuthContext) {
      assertCan(auth, 'users:manage');
      const now = nowIso();
      const rows = await access.listInvitations(auth.orgId);
      const delivery = deliveryOf
        ? await deliveryOf(
            auth.orgId,
            rows.map((i) => i.id),
          )
        : undefined;
      return {
        data: rows.map((i) => ({
          ...toInvitationDto(i, now),
          ...(delivery ? { delivery: delivery.get(i.id) ?? null } : {}),
        })),
      };
    },

    async revokeInvitation(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'users:manage');
      await inTransaction(db, opts, async (trx) => {
        const inv = await access.findInvitation(auth.orgId, id, trx);
        if (!inv) throw notFound('Invitation', id);
        if (!(await access.revokeInvitation(auth.orgId, id, nowIso(), trx))) {
          throw new AppError(
            'conflict',
            `Invitation ${id} was already ${inv.accepted_at ? 'accepted' : 'revoked'}.`,
          );
        }
        await audit.record(
          auth,
          {
            action: 'invitation.revoked',
            targetType: 'invitation',
            targetId: id,
            details: { email: inv.email },
          },
          { tx: trx },
        );
      });
    },

    /**
     * Accepts an invitation: the token is the credential. A new person sets name and password; someone who already
     * has an account proves it with their password. Returns a session token for the invited organization.
     */
    async accept(
      token: string,
      input: { name?: string; password: string },
      meta: { ip?: string } = {},
      opts: TxOptions = {},
    ) {
      const now = nowIso();
      const passwordHash = await hashPassword(input.password);
      const result = await inTransaction(db, opts, async (trx) => {
        const inv = await access.findInvitationByHash(trx, hashToken(token));
        if (!inv || inv.accepted_at || inv.revoked_at || inv.expires_at <= now) {
          throw new AppError(
            'not_found',
            'This invitation is unknown, expired, revoked or already used; ask for a new one.',
          );
        }
        let user = await access.findUserByEmail(inv.email, trx);
        if (user) {
          if (!(await verifyPassword(input.password, user.password_hash))) {
            throw new AppError(
              'unauthorized',
              `An account for ${inv.email} exists: send its password to join.`,
              [{ field: 'password', message: 'is not the password of this account' }],
            );
          }
        } else {
          if (!input.name || !input.name.trim())
            throw fieldError('name', 'is required to create your account');
          user = {
            ...(await access.insertUser(trx, {
              email: inv.email,
              name: input.name.trim(),
              password_hash: passwordHash,
              created_at: now,
            })),
            password_hash: passwordHash,
            created_at: now,
          };
        }
        if (!(await access.markInvitationAccepted(trx, inv.org_id, inv.id, user.id, now))) {
          throw new AppError(
            'not_found',
            'This invitation is unknown, expired, revoked or already used; ask for a new one.',
          );
        }
        const m = await access.findMembership(inv.org_id, user.id, trx);
        if (m)
          await access.updateMembership(trx, inv.org_id, user.id, { role: inv.role, deactivated_at: null });
        else await access.insertMembership(trx, inv.org_id, user.id, inv.role as Role, now);
        for (const t of JSON.parse(inv.team_ids) as number[]) {
          if (await teams.findById(inv.org_id, t, trx))
            await teams.addMember(trx, inv.org_id, t, user.id, now);
        }
        const session = newToken('lf');
        await access.insertSession(trx, {
          token_hash: hashToken(session),
          user_id: user.id,
          created_at: now,
          expires_at: new Date(Date.parse(now) + SESSION_DAYS * 86400_000).toISOString(),
        });
        await audit.record(
          { orgId: inv.org_id, userId: user.id, ip: meta.ip },
          { action: 'invitation.accepted', targetType: 'invitation', targetId: inv.id },
          { tx: trx },
        );
        return {
          token: session,
          user: { id: user.id, email: user.email, name: user.name },
          organization_id: inv.org_id,
          role: inv.role,
        };
      });
      return result;
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
