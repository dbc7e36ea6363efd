import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { AppError, notFound } from '../http/errors.js';
import type { AccessRepository } from './access.repository.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import { hashPassword, verifyPassword, newToken, hashToken } from './crypto.js';
import { roleForScopes, type AuthContext, type Role } from './roles.js';
import type { KeyRepository } from './key.repository.js';
import type { AuditService } from './audit.service.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import type { SecretBox } from '../lib/secret-box.js';
import { noteOrgVersion } from '../db/org-cache.js';
import { createTokenCache } from './auth-cache.js';
import { createTwoFactorService, type CodeGuard } from './auth-two-factor.service.js';

const SESSION_DAYS = 30;
// A hash to compare against when the email is unknown, so a wrong email costs as long as a wrong password.
const DUMMY_HASH = hashPassword('not-a-real-password');

export interface AuthServiceDeps {
  db: Kysely<Database>;
  access: AccessRepository;
  statuses: StatusRepository;
  keys: KeyRepository;
  audit: AuditService;
  secrets: SecretBox;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

type SessionRows = Awaited<ReturnType<AccessRepository['findSessionWithMemberships']>>;

export function createAuthService({ db, access, statuses, keys, audit, secrets }: AuthServiceDeps) {
  const twoFactor = createTwoFactorService({ db, access, audit, secrets });
  const twoFactorRefused = () =>
    new AppError(
      'unauthorized',
      'This account signs in with two-factor authentication: sign in at POST /api/v1/auth/login, or use an API key.',
    );

  async function issueSession(
    trx: Kysely<Database>,
    userId: number,
    now: string,
    scope: { ttlMs?: number; orgId?: number } = {},
  ) {
    const token = newToken('lf');
    const expires = new Date(Date.parse(now) + (scope.ttlMs ?? SESSION_DAYS * 86400_000)).toISOString();
    await access.insertSession(trx, {
      token_hash: hashToken(token),
      user_id: userId,
      created_at: now,
      expires_at: expires,
      ...(scope.orgId !== undefined ? { org_id: scope.orgId } : {}),
    });
    return { token, expires_at: expires };
  }

  type KeyRow = NonNullable<Awaited<ReturnType<KeyRepository['findApiKeyByHash']>>>;
  type Expiring = { revoked_at: string | null; expires_at: string | null };
  // Successful token lookups of this process, checked against auth_state.version on every use (auth-cache.ts).
  const tokens = createTokenCache<
    | { kind: 'session'; rows: SessionRows; lastUsedAt: string | null }
    | { kind: 'key'; key: KeyRow; parent: Expiring | null; lastUsedAt: string | null }
  >(db);
  const dead = (k: Expiring | undefined, now: string) =>
    !k || k.revoked_at !== null || (k.expires_at !== null && k.expires_at <= now);
  // Touch at most once a minute: a write per request would cost more than the request.
  const stale = (lastUsedAt: string | null, now: string) =>
    !lastUsedAt || Date.parse(now) - Date.parse(lastUsedAt) > 60_000;

  function keyContext(key: KeyRow, orgHeader: string | undefined): AuthContext {
    if (orgHeader !== undefined && Number(orgHeader) !== key.org_id) {
      throw new AppError('forbidden', 'An API key acts only in its own organization.', [
        { field: 'X-Organization-Id', message: 'is not the organization of this API key' },
      ]);
    }
    const scopes = JSON.parse(key.scopes) as string[];
    return {
      kind: 'api_key',
      orgId: key.org_id,
      userId: null,
      role: roleForScopes(scopes),
      apiKeyId: key.id,
      scopes,
    };
  }

  async function authenticateApiKey(
    token: string,
    orgHeader: string | undefined,
    q: Kysely<Database> = db,
  ): Promise<AuthContext> {
    const hash = hashToken(token);
    const now = nowIso();
    // Outside a transaction, a cached lookup still current (one version query) answers without reading the key.
    const cached = q === db ? tokens.get(hash) : undefined;
    if (
      cached?.value.kind === 'key' &&
      !dead(cached.value.key, now) &&
      !(cached.value.parent && dead(cached.value.parent, now)) &&
      (orgHeader === undefined || Number(orgHeader) === cached.value.key.org_id) &&
      (await tokens.fresh(cached, cached.value.key.org_id))
    ) {
      const hit = cached.value;
      if (stale(hit.lastUsedAt, now)) {
        await keys.touchApiKey(hit.key.id, now, q);
        hit.lastUsedAt = now;
      }
      return keyContext(hit.key, orgHeader);
    }
    const key = await keys.findApiKeyByHash(hash, q);
    // A short-lived key exchanged for another (exchangeApiKey) dies with its parent.
    const parent =
      key && key.parent_key_id !== null ? await keys.findApiKeyById(key.parent_key_id, q) : undefined;
    if (dead(key, now) || (key!.parent_key_id !== null && dead(parent, now))) {
      throw new AppError('unauthorized', 'The API key is invalid, expired or revoked.');
    }
    if (!key) throw new AppError('unauthorized', 'The API key is invalid, expired or revoked.');
    noteOrgVersion(db, key.org_id, key.settings_version);
    const auth = keyContext(key, orgHeader);
    let lastUsedAt = key.last_used_at;
    if (stale(lastUsedAt, now)) {
      await keys.touchApiKey(key.id, now, q);
      lastUsedAt = now;
    }
    if (q === db)
      tokens.set(hash, key.auth_version, {
        kind: 'key',
        key,
        parent: parent ? { revoked_at: parent.revoked_at, expires_at: parent.expires_at } : null,
        lastUsedAt,
      });
    return auth;
  }

  /**
   * A session's rows (one per membership) into the context of the organization asked for, or the 401/403 that
   * refuses it. The same rules for rows just read and rows from the cache.
   */
  function sessionContext(rows: SessionRows, orgHeader: string | undefined, now: string): AuthContext {
    const session = rows[0];
    if (!session || session.revoked_at || session.expires_at <= now) {
      throw new AppError('unauthorized', 'The token is invalid, expired or revoked; sign in again.');
    }
    const active = rows.filter((r) => r.org_id !== null && r.deactivated_at === null);
    if (active.length === 0) {
      // Deactivation takes effect on the next request: memberships are read on every one (or their version).
      throw new AppError('unauthorized', 'This account is not an active member of any organization.');
    }
    let org = active[0];
    if (session.session_org_id !== null) {
      // A session pinned to one organization (issueToken) acts only there.
      const pinned = active.find((m) => m.org_id === session.session_org_id);
      if (!pinned)
        throw new AppError('unauthorized', 'This account is no longer an active member of the organization.');
      if (orgHeader !== undefined && Number(orgHeader) !== pinned.org_id)
        throw new AppError('forbidden', 'This token acts only in the organization it was issued for.', [
          { field: 'X-Organization-Id', message: 'is not the organization of this token' },
        ]);
      org = pinned;
    } else if (orgHeader !== undefined) {
      const wanted = Number(orgHeader);
      org = active.find((m) => m.org_id === wanted)!;
      if (!Number.isInteger(wanted) || !org) {
        throw new AppError(
          'forbidden',
          'You are not a member of the organization named in X-Organization-Id.',
          [{ field: 'X-Organization-Id', message: 'is not one of your organizations' }],
        );
      }
    }
    return {
      kind: 'user',
      orgId: org.org_id!,
      userId: session.user_id,
      role: org.role as Role,
      sessionId: session.id,
    };
  }

  return {
    async signup(
      input: { email: string; password: string; name: string; organization_name: string },
      opts: TxOptions = {},
    ) {
      const email = normalizeEmail(input.email);
      const passwordHash = await hashPassword(input.password);
      const now = nowIso();
      return inTransaction(db, opts, async (trx) => {
        // An existing account: with its own password this is that person starting another organization (201
        // as for a new account); otherwise the same 401 as a failed sign-in, never "this email has an account".
        const existing = await access.findUserByEmail(email, trx);
        if (existing && !(await verifyPassword(input.password, existing.password_hash)))
          throw new AppError('unauthorized', 'Email or password is wrong.');
        const org = await access.insertOrganization(trx, input.organization_name.trim(), now);
        const user = existing
          ? { id: existing.id, email: existing.email, name: existing.name, created_at: existing.created_at }
          : await access.insertUser(trx, {
              email,
              name: input.name.trim(),
              password_hash: passwordHash,
              created_at: now,
            });
        await access.insertMembership(trx, org.id, user.id, 'owner', now);
        await statuses.insertDefaults(trx, org.id, now);
        const { token } = await issueSession(trx, user.id, now);
        return { token, user, organization: { id: org.id, name: org.name } };
      });
    },

    async login(
      input: { email: string; password: string },
      meta: { ip?: string } = {},
      opts: TxOptions = {},
    ) {
      const q = runner(db, opts);
      const user = await access.findUserByEmail(normalizeEmail(input.email), q);
      const ok = user
        ? await verifyPassword(input.password, user.password_hash)
        : (await verifyPassword(input.password, await DUMMY_HASH), false);
      const organizations = user ? await access.listMemberships(user.id, q) : [];
      const actors = organizations.map((o) => ({ orgId: o.id, userId: user!.id, ip: meta.ip ?? null }));
      if (!user || !ok) {
        // Each organization the person belongs to sees the attempt; an unknown email belongs to none.
        await audit.recordMany(
          actors,
          { action: 'auth.login_failed', targetType: 'user', targetId: user?.id },
          opts,
        );
        throw new AppError('unauthorized', 'Email or password is wrong.');
      }
      if (organizations.length === 0) {
        throw new AppError(
          'unauthorized',
          'This account has been deactivated in every organization it belonged to.',
        );
      }
      // Two-factor on: no session yet, only the short-lived token for the code step (completeTwoFactorLogin).
      if (await twoFactor.isEnabled(user.id, opts))
        return { two_factor_required: true as const, ...(await twoFactor.startChallenge(user.id, opts)) };
      const { token } = await inTransaction(db, opts, async (trx) => {
        const issued = await issueSession(trx, user.id, nowIso());
        await audit.recordMany(
          actors,
          { action: 'auth.login', targetType: 'user', targetId: user.id },
          { tx: trx },
        );
        return issued;
      });
      return { token, user: { id: user.id, email: user.email, name: user.name }, organizations };
    },

    /** The code step of a two-factor sign-in: a TOTP code or a recovery code for the challenge's person. */
    async completeTwoFactorLogin(
      input: { challenge_token: string; code: string },
      meta: { ip?: string } = {},
      guard?: CodeGuard,
      opts: TxOptions = {},
    ) {
      const userId = await twoFactor.completeChallenge(input.challenge_token, input.code, guard, opts);
      const q = runner(db, opts);
      const user = (await access.findUserById(userId, q))!;
      const organizations = await access.listMemberships(userId, q);
      if (organizations.length === 0)
        throw new AppError('unauthorized', 'This account is not an active member of any organization.');
      const { token } = await inTransaction(db, opts, async (trx) => {
        const issued = await issueSession(trx, userId, nowIso());
        await audit.recordMany(
          organizations.map((o) => ({ orgId: o.id, userId, ip: meta.ip ?? null })),
          { action: 'auth.login', targetType: 'user', targetId: userId, details: { two_factor: true } },
          { tx: trx },
        );
        return issued;
      });
      return { token, user: { id: user.id, email: user.email, name: user.name }, organizations };
    },

    twoFactor,

    async logout(sessionId: number, opts: TxOptions = {}) {
      await access.revokeSession(sessionId, nowIso(), runner(db, opts));
    },

    /** Resolves a bearer token (session or API key) and the chosen organization into an AuthContext, or throws 401/403. */
    async authenticate(token: string, orgHeader: string | undefined): Promise<AuthContext> {
      if (token.startsWith('lfk_')) return authenticateApiKey(token, orgHeader);
      const hash = hashToken(token);
      const now = nowIso();
      const cached = tokens.get(hash);
      if (cached?.value.kind === 'session') {
        const hit = cached.value;
        // A cached session the rules refuse (expired since, another organization asked) is read again.
        let auth: AuthContext | undefined;
        try {
          auth = sessionContext(hit.rows, orgHeader, now);
        } catch {
          auth = undefined;
        }
        if (auth && (await tokens.fresh(cached, auth.orgId))) {
          if (stale(hit.lastUsedAt, now)) {
            await access.touchSession(hit.rows[0].id, now);
            hit.lastUsedAt = now;
          }
          return auth;
        }
      }
      const rows = await access.findSessionWithMemberships(hash);
      for (const r of rows)
        if (r.org_id !== null && r.deactivated_at === null) noteOrgVersion(db, r.org_id, r.settings_version);
      const auth = sessionContext(rows, orgHeader, now);
      let lastUsedAt = rows[0].last_used_at;
      if (stale(lastUsedAt, now)) {
        await access.touchSession(rows[0].id, now);
        lastUsedAt = now;
      }
      tokens.set(hash, rows[0].auth_version, { kind: 'session', rows, lastUsedAt });
      return auth;
    },

    /**
     * A user's email and password for one request (HTTP Basic on a compatible surface): no session is made.
     * The organization is the one named (a member's id), else the first active membership.
     */
    async authenticatePassword(
      email: string,
      password: string,
      orgHeader: string | undefined,
    ): Promise<AuthContext> {
      const user = await access.findUserByEmail(normalizeEmail(email));
      const ok = user
        ? await verifyPassword(password, user.password_hash)
        : (await verifyPassword(password, await DUMMY_HASH), false);
      if (!user || !ok) throw new AppError('unauthorized', 'Email or password is wrong.');
      if (await twoFactor.isEnabled(user.id)) throw twoFactorRefused();
      const memberships = await access.listMemberships(user.id);
      const org =
        orgHeader === undefined ? memberships[0] : memberships.find((m) => m.id === Number(orgHeader));
      if (!org) {
        if (memberships.length === 0)
          throw new AppError('unauthorized', 'This account is not an active member of any organization.');
        throw new AppError('forbidden', 'You are not a member of the organization named in the request.', [
          { field: 'organization', message: 'is not one of your organizations' },
        ]);
      }
      return { kind: 'user', orgId: org.id, userId: user.id, role: org.role as Role };
    },

    /**
     * A token for a user's email and password, pinned to one organization (named by id or by name,
     * case-insensitive; default: the first active membership), living `ttlMs` (compatible surfaces' logins:
     * seed 003's `authentication/token`). A session row like `login`'s, so every process accepts it.
     */
    async issueToken(
      input: { email: string; password: string; organization?: string },
      ttlMs: number,
      meta: { ip?: string } = {},
      opts: TxOptions = {},
    ): Promise<{ token: string; expires_at: string; auth: AuthContext }> {
      const q = runner(db, opts);
      const user = await access.findUserByEmail(normalizeEmail(input.email), q);
      const ok = user
        ? await verifyPassword(input.password, user.password_hash)
        : (await verifyPassword(input.password, await DUMMY_HASH), false);
      const memberships = user ? await access.listMemberships(user.id, q) : [];
      if (!user || !ok) {
        await audit.recordMany(
          memberships.map((o) => ({ orgId: o.id, userId: user!.id, ip: meta.ip ?? null })),
          { action: 'auth.login_failed', targetType: 'user', targetId: user?.id },
          opts,
        );
        throw new AppError('unauthorized', 'Email or password is wrong.');
      }
      if (await twoFactor.isEnabled(user.id, opts)) throw twoFactorRefused();
      if (memberships.length === 0)
        throw new AppError('unauthorized', 'This account is not an active member of any organization.');
      const wanted = input.organization?.trim();
      const org =
        wanted === undefined || wanted === ''
          ? memberships[0]
          : memberships.find((m) => String(m.id) === wanted || m.name.toLowerCase() === wanted.toLowerCase());
      if (!org)
        throw new AppError('forbidden', 'You are not a member of the organization named in the request.', [
          { field: 'organization', message: 'is not one of your organizations' },
        ]);
      const issued = await inTransaction(db, opts, async (trx) => {
        const session = await issueSession(trx, user.id, nowIso(), { ttlMs, orgId: org.id });
        await audit.record(
          { kind: 'user', orgId: org.id, userId: user.id, role: org.role as Role },
          { action: 'auth.login', targetType: 'user', targetId: user.id },
          { tx: trx },
        );
        return session;
      });
      return {
        ...issued,
        auth: { kind: 'user', orgId: org.id, userId: user.id, role: org.role as Role },
      };
    },

    /**
     * A short-lived key exchanged for an API key (seed 003's `authentication/web_api_key/token`): same
     * organization and scopes, expires after `ttlMs` or with its parent, and is what `releaseToken` may revoke.
     */
    async exchangeApiKey(
      key: string,
      ttlMs: number,
      opts: TxOptions = {},
    ): Promise<{ token: string; expires_at: string; auth: AuthContext }> {
      if (!key.startsWith('lfk_'))
        throw new AppError('unauthorized', 'The API key is invalid, expired or revoked.');
      const q = runner(db, opts);
      const parent = await authenticateApiKey(key, undefined, q);
      const row = (await keys.findApiKeyByHash(hashToken(key), q))!;
      const rootId = row.parent_key_id ?? row.id;
      const secret = newToken('lfk');
      const now = nowIso();
      const expires = new Date(Date.parse(now) + ttlMs).toISOString();
      const parentExpiry = row.expires_at;
      const child = await keys.insertApiKey(
        {
          org_id: row.org_id,
          name: `${row.name} (token)`,
          prefix: secret.slice(0, 12),
          key_hash: hashToken(secret),
          scopes: row.scopes,
          created_by: row.created_by,
          created_at: now,
          expires_at: parentExpiry !== null && parentExpiry < expires ? parentExpiry : expires,
          parent_key_id: rootId,
        },
        q,
      );
      return { token: secret, expires_at: child.expires_at!, auth: { ...parent, apiKeyId: child.id } };
    },

    /**
     * Ends the caller's token: its session, or its short-lived key (exchangeApiKey). An API key made by a
     * person is not ended this way (403): it is revoked in /api/v1.
     */
    async releaseToken(auth: AuthContext, opts: TxOptions = {}): Promise<void> {
      const now = nowIso();
      const q = runner(db, opts);
      if (auth.sessionId !== undefined) return access.revokeSession(auth.sessionId, now, q);
      if (auth.apiKeyId !== undefined && (await keys.revokeDerivedKey(auth.apiKeyId, now, q))) return;
      throw new AppError(
        'forbidden',
        'Only a token issued by a sign-in can be released; revoke API keys in /api/v1.',
      );
    },

    /** The organization's time zone (IANA name; null = UTC): compatible surfaces read zone-less times in it. */
    async orgTimeZone(orgId: number): Promise<string | null> {
      return access.findOrganizationTimeZone(orgId);
    },

    /** The caller's organization (seed 000's account: the dealer). */
    async organization(auth: AuthContext) {
      const row = await access.findOrganization(auth.orgId);
      if (!row) throw notFound('Organization', auth.orgId);
      return { id: row.id, name: row.name, created_at: row.created_at, time_zone: row.time_zone ?? null };
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
