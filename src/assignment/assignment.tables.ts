import type { Generated } from 'kysely';

/** An assignment rule (migration 0170): evaluated in `position` order on every lead create. */
export interface AssignmentRulesTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  position: number;
  enabled: number;
  /** JSON: [{ field, op, value }], all must hold. */
  conditions: string;
  /** round_robin | least_open | user | team */
  strategy: string;
  /** JSON array of user ids: the pool (or the one user of `user`). */
  user_ids: string;
  team_id: number | null;
  /** Most leads a user gets from rules per `capacity_days`; null = the default (30). */
  capacity: number | null;
  capacity_days: number;
  sla_minutes: number | null;
  /** Round robin: how many leads the rule handed out, claimed with an atomic increment. */
  rr_cursor: number;
  created_at: string;
  updated_at: string;
}

/** Who got a lead, by which rule or SLA reassignment (append-only history, plus the SLA's outcome). */
export interface LeadAssignmentsTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  rule_id: number | null;
  user_id: number | null;
  team_id: number | null;
  previous_user_id: number | null;
  /** rule | sla */
  reason: string;
  sla_due_at: string | null;
  resolved_at: string | null;
  /** contacted | reassigned | expired (no one else to take it) | superseded */
  outcome: string | null;
  created_at: string;
}

export interface AssignmentTables {
  assignment_rules: AssignmentRulesTable;
  lead_assignments: LeadAssignmentsTable;
}
