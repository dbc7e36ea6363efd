import type { Generated } from 'kysely';

/** A saved list view: the list's filters, sort and columns under a name, private or shared. */
export interface SavedViewsTable {
  id: Generated<number>;
  org_id: number;
  /** The user who saved it; only they (or an admin, for a shared view) change or delete it. */
  owner_id: number;
  name: string;
  /** JSON object: list query parameter -> value (the same names as GET /leads). */
  filters: string;
  sort: string | null;
  /** JSON array of column keys, in order. */
  columns: string;
  /** private | organization | team */
  visibility: string;
  /** The team it is shared with (visibility team). */
  team_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface ViewTables {
  saved_views: SavedViewsTable;
}
