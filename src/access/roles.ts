import { AppError } from '../http/errors.js';

export const ROLES = ['owner', 'admin', 'manager', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Scopes an API key can hold. A key never manages users, keys or the audit log: that needs a person. */
export const SCOPES = ['leads:read', 'leads:write', 'leads:export', 'settings:write'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who the request acts as, within one organization. */
export interface AuthContext {
  /** 'web_form' is a public web-to-lead key: it can only create leads. */
  kind: 'user' | 'api_key' | 'web_form';
  orgId: number;
  userId: number | null;
  role: Role;
  sessionId?: number;
  apiKeyId?: number;
  scopes?: string[];
  /** The client address, for the audit log. */
  ip?: string;
}

/**
 * Every permission a service may ask for. Services call `assertCan(auth, 'leads:write')` before acting;
 * users get them from their role, API keys from their scopes (see docs/security.md).
 */
export type Permission =
  | 'leads:read'
  | 'leads:write'
  | 'leads:delete'
  | 'leads:import'
  | 'leads:export'
  | 'settings:read'
  | 'settings:write'
  | 'users:manage'
  | 'api_keys:manage'
  | 'audit:read';

const RANK: Record<Role, number> = { owner: 5, admin: 4, manager: 3, agent: 2, viewer: 1 };

const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set<Permission>([
    'leads:read',
    'leads:write',
    'leads:delete',
    'leads:import',
    'leads:export',
    'settings:read',
    'settings:write',
    'users:manage',
    'api_keys:manage',
    'audit:read',
  ]),
  admin: new Set<Permission>([
    'leads:read',
    'leads:write',
    'leads:delete',
    'leads:import',
    'leads:export',
    'settings:read',
    'settings:write',
    'users:manage',
    'api_keys:manage',
    'audit:read',
  ]),
  manager: new Set<Permission>([
    'leads:read',
    'leads:write',
    'leads:delete',
    'leads:import',
    'leads:export',
    'settings:read',
    'users:manage',
  ]),
  agent: new Set<Permission>(['leads:read', 'leads:write', 'leads:delete', 'settings:read']),
  viewer: new Set<Permission>(['leads:read', 'settings:read']),
};

/** Which scopes grant a permission to an API key (any one of them suffices). */
const SCOPE_GRANTS: Record<Permission, readonly Scope[]> = {
  'leads:read': ['leads:read', 'leads:write'],
  'leads:write': ['leads:write'],
  'leads:delete': ['leads:write'],
  'leads:import': ['leads:write'],
  // Exporting every lead at once is its own grant (as for roles: a viewer cannot export).
  'leads:export': ['leads:export'],
  'settings:read': ['leads:read', 'leads:write', 'settings:write'],
  'settings:write': ['settings:write'],
  'users:manage': [],
  'api_keys:manage': [],
  'audit:read': [],
};

export function can(auth: AuthContext, permission: Permission): boolean {
  if (auth.kind === 'web_form') return permission === 'leads:write';
  if (auth.kind === 'api_key') return SCOPE_GRANTS[permission].some((s) => auth.scopes?.includes(s));
  return ROLE_PERMISSIONS[auth.role]?.has(permission) ?? false;
}

/** Throws 403 when the caller lacks the permission. The message names it, never data. */
export function assertCan(auth: AuthContext, permission: Permission): void {
  if (can(auth, permission)) return;
  const who = auth.kind === 'api_key' ? 'This API key (check its scopes)' : `Your role (${auth.role})`;
  throw new AppError('forbidden', `${who} does not allow ${permission}.`);
}

/** False for read-only callers (viewers, keys with only leads:read): they may not write anything at all. */
export function canWriteSomething(auth: AuthContext): boolean {
  if (auth.kind === 'user') return auth.role !== 'viewer';
  if (auth.kind === 'api_key') return !!auth.scopes?.some((s) => s !== 'leads:read' && s !== 'leads:export');
  return true;
}

export function roleRank(role: Role): number {
  return RANK[role] ?? 0;
}

/**
 * Owners may grant any role; everyone else only roles below their own, so a manager cannot make an admin
 * (nor another manager) and nobody can raise themselves.
 */
export function canGrantRole(actor: Role, target: Role): boolean {
  return actor === 'owner' || roleRank(target) < roleRank(actor);
}

/** Agents are limited to leads they own or that belong to one of their teams. */
export function seesOnlyOwnLeads(auth: AuthContext): boolean {
  return auth.kind === 'user' && auth.role === 'agent';
}

/** The role an API key acts with where code looks at a role: the widest its scopes imply. */
export function roleForScopes(scopes: readonly string[]): Role {
  if (scopes.includes('settings:write')) return 'admin';
  if (scopes.includes('leads:write')) return 'manager';
  return 'viewer';
}
