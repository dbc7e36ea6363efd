import type { Migration } from 'kysely';
import * as m0001 from './0001_core.js';

/**
 * Every migration, in order. Names are never changed once landed.
 * Ranges keep parallel work apart: 0001-0009 core, 0010-0019 pipeline/activities, 0020-0029 accounts,
 * 0030-0039 access, 0040-0049 imports/jobs, 0050+ compat surfaces.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
};
