import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/dialect.js';
import { inTransaction, runner, type TxOptions } from '../db/unit-of-work.js';
import { AppError, fieldError, notFound } from '../http/errors.js';
import { checkContentIfMatch } from '../http/etag.js';
import type { AccessRepository } from './access.repository.js';
import type { AuditService } from './audit.service.js';
import type { KeyRepository } from './key.repository.js';
import type { TeamRepository } from './team.repository.js';
import type { StatusRepository } from '../pipeline/status.repository.js';
import { hashToken, newToken } from './crypto.js';
import { assertCan, SCOPES, type AuthContext } from './roles.js';

type ApiKeyRow = Awaited<ReturnType<KeyRepository['listApiKeys']>>[number];
type WebKeyRow = Awaited<ReturnType<KeyRepository['listWebKeys']>>[number];

export function toApiKeyDto(k: ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: JSON.parse(k.scopes) as string[],
    created_by: k.created_by,
    created_at: k.created_at,
    expires_at: k.expires_at,
    last_used_at: k.last_used_at,
    revoked_at: k.revoked_at,
  };
}

export function toWebKeyDto(k: WebKeyRow) {
  return {
    id: k.id,
    name: k.name,
    key: k.key,
    allowed_origins: JSON.parse(k.allowed_origins) as string[],
    default_source: k.default_source,
    default_status: k.default_status,
    default_owner_id: k.default_owner_id,
    default_team_id: k.default_team_id,
    default_tags: JSON.parse(k.default_tags) as string[],
    success_url: k.success_url,
    rate_limit_per_minute: k.rate_limit_per_minute,
    created_at: k.created_at,
    last_used_at: k.last_used_at,
    revoked_at: k.revoked_at,
  };
}

/** "https://Example.com/" -> "https://example.com"; anything that is not an http(s) origin is refused. */
export function normalizeOrigin(raw: string): string | null {
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username) return null;
    return u.origin;
  } catch {
    return null;
  }
}

export interface WebKeyInput {
  name?: string;
  allowed_origins?: string[];
  default_source?: string | null;
  default_status?: string | null;
  default_owner_id?: number | null;
  default_team_id?: number | null;
  default_tags?: string[];
  success_url?: string | null;
  rate_limit_per_minute?: number;
}

interface Deps {
  db: Kysely<Database>;
  keys: KeyRepository;
  access: AccessRepository;
  teams: TeamRepository;
  statuses: StatusRepository;
  audit: AuditService;
}

