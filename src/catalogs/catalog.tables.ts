import type { Generated } from 'kysely';

/** One entry of a simple per-organization catalog (migration 0090); `kind` names the catalog. */
export interface CatalogEntriesTable {
  id: Generated<number>;
  org_id: number;
  kind: string;
  name: string;
  alternative_code: string | null;
  position: number;
  created_at: string;
  updated_at: string;
}

/** A lead type: defaults applied on create and the contact rules of its communication settings. */
export interface LeadTypesTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  alternative_code: string | null;
  default_status_id: number | null;
  default_category_id: number | null;
  /** JSON array of status ids, null = every status. */
  allowed_status_ids: string | null;
  email_required: number;
  phone_required: number;
  lock_when_closed: number;
  created_at: string;
  updated_at: string;
}

export interface CatalogTables {
  catalog_entries: CatalogEntriesTable;
  lead_types: LeadTypesTable;
}

/** The simple catalogs: API path segment -> kind, and the lead column that points at an entry. */
export const CATALOG_KINDS = {
  categories: { path: 'lead-categories', column: 'category_id', label: 'lead category' },
  sources: { path: 'lead-sources', column: 'source_id', label: 'lead source' },
  privacy_levels: { path: 'privacy-levels', column: 'privacy_level_id', label: 'privacy level' },
  importance_levels: { path: 'importance-levels', column: 'importance_level_id', label: 'importance level' },
  priorities: { path: 'priorities', column: null, label: 'priority' },
  product_categories: {
    path: 'product-categories',
    column: 'product_category_id',
    label: 'product category',
  },
  projects: { path: 'projects', column: 'project_id', label: 'project' },
} as const;
export type CatalogKind = keyof typeof CATALOG_KINDS;

/** What a new organization starts with: the importance levels and priorities seeds 000/003 name. */
export const DEFAULT_CATALOG_ENTRIES: Array<{ kind: CatalogKind; name: string; alternative_code: string }> = [
  ...[1, 2, 3, 4, 5].map((n) => ({
    kind: 'importance_levels' as const,
    name: `Importance ${n}`,
    alternative_code: `IMPORTANCE${n}`,
  })),
  ...[1, 2, 3].map((n) => ({
    kind: 'importance_levels' as const,
    name: `Custom ${n}`,
    alternative_code: `CUSTOM${n}`,
  })),
  ...[1, 2, 3, 4, 5, 6].map((n) => ({
    kind: 'priorities' as const,
    name: `Priority ${n}`,
    alternative_code: String(n),
  })),
];
