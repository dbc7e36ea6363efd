import type { Generated } from 'kysely';

/** A bulk lead action run as a job (migration 0105): what to do, to which leads, and how far it got. */
export interface BulkJobsTable {
  id: Generated<number>;
  org_id: number;
  created_by: number | null;
  job_id: number | null;
  action: string;
  /** JSON. */
  input: string;
  /** JSON AuthContext (without the session). */
  actor: string;
  /** JSON number[]. */
  lead_ids: string;
  /** queued | running | completed | failed */
  status: string;
  total: number;
  done: number;
  changed: number;
  /** JSON BulkRefusal[]. */
  refused: string;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface BulkTables {
  bulk_jobs: BulkJobsTable;
}
