/** Lead counts kept by triggers (migration 0104): one row per organization, creation day, status, source, live. */
export interface LeadRollupsTable {
  org_id: number;
  /** YYYY-MM-DD, the UTC day the leads were created. */
  day: string;
  status_id: number;
  /** '' for leads without a source. */
  source: string;
  /** 1: live, 0: deleted, 2: merged (migration 0210; no report reads it). */
  live: number;
  n: number;
  value_cents: number;
  /** Sum of value_cents x probability (percent). */
  weighted: number;
}

/** Lead counts kept by triggers (migration 0211): per organization, live, status, source and owner, no day. */
export interface LeadTotalsTable {
  org_id: number;
  /** 1: live, 0: deleted, 2: merged. */
  live: number;
  status_id: number;
  /** '' for leads without a source. */
  source: string;
  /** 0 for leads without an owner. */
  owner_id: number;
  n: number;
  value_cents: number;
  weighted: number;
}

/** A completed stay in a status (migration 0220): one per history row that a later row of its lead follows. */
export interface StatusStaysTable {
  /** The status_history row that entered the status. */
  history_id: number;
  org_id: number;
  lead_id: number;
  status_id: number;
  /** 1: live, 0: deleted, 2: merged (follows the lead). */
  live: number;
  entered_at: string;
  /** How long the stay lasted, in milliseconds. */
  ms: number;
  /** The lead's owner, 0 for none (migration 0240). */
  owner_id: number;
}

/** Stays per organization, live and status (migration 0220): their number and summed ms. */
export interface StatusStayTotalsTable {
  org_id: number;
  live: number;
  status_id: number;
  n: number;
  ms: number;
}

/** Activities on leads per organization, live, day, the lead's owner and kind (migration 0221). */
export interface ActivityRollupsTable {
  org_id: number;
  live: number;
  /** YYYY-MM-DD, the UTC day the activity was recorded (its created_at). */
  day: string;
  /** The lead's current owner; 0 for none. */
  owner_id: number;
  kind: 'follow_up' | 'task' | 'status_change';
  n: number;
}

/**
 * A lead that reached a won or converted outcome (migration 0222), kept by triggers: what conversion and won
 * value group and filter on.
 */
export interface LeadOutcomesTable {
  lead_id: number;
  org_id: number;
  /** 1: live, 0: deleted, 2: merged. */
  live: number;
  /** The lead's current status. */
  status_id: number;
  /** '' for none. */
  source: string;
  /** 0 for none. */
  owner_id: number;
  created_at: string;
  value_cents: number;
  /** 1 when the current status is in the won category. */
  won: number;
  /** When won: the first entry into a won status (the last status change when the history has none). */
  won_at: string | null;
}

/** Leads per organization, live, UTC creation day and source (migration 0224), kept by triggers. */
export interface LeadDaysTable {
  org_id: number;
  live: number;
  day: string;
  /** '' for none. */
  source: string;
  n: number;
}

export interface ReportTables {
  lead_rollups: LeadRollupsTable;
  lead_totals: LeadTotalsTable;
  status_stays: StatusStaysTable;
  status_stay_totals: StatusStayTotalsTable;
  activity_rollups: ActivityRollupsTable;
  lead_outcomes: LeadOutcomesTable;
  lead_days: LeadDaysTable;
}
