import type { ColumnType, Generated } from 'kysely';

/** A named refinement of one status ("ON_HOLD / YetToDecide"). Looked up by name within its status. */
export interface SubStatusesTable {
  id: Generated<number>;
  org_id: number;
  status_id: number;
  name: string;
  position: number;
  created_at: string;
  /** Soft delete: history rows keep pointing at it and still show its name. */
  deleted_at: string | null;
}

/** Why a lead moved (lost reasons, hold reasons...). Integer ids, as the compatible APIs expect. */
export interface ReasonsTable {
  id: Generated<number>;
  org_id: number;
  text: string;
  /** Its number within the organization, 1, 2, 3... (migration 0062); given by the repository on insert. */
  number: ColumnType<number, number | undefined, never>;
  /** JSON array of status categories the reason may be used for; null = any. */
  categories: string | null;
  position: number;
  created_at: string;
  deleted_at: string | null;
}

/** Per-organization definition of a custom field (extended field, UDF). */
export interface CustomFieldDefsTable {
  id: Generated<number>;
  org_id: number;
  key: string;
  label: string;
  /** string | number | date | boolean | enum */
  type: string;
  /** JSON array of allowed values for enum fields, else null. */
  options: string | null;
  required: number;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface PipelineTables {
  sub_statuses: SubStatusesTable;
  reasons: ReasonsTable;
  custom_field_defs: CustomFieldDefsTable;
}
