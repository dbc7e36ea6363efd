import type { Generated } from 'kysely';

export interface ImportsTable {
  id: Generated<number>;
  org_id: number;
  created_by: number | null;
  /** uploaded | queued | running | completed | failed | reverting | reverted */
  status: string;
  file_name: string;
  file_path: string;
  size_bytes: number;
  /** csv | xlsx | json */
  format: string;
  encoding: string | null;
  delimiter: string | null;
  /** JSON: the sniffing details (sheet, json path, header row number...). */
  detected: string;
  /** JSON array of column names. */
  header: string;
  /** JSON array of the first rows (arrays of strings). */
  preview_rows: string;
  /** JSON: mapping, dedupe, defaults, null_values, date_order, dry_run of the run request. */
  options: string | null;
  dry_run: number;
  job_id: number | null;
  rows_read: number;
  rows_created: number;
  rows_updated: number;
  rows_skipped: number;
  rows_failed: number;
  /** Rows of the file consumed by committed batches: the resume point. */
  next_row: number;
  bytes_done: number;
  started_at: string | null;
  finished_at: string | null;
  /** Seconds spent running, summed over resumed segments (for the rate). */
  run_seconds: number;
  error: string | null;
  reverted_at: string | null;
  revert_summary: string | null;
  /** JSON { column: { value: count } }: vocabulary values that matched nothing (migration 0130). */
  warnings: string | null;
  created_at: string;
  updated_at: string;
}

/** One committed batch: what it created and what it changed, so revert can undo it. */
export interface ImportBatchesTable {
  id: Generated<number>;
  org_id: number;
  import_id: number;
  first_row: number;
  last_row: number;
  /** JSON array of lead ids created by this batch. */
  created_ids: string;
  /** JSON array of { id, version, before } for leads this batch updated. */
  updated: string;
  created_at: string;
}

export interface ImportErrorsTable {
  id: Generated<number>;
  org_id: number;
  import_id: number;
  row_number: number;
  column_name: string | null;
  value: string | null;
  message: string;
}

export interface ImportTables {
  imports: ImportsTable;
  import_batches: ImportBatchesTable;
  import_errors: ImportErrorsTable;
}
