// What the import wizard knows about an import job (GET /api/v1/imports/:id) and the mapping targets.

// Lead fields a column can go to (the server's own list); any other column can become a custom field.
export { TARGET_FIELDS as TARGETS } from '../../../src/imports/target-fields.js';
export const label = (f: string) => f.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export interface ImportJob {
  id: number;
  status: string;
  file_name?: string;
  format?: string;
  encoding?: string | null;
  delimiter?: string | null;
  header?: string[];
  preview_rows?: string[][];
  rows?: string[][];
  suggested_mapping?: Record<string, string | null>;
  unmapped_columns?: { column: string; custom_field: string }[];
  suggested_null_values?: string[];
  errors_url?: string;
  counts?: { read: number; created: number; updated: number; skipped: number; failed: number };
  percent?: number | null;
  rate?: number | null;
  total_rows?: number | null;
  error?: string | null;
  [k: string]: unknown;
}

export const DONE = new Set(['completed', 'failed', 'reverted']);

/** The custom field the server proposes for a column (or one derived from its name). */
export function customTarget(job: ImportJob, column: string): string {
  const proposed = job.unmapped_columns?.find((u) => u.column === column)?.custom_field;
  const key =
    proposed ??
    column
      .replace(/[^A-Za-z0-9_]/g, '_')
      .replace(/^[^A-Za-z]+/, '')
      .slice(0, 64);
  return key.startsWith('custom_fields.') ? key : `custom_fields.${key}`;
}
