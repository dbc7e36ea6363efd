import type { Generated } from 'kysely';

/** One unit of background work. The queue lives in the database so it survives a restart. */
export interface JobsTable {
  id: Generated<number>;
  org_id: number;
  kind: string;
  /** JSON. */
  payload: string;
  /** queued | running | completed | failed */
  status: string;
  attempts: number;
  run_after: string;
  locked_by: string | null;
  /** Refreshed while a worker runs the job; a stale heartbeat means its process died. */
  heartbeat_at: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface JobTables {
  jobs: JobsTable;
}
