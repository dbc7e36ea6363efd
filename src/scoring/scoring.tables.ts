import type { Generated } from 'kysely';

/** One training run of an organization: a model, or a refusal (too little history) with its counts. */
export interface ScoringModelsTable {
  id: Generated<number>;
  org_id: number;
  /** trained | refused | failed */
  status: string;
  outcomes: number;
  won: number;
  lost: number;
  message: string | null;
  metrics: string | null;
  importance: string | null;
  model: string | null;
  job_id: number | null;
  created_at: string;
}

export interface ScoringTables {
  scoring_models: ScoringModelsTable;
}
