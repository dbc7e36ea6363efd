/** Lead counts kept by triggers (migration 0104): one row per organization, creation day, status, source, live. */
export interface LeadRollupsTable {
  org_id: number;
  /** YYYY-MM-DD, the UTC day the leads were created. */
  day: string;
  status_id: number;
  /** '' for leads without a source. */
  source: string;
  /** 1: not deleted. */
  live: number;
  n: number;
  value_cents: number;
  /** Sum of value_cents x probability (percent). */
  weighted: number;
}

export interface ReportTables {
  lead_rollups: LeadRollupsTable;
}
