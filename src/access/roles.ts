export const ROLES = ['owner', 'admin', 'manager', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who the request acts as, within one organization. */
export interface AuthContext {
  kind: 'user' | 'api_key';
  orgId: number;
  userId: number | null;
  role: Role;
  sessionId?: number;
  apiKeyId?: number;
  scopes?: string[];
}
