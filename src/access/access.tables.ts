import type { ColumnType, Generated } from 'kysely';

/** Tables of the access feature (migration 0030_access). Every one is tenant-owned: org_id first. */
export interface TeamsTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  created_at: string;
}

export interface TeamMembersTable {
  org_id: number;
  team_id: number;
  user_id: number;
  created_at: string;
}

export interface InvitationsTable {
  id: Generated<number>;
  org_id: number;
  email: string;
  role: string;
  /** JSON array of team ids the new member joins. */
  team_ids: string;
  token_hash: string;
  invited_by: number | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_user_id: number | null;
  revoked_at: string | null;
}

export interface ApiKeysTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  /** The first characters of the secret, shown in lists so people can tell keys apart. */
  prefix: string;
  key_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  created_by: number | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** The key this short-lived key was exchanged for (migration 0150); null for a key made by a person. */
  parent_key_id: number | null;
}

export interface WebToLeadKeysTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  /** Public by design (it sits in a web page), so stored as is. */
  key: string;
  /** JSON array of origins ("https://example.com"); empty means any origin. */
  allowed_origins: string;
  default_source: string | null;
  default_status: string | null;
  default_owner_id: number | null;
  default_team_id: number | null;
  /** JSON array of tags added to every lead from this form. */
  default_tags: string;
  success_url: string | null;
  rate_limit_per_minute: number;
  created_by: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface IdempotencyKeysTable {
  org_id: number;
  /** Who sent it: "u:<user id>" or "k:<api key id>"; a key is private to its sender. */
  principal: string;
  key: string;
  request_hash: string;
  /** Null while the first request is still running. */
  status_code: number | null;
  response_body: string | null;
  /** JSON object of the headers replayed (content-type, location, etag). */
  response_headers: string | null;
  created_at: string;
  expires_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  org_id: number;
  action: string;
  actor_user_id: number | null;
  actor_api_key_id: number | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  /** JSON object with what else matters (old and new role, key name...). Never secrets. */
  details: string;
  created_at: string;
}

/**
 * One row (id 1): a counter bumped by triggers whenever what a token lookup reads changes (migration 0230,
 * src/access/auth-cache.ts). Not tenant data.
 */
export interface AuthStateTable {
  id: number;
  version: ColumnType<number, number | undefined, never>;
}

export interface AccessTables {
  auth_state: AuthStateTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  invitations: InvitationsTable;
  api_keys: ApiKeysTable;
  web_to_lead_keys: WebToLeadKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
}
