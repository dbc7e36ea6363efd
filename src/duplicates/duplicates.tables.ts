/** Tables of duplicate detection and merge (migration 0160). */

/** One blocking key of a live lead (src/duplicates/match.ts `blockingKeys`). */
export interface LeadDupKeysTable {
  org_id: number;
  lead_id: number;
  key: string;
}

/** A scored pair of possible duplicates; lead_a < lead_b. */
export interface DuplicatePairsTable {
  org_id: number;
  lead_a: number;
  lead_b: number;
  /** Thousandths of the score (0..1000). */
  score: number;
  /** JSON array of MatchReason. */
  reasons: string;
  status: 'open' | 'dismissed';
  created_at: string;
  updated_at: string;
  dismissed_by: number | null;
}

/** One merge, with what it needs to be undone. */
export interface LeadMergesTable {
  id: import('kysely').Generated<number>;
  org_id: number;
  primary_id: number;
  merged_ids: string;
  record: string;
  created_by: number | null;
  created_at: string;
  undone_at: string | null;
  undone_by: number | null;
}

export interface DuplicateTables {
  lead_dup_keys: LeadDupKeysTable;
  duplicate_pairs: DuplicatePairsTable;
  lead_merges: LeadMergesTable;
}
