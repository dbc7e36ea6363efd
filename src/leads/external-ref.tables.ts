import type { Generated } from 'kysely';

/**
 * Values a client's own system attached to a core record that have no Leadflow meaning, kept so they
 * round-trip: e.g. the staff id (in the client's system) who created a lead, logged a status change or did a
 * follow-up. Leadflow's own `created_by`/`done_by` columns always hold Leadflow user ids; these sit beside them.
 */
export interface ExternalRefsTable {
  id: Generated<number>;
  org_id: number;
  /** The compatible surface keeping the value ('capillary'...): each keeps its own (migration 0061). */
  surface: string;
  /** 'lead' | 'status_history' | 'follow_up' */
  entity: string;
  entity_id: number;
  /** e.g. 'created_by', 'updated_by', 'done_by' */
  name: string;
  /** JSON-encoded value, so an integer comes back an integer. */
  value: string;
  created_at: string;
}

export interface ExternalRefTables {
  external_refs: ExternalRefsTable;
}