/** API keys (secret, for integrations) and web-to-lead keys (public, for forms). */
export function createKeyService({ db, keys, access, teams, statuses, audit }: Deps) {
  async function checkWebKeyInput(orgId: number, input: WebKeyInput, trx: Kysely<Database>) {
    const out: Record<string, unknown> = {};
    if (input.name !== undefined) {
      if (!input.name.trim()) throw fieldError('name', 'must not be blank');
      out.name = input.name.trim();
    }
    if (input.allowed_origins !== undefined) {
      const origins: string[] = [];
      input.allowed_origins.forEach((o, i) => {
        const n = normalizeOrigin(o);
        if (!n)
          throw fieldError(
            `allowed_origins.${i}`,
            'must be an origin such as "https://www.example.com" (scheme, host, optional port; no path)',
          );
        if (!origins.includes(n)) origins.push(n);
      });
      out.allowed_origins = JSON.stringify(origins);
    }
    if (input.default_status != null && !(await statuses.findByKey(orgId, input.default_status, trx))) {
      throw fieldError('default_status', 'is not a status key of this organization');
    }
    if (input.default_owner_id != null) {
      const m = await access.findMembership(orgId, input.default_owner_id, trx);
      if (!m || m.deactivated_at)
        throw fieldError('default_owner_id', 'is not an active user of this organization');
    }
    if (input.default_team_id != null && !(await teams.findById(orgId, input.default_team_id, trx))) {
      throw fieldError('default_team_id', 'is not a team of this organization');
    }
    if (input.success_url != null) {
      try {
        if (!/^https?:$/.test(new URL(input.success_url).protocol)) throw new Error();
      } catch {
        throw fieldError('success_url', 'must be an http(s) URL');
      }
    }
    for (const k of [
      'default_source',
      'default_status',
      'default_owner_id',
      'default_team_id',
      'success_url',
      'rate_limit_per_minute',
    ] as const) {
      if (input[k] !== undefined) out[k] = input[k];
    }
    if (input.default_tags !== undefined)
      out.default_tags = JSON.stringify([
        ...new Set(input.default_tags.map((t) => t.trim()).filter(Boolean)),
      ]);
    return out;
  }

  return {
    async createApiKey(
      auth: AuthContext,
      input: { name: string; scopes: string[]; expires_at?: string | null },
      opts: TxOptions = {},
    ) {
      assertCan(auth, 'api_keys:manage');
      const name = input.name.trim();
      if (!name) throw fieldError('name', 'must not be blank');
      const scopes = [...new Set(input.scopes)];
      const bad = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
      if (bad !== undefined || scopes.length === 0)
        throw fieldError('scopes', `must be one or more of: ${SCOPES.join(', ')}`);
      const now = nowIso();
      let expires: string | null = null;
      if (input.expires_at != null) {
        const t = Date.parse(input.expires_at);
        if (Number.isNaN(t)) throw fieldError('expires_at', 'must be an ISO 8601 date-time');
        if (t <= Date.now()) throw fieldError('expires_at', 'must be in the future');
        expires = new Date(t).toISOString();
      }
      const secret = newToken('lfk');
      const row = await inTransaction(db, opts, async (trx) => {
        const inserted = await keys.insertApiKey(
          {
            org_id: auth.orgId,
            name,
            prefix: secret.slice(0, 12),
            key_hash: hashToken(secret),
            scopes: JSON.stringify(scopes),
            created_by: auth.userId,
            created_at: now,
            expires_at: expires,
          },
          trx,
        );
        await audit.record(
          auth,
          {
            action: 'api_key.created',
            targetType: 'api_key',
            targetId: inserted.id,
            details: { name, scopes },
          },
          { tx: trx },
        );
        return inserted;
      });
      return { ...toApiKeyDto(row), key: secret };
    },
    async listApiKeys(auth: AuthContext) {
      assertCan(auth, 'api_keys:manage');
      return { data: (await keys.listApiKeys(auth.orgId)).map(toApiKeyDto) };
    },
    async revokeApiKey(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'api_keys:manage');
      await inTransaction(db, opts, async (trx) => {
        const k = await keys.findApiKey(auth.orgId, id, trx);
        if (!k) throw notFound('API key', id);
        if (!(await keys.revokeApiKey(auth.orgId, id, nowIso(), trx)))
          throw new AppError('conflict', `API key ${id} is already revoked.`);
        await audit.record(
          auth,
          { action: 'api_key.revoked', targetType: 'api_key', targetId: id, details: { name: k.name } },
          { tx: trx },
        );
      });
    },

    async createWebKey(auth: AuthContext, input: WebKeyInput & { name: string }, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      const cols = await checkWebKeyInput(auth.orgId, input, runner(db, opts));
      const row = await inTransaction(db, opts, async (trx) => {
        const inserted = await keys.insertWebKey(
          {
            org_id: auth.orgId,
            name: cols.name as string,
            key: newToken('lfw'),
            allowed_origins: (cols.allowed_origins as string) ?? '[]',
            default_source: input.default_source ?? 'web form',
            default_status: input.default_status ?? null,
            default_owner_id: input.default_owner_id ?? null,
            default_team_id: input.default_team_id ?? null,
            default_tags: (cols.default_tags as string) ?? '[]',
            success_url: input.success_url ?? null,
            rate_limit_per_minute: input.rate_limit_per_minute ?? 30,
            created_by: auth.userId,
            created_at: nowIso(),
          },
          trx,
        );
        await audit.record(
          auth,
          {
            action: 'web_to_lead_key.created',
            targetType: 'web_to_lead_key',
            targetId: inserted.id,
            details: { name: inserted.name },
          },
          { tx: trx },
        );
        return inserted;
      });
      return toWebKeyDto(row);
    },
    async listWebKeys(auth: AuthContext) {
      assertCan(auth, 'settings:read');
      return { data: (await keys.listWebKeys(auth.orgId)).map(toWebKeyDto) };
    },
    async getWebKey(auth: AuthContext, id: number) {
      assertCan(auth, 'settings:read');
      const k = await keys.findWebKey(auth.orgId, id);
      if (!k) throw notFound('Web-to-lead key', id);
      return toWebKeyDto(k);
    },
    async updateWebKey(
      auth: AuthContext,
      id: number,
      input: WebKeyInput,
      ifMatch?: string,
      opts: TxOptions = {},
    ) {
      assertCan(auth, 'settings:write');
      const row = await inTransaction(db, opts, async (trx) => {
        const current = await keys.findWebKey(auth.orgId, id, trx);
        if (!current) throw notFound('Web-to-lead key', id);
        checkContentIfMatch(`Web-to-lead key ${id}`, toWebKeyDto(current), ifMatch);
        const cols = await checkWebKeyInput(auth.orgId, input, trx);
        return Object.keys(cols).length
          ? await keys.updateWebKey(auth.orgId, id, cols, trx)
          : await keys.findWebKey(auth.orgId, id, trx);
      });
      return toWebKeyDto(row!);
    },
    async revokeWebKey(auth: AuthContext, id: number, opts: TxOptions = {}) {
      assertCan(auth, 'settings:write');
      await inTransaction(db, opts, async (trx) => {
        const k = await keys.findWebKey(auth.orgId, id, trx);
        if (!k) throw notFound('Web-to-lead key', id);
        if (k.revoked_at) throw new AppError('conflict', `Web-to-lead key ${id} is already revoked.`);
        await keys.updateWebKey(auth.orgId, id, { revoked_at: nowIso() }, trx);
        await audit.record(
          auth,
          {
            action: 'web_to_lead_key.revoked',
            targetType: 'web_to_lead_key',
            targetId: id,
            details: { name: k.name },
          },
          { tx: trx },
        );
      });
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;
