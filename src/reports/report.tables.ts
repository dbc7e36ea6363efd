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

export interface ReportTables {
  lead_rollups: LeadRollupsTable;
  lead_totals: LeadTotalsTable;
}
