import type { Generated } from 'kysely';

/** A user with a role on a lead (migration 0080); the owner is leads.owner_id. */
export interface LeadUsersTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  user_id: number;
  role: string;
  created_by: number | null;
  created_at: string;
}

/** The teams of a lead, in order (migration 0080); leads.team_id is the primary one. */
export interface LeadTeamsTable {
  org_id: number;
  lead_id: number;
  team_id: number;
  position: number;
}

export interface LeadPartTables {
  lead_users: LeadUsersTable;
  lead_teams: LeadTeamsTable;
}
