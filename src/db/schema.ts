import type { ColumnType, Generated } from 'kysely';
import type { TwoFactorTables } from '../access/auth-two-factor.tables.js';
import type { AccessTables } from '../access/access.tables.js';
import type { JobTables } from '../jobs/job.tables.js';
import type { BulkTables } from '../leads/bulk.tables.js';
import type { ImportTables } from '../imports/import.tables.js';
import type { AccountsTables } from '../accounts/accounts.tables.js';
import type { PipelineTables } from '../pipeline/pipeline.tables.js';
import type { ActivityTables } from '../activities/activity.tables.js';
import type { ExternalRefTables } from '../leads/external-ref.tables.js';
import type { EmailTables } from '../email/email.tables.js';
import type { LeadPartTables } from '../leads/lead-parts.tables.js';
import type { CatalogTables } from '../catalogs/catalog.tables.js';
import type { AssignmentTables } from '../assignment/assignment.tables.js';
import type { WebhookTables } from '../webhooks/webhook.tables.js';
import type { ScoringTables } from '../scoring/scoring.tables.js';
import type { ViewTables } from '../views/view.tables.js';
import type { ReportTables } from '../reports/report.tables.js';
import type { DuplicateTables } from '../duplicates/duplicates.tables.js';

/**
 * Table types. Conventions (see docs/decisions.md):
 * - timestamps are ISO 8601 UTC strings with milliseconds ("2026-01-02T03:04:05.678Z"), sortable as text;
 * - booleans are integers 0/1; JSON is stored as text;
 * - money is integer minor units (value_cents), never a float.
 * Feature folders add their tables by extending Database below.
 */
export interface OrganizationsTable {
  id: Generated<number>;
  name: string;
  created_at: string;
  /** IANA time zone (migration 0055); null means UTC. */
  time_zone: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1: a new lead sharing an email or phone with a lead of the organization is refused (0146). */
  duplicate_check: ColumnType<number, number | undefined, number>;
  /** 1: webhook endpoints may point at private, loopback and link-local addresses (0170, src/webhooks). */
  webhooks_allow_private: ColumnType<number, number | undefined, number>;
  /** 'flag' or 'refuse': what every surface does with a new lead that is a likely duplicate (0160). */
  duplicate_on_create: ColumnType<string, string | undefined, string>;
  /** The score (percent) from which a new lead is refused when duplicate_on_create is 'refuse' (0160). */
  duplicate_refuse_score: ColumnType<number, number | undefined, number>;
  /** The last per-organization reason number given (migration 0062). */
  reason_numbers: ColumnType<number, number | undefined, number>;
  /** Bumped by triggers on every settings write (migration 0190); the per-process settings cache's key. */
  settings_version: ColumnType<number, never, never>;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  created_at: string;
}

export interface MembershipsTable {
  org_id: number;
  user_id: number;
  role: string;
  created_at: string;
  deactivated_at: string | null;
  /** 1: away, assignment rules skip them (0170, src/assignment). */
  away: ColumnType<number, number | undefined, number>;
}

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  revoked_at: string | null;
  /** The organization the session is pinned to (migration 0150); null = any of the user's. */
  org_id: number | null;
}

export interface StatusesTable {
  id: Generated<number>;
  org_id: number;
  key: string;
  label: string;
  position: number;
  category: string;
  reason_required: number;
  is_default: number;
  created_at: string;
  /** Added by 0010_pipeline: deleted statuses stay so history can name them. */
  deleted_at: string | null;
  /** Added by 0091 (src/catalogs/lifecycle.ts); null only if written by code that predates it. */
  lifecycle: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface LeadsTable {
  id: Generated<number>;
  org_id: number;
  first_name: string | null;
  last_name: string | null;
  civility: string | null;
  title: string | null;
  job_title: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  company_name: string | null;
  website: string | null;
  source: string | null;
  status_id: number;
  sub_status_id: number | null;
  owner_id: number | null;
  /** Added by 0030_access: the team a lead is assigned to (agents of that team see it). */
  team_id: number | null;
  value_cents: number | null;
  currency: string | null;
  probability: number | null;
  rating: number | null;
  priority: number | null;
  importance: number | null;
  description: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
  locale: string | null;
  birth_date: string | null;
  external_id: string | null;
  expected_close_date: string | null;
  custom_fields: string;
  next_follow_up_at: string | null;
  last_follow_up_at: string | null;
  status_changed_at: string;
  created_at: string;
  updated_at: string;
  created_by: number | null;
  updated_by: number | null;
  deleted_at: string | null;
  version: number;
  /** Accounts (migration 0020): the linked company and what the lead converted into. */
  company_id: number | null;
  converted_at: string | null;
  converted_by: number | null;
  converted_company_id: number | null;
  converted_contact_id: number | null;
  converted_opportunity_id: number | null;
  /** Catalogs (migration 0090, src/catalogs): null when not set. */
  lead_type_id: ColumnType<number | null, number | null | undefined, number | null>;
  category_id: ColumnType<number | null, number | null | undefined, number | null>;
  source_id: ColumnType<number | null, number | null | undefined, number | null>;
  privacy_level_id: ColumnType<number | null, number | null | undefined, number | null>;
  importance_level_id: ColumnType<number | null, number | null | undefined, number | null>;
  product_category_id: ColumnType<number | null, number | null | undefined, number | null>;
  project_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 0092: estimated completion time { value, unit }. */
  estimated_completion_value: ColumnType<number | null, number | null | undefined, number | null>;
  estimated_completion_unit: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0170: the assignment rule that gave the lead its owner (src/assignment). */
  assignment_rule_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Lead scoring (migration 0180, src/scoring): 0-100 on open leads of an organization with a model, else null. */
  score: ColumnType<number | null, number | null | undefined, number | null>;
  /** JSON array of the factors behind the score, in words. */
  score_factors: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0160 (src/duplicates): the lead this one was merged into; merged leads are hidden from lists. */
  merged_into_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface LeadTagsTable {
  org_id: number;
  lead_id: number;
  tag: string;
}

export interface StatusHistoryTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  from_status_id: number | null;
  to_status_id: number;
  sub_status_id: number | null;
  reason_id: number | null;
  note: string | null;
  created_by: number | null;
  created_at: string;
}

export interface LeadFieldChangesTable {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  field: string;
  /** JSON-encoded old and new values. */
  old_value: string | null;
  new_value: string | null;
  changed_by: number | null;
  changed_at: string;
}

export interface CoreTables {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  statuses: StatusesTable;
  leads: LeadsTable;
  lead_tags: LeadTagsTable;
  status_history: StatusHistoryTable;
  lead_field_changes: LeadFieldChangesTable;
}

// Each feature adds its tables here: `export interface Database extends CoreTables, PipelineTables, ... {}`.
export interface Database
  extends
    CoreTables,
    JobTables,
    ImportTables,
    AccessTables,
    AccountsTables,
    PipelineTables,
    ActivityTables,
    ExternalRefTables,
    EmailTables,
    LeadPartTables,
    CatalogTables,
    TwoFactorTables,
    AssignmentTables,
    WebhookTables,
    ScoringTables,
    ViewTables,
    ReportTables,
    DuplicateTables,
    BulkTables {}
