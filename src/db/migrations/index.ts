import type { Migration } from 'kysely';
import * as m0001 from './0001_core.js';
import * as m0010 from './0010_pipeline.js';
import * as m0011 from './0011_activities.js';
import * as m0020 from './0020_accounts.js';
import * as m0021 from './0021_contact_phones.js';
import * as m0030 from './0030_access.js';
import * as m0040 from './0040_jobs.js';
import * as m0041 from './0041_imports.js';
import * as m0050 from './0050_external_refs.js';
import * as m0055 from './0055_org_time_zone.js';
import * as m0120 from './0120_email.js';
import * as m0080 from './0080_lead_users.js';
import * as m0081 from './0081_lead_contact_points.js';
import * as m0082 from './0082_lead_items.js';
import * as m0083 from './0083_consent_customer.js';
import * as m0084 from './0084_activities_standalone.js';
import * as m0085 from './0085_lead_search_extra.js';
import * as m0090 from './0090_catalogs.js';
import * as m0091 from './0091_status_lifecycle.js';
import * as m0092 from './0092_estimated_completion.js';
import * as m0060 from './0060_unique_keys.js';
import * as m0100 from './0100_catalog_defaults_backfill.js';
import * as m0093 from './0093_leads_type_idx.js';
import * as m0101 from './0101_leads_live_created_idx.js';
import * as m0102 from './0102_report_indexes.js';
import * as m0103 from './0103_saved_views.js';
import * as m0104 from './0104_lead_rollups.js';
import * as m0105 from './0105_bulk_jobs.js';
import * as m0210 from './0210_rollups_without_merged.js';
import * as m0211 from './0211_lead_totals.js';
import * as m0220 from './0220_status_stays.js';
import * as m0221 from './0221_activity_rollups.js';
import * as m0222 from './0222_lead_outcomes.js';
import * as m0223 from './0223_follow_ups_open_idx.js';
import * as m0224 from './0224_lead_days.js';
import * as m0061 from './0061_external_refs_surface.js';
import * as m0062 from './0062_reason_numbers.js';
import * as m0130 from './0130_import_warnings.js';
import * as m0146 from './0146_duplicate_check.js';
import * as m0150 from './0150_scoped_tokens.js';
import * as m0151 from './0151_two_factor.js';
import * as m0170 from './0170_assignment_webhooks.js';
import * as m0180 from './0180_lead_scoring.js';
import * as m0200 from './0200_rate_counters.js';
import * as m0190 from './0190_settings_version.js';
import * as m0240 from './0240_status_stays_owner.js';
import * as m0245 from './0245_drop_unused_lead_indexes.js';
import * as m0249 from './0249_leads_last_name_sort_idx.js';
import * as m0246 from './0246_pg_insert_statement_triggers.js';
import * as m0230 from './0230_auth_version.js';
import * as m0235 from './0235_status_history_lead_created_idx.js';
import * as m0160 from './0160_duplicates.js';
import * as m0161 from './0161_live_index_merged.js';
import * as m0162 from './0162_duplicate_keys_backfill.js';

/**
 * Every migration, in order. Names are never changed once landed.
 * Ranges keep parallel work apart: 0001-0009 core, 0010-0019 pipeline/activities, 0020-0029 accounts,
 * 0030-0039 access, 0040-0049 imports/jobs, 0050+ compat surfaces.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0010_pipeline': m0010,
  '0011_activities': m0011,
  '0020_accounts': m0020,
  '0021_contact_phones': m0021,
  '0030_access': m0030,
  '0040_jobs': m0040,
  '0041_imports': m0041,
  '0050_external_refs': m0050,
  '0055_org_time_zone': m0055,
  '0120_email': m0120,
  '0080_lead_users': m0080,
  '0081_lead_contact_points': m0081,
  '0082_lead_items': m0082,
  '0083_consent_customer': m0083,
  '0084_activities_standalone': m0084,
  '0085_lead_search_extra': m0085,
  '0090_catalogs': m0090,
  '0091_status_lifecycle': m0091,
  '0092_estimated_completion': m0092,
  '0093_leads_type_idx': m0093,
  '0100_catalog_defaults_backfill': m0100,
  '0101_leads_live_created_idx': m0101,
  '0102_report_indexes': m0102,
  '0103_saved_views': m0103,
  '0104_lead_rollups': m0104,
  '0105_bulk_jobs': m0105,
  '0130_import_warnings': m0130,
  '0146_duplicate_check': m0146,
  '0150_scoped_tokens': m0150,
  '0151_two_factor': m0151,
  '0170_assignment_webhooks': m0170,
  '0160_duplicates': m0160,
  '0161_live_index_merged': m0161,
  '0162_duplicate_keys_backfill': m0162,
  '0060_unique_keys': m0060,
  '0061_external_refs_surface': m0061,
  '0180_lead_scoring': m0180,
  '0062_reason_numbers': m0062,
  '0210_rollups_without_merged': m0210,
  '0211_lead_totals': m0211,
  '0220_status_stays': m0220,
  '0221_activity_rollups': m0221,
  '0222_lead_outcomes': m0222,
  '0223_follow_ups_open_idx': m0223,
  '0224_lead_days': m0224,
  '0200_rate_counters': m0200,
  '0190_settings_version': m0190,
  '0230_auth_version': m0230,
  '0235_status_history_lead_created_idx': m0235,
  '0240_status_stays_owner': m0240,
  '0245_drop_unused_lead_indexes': m0245,
  '0249_leads_last_name_sort_idx': m0249,
  '0246_pg_insert_statement_triggers': m0246,
};
