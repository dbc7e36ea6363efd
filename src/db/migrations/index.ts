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
import * as m0130 from './0130_import_warnings.js';

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
  '0130_import_warnings': m0130,
};
