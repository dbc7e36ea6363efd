import type { Kysely, Updateable } from 'kysely';
import { authVersionColumn } from './auth-cache.js';
import type { Database } from '../db/schema.js';
import type { WebToLeadKeysTable } from './access.tables.js';

type Q = Kysely<Database>;

const API_KEY_COLUMNS = [
  'id',
  'name',
  'prefix',
  'scopes',
  'created_by',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
] as const;
const W2L_COLUMNS = [
  'id',
  'org_id',
  'name',
  'key',
  'allowed_origins',
  'default_source',
  'default_status',
  'default_owner_id',
  'default_team_id',
  'default_tags',
  'success_url',
  'rate_limit_per_minute',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

/** API keys (secret, hashed) and web-to-lead keys (public). */
export function createKeyRepository(db: Q) {
  return {
    async insertApiKey(
      row: {
        org_id: number;
        name: string;
        prefix: string;
        key_hash: string;
        scopes: string;
        created_by: number | null;
        created_at: string;
        expires_at: string | null;
        parent_key_id?: number;
      },
      trx: Q = db,
    ) {
      return trx
        .insertInto('api_keys')
        .values({ ...row, last_used_at: null, revoked_at: null })
        .returning(API_KEY_COLUMNS)
        .executeTakeFirstOrThrow();
    },
    async listApiKeys(orgId: number, trx: Q = db) {
      return trx
        .selectFrom('api_keys')
        .select(API_KEY_COLUMNS)
        .where('org_id', '=', orgId)
        .orderBy('id', 'desc')
        .execute();
    },
    async findApiKey(orgId: number, id: number, trx: Q = db) {
      return trx
        .selectFrom('api_keys')
        .select(API_KEY_COLUMNS)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** The auth hook's lookup: the hash names the key and its organization. */
    async findApiKeyByHash(keyHash: string, trx: Q = db) {
      // The organization's settings version rides along (the settings cache's key, src/db/org-cache.ts).
      return (
        trx
          .selectFrom('api_keys')
          .innerJoin('organizations', 'organizations.id', 'api_keys.org_id')
          .select([
            'api_keys.id as id',
            'api_keys.org_id as org_id',
            'api_keys.name as name',
            'api_keys.scopes as scopes',
            'api_keys.expires_at as expires_at',
            'api_keys.last_used_at as last_used_at',
            'api_keys.revoked_at as revoked_at',
            'api_keys.created_by as created_by',
            'api_keys.parent_key_id as parent_key_id',
            'organizations.settings_version as settings_version',
          ])
          // The token cache's key (src/access/auth-cache.ts), read in the same statement as the key.
          .select(authVersionColumn)
          .where('api_keys.key_hash', '=', keyHash)
          .executeTakeFirst()
      );
    },
    /** Revokes a short-lived key (one with a parent); keys made by people are left alone. */
    async revokeDerivedKey(id: number, now: string, trx: Q = db): Promise<boolean> {
      const r = await trx
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('parent_key_id', 'is not', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async findApiKeyById(id: number, trx: Q = db) {
      return trx
        .selectFrom('api_keys')
        .select(['id', 'expires_at', 'revoked_at'])
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async touchApiKey(id: number, now: string, trx: Q = db) {
      await trx.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
    async revokeApiKey(orgId: number, id: number, now: string, trx: Q = db): Promise<boolean> {
      const r = await trx
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async insertWebKey(row: Omit<WebToLeadKeysTable, 'id' | 'last_used_at' | 'revoked_at'>, trx: Q = db) {
      return trx
        .insertInto('web_to_lead_keys')
        .values({ ...row, last_used_at: null, revoked_at: null })
        .returning(W2L_COLUMNS)
        .executeTakeFirstOrThrow();
    },
    async listWebKeys(orgId: number) {
      return db
        .selectFrom('web_to_lead_keys')
        .select(W2L_COLUMNS)
        .where('org_id', '=', orgId)
        .orderBy('id', 'desc')
        .execute();
    },
    async findWebKey(orgId: number, id: number, trx: Q = db) {
      return trx
        .selectFrom('web_to_lead_keys')
        .select(W2L_COLUMNS)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** The public endpoint's lookup: the key names its organization. */
    async findWebKeyByKey(key: string) {
      return db.selectFrom('web_to_lead_keys').select(W2L_COLUMNS).where('key', '=', key).executeTakeFirst();
    },
    async updateWebKey(orgId: number, id: number, set: Updateable<WebToLeadKeysTable>, trx: Q = db) {
      return trx
        .updateTable('web_to_lead_keys')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returning(W2L_COLUMNS)
        .executeTakeFirst();
    },
    async touchWebKey(id: number, now: string, trx: Q = db) {
      await trx.updateTable('web_to_lead_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}

export type KeyRepository = ReturnType<typeof createKeyRepository>;
export type WebKeyRow = Awaited<ReturnType<KeyRepository['findWebKeyByKey']>> & object;
