import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError } from '../http/errors.js';
import type { AccessRepository } from './access.repository.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import { hashPassword, verifyPassword, newToken, hashToken } from './crypto.js';
import type { AuthContext, Role } from './roles.js';

const SESSION_DAYS = 30;
// A hash to compare against when the email is unknown, so a wrong email costs as long as a wrong password.
const DUMMY_HASH = hashPassword('not-a-real-password');

export interface AuthServiceDeps {
  db: Kysely<Database>;
  access: AccessRepository;
  statuses: StatusRepository;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createAuthService({ db, access, statuses }: AuthServiceDeps) {
  async function issueSession(trx: Kysely<Database>, userId: number, now: string) {
    const token = newToken('lf');
    const expires = new Date(Date.parse(now) + SESSION_DAYS * 86400_000).toISOString();
    await access.insertSession(trx, { token_hash: hashToken(token), user_id: userId, created_at: now, expires_at: expires });
    return token;
  }

  return {
    async signup(input: { email: string; password: string; name: string; organization_name: string }) {
      const email = normalizeEmail(input.email);
      const passwordHash = await hashPassword(input.password);
      const now = nowIso();
      return db.transaction().execute(async (trx) => {
        if (await access.findUserByEmail(email, trx)) {
          throw new AppError('conflict', 'An account with this email already exists; sign in instead.', [
            { field: 'email', message: 'is already registered' },
          ]);
        }
        const org = await access.insertOrganization(trx, input.organization_name.trim(), now);
        const user = await access.insertUser(trx, { email, name: input.name.trim(), password_hash: passwordHash, created_at: now });
        await access.insertMembership(trx, org.id, user.id, 'owner', now);
        await statuses.insertDefaults(trx, org.id, now);
        const token = await issueSession(trx, user.id, now);
        return { token, user, organization: { id: org.id, name: org.name } };
      });
    },

    async login(input: { email: string; password: string }) {
      const user = await access.findUserByEmail(normalizeEmail(input.email));
      const ok = user ? await verifyPassword(input.password, user.password_hash) : (await verifyPassword(input.password, await DUMMY_HASH), false);
      if (!user || !ok) throw new AppError('unauthorized', 'Email or password is wrong.');
      const organizations = await access.listMemberships(user.id);
      const token = await db.transaction().execute((trx) => issueSession(trx, user.id, nowIso()));
      return { token, user: { id: user.id, email: user.email, name: user.name }, organizations };
    },

    async logout(sessionId: number) {
      await access.revokeSession(sessionId, nowIso());
    },

    /** Resolves a bearer token and the chosen organization into an AuthContext, or throws 401/403. */
    async authenticate(token: string, orgHeader: string | undefined): Promise<AuthContext> {
      const session = await access.findSessionByHash(hashToken(token));
      const now = nowIso();
      if (!session || session.revoked_at || session.expires_at <= now) {
        throw new AppError('unauthorized', 'The token is invalid, expired or revoked; sign in again.');
      }
      const memberships = await access.listMemberships(session.user_id);
      let org = memberships[0];
      if (orgHeader !== undefined) {
        const wanted = Number(orgHeader);
        org = memberships.find((m) => m.id === wanted)!;
        if (!Number.isInteger(wanted) || !org) {
          throw new AppError('forbidden', 'You are not a member of the organization named in X-Organization-Id.', [
            { field: 'X-Organization-Id', message: 'is not one of your organizations' },
          ]);
        }
      }
      if (!org) throw new AppError('forbidden', 'Your account is not an active member of any organization.');
      // Touch at most once a minute: a write per request would cost more than the request.
      if (!session.last_used_at || Date.parse(now) - Date.parse(session.last_used_at) > 60_000) {
        await access.touchSession(session.id, now);
      }
      return { kind: 'user', orgId: org.id, userId: session.user_id, role: org.role as Role, sessionId: session.id };
    },

    async me(auth: AuthContext) {
      const user = auth.userId ? await access.findUserById(auth.userId) : undefined;
      const organizations = auth.userId ? await access.listMemberships(auth.userId) : [];
      return {
        user: user ? { id: user.id, email: user.email, name: user.name } : null,
        organization_id: auth.orgId,
        role: auth.role,
        organizations,
      };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
